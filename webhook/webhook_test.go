package webhook

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// TestSignMatchesTheStandard: our signature is the one the Standard
// Webhooks reference library computes, and it verifies there.
func TestSignMatchesTheStandard(t *testing.T) {
	body := []byte(`{"type":"order.status"}`)
	ts := time.Now()
	got, err := Sign([]string{secret}, "msg_42", ts.Unix(), body)
	if err != nil {
		t.Fatal(err)
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	want, err := wh.Sign("msg_42", time.Unix(ts.Unix(), 0), body)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("signature %q, the library's %q", got, want)
	}
	h := http.Header{}
	h.Set("webhook-id", "msg_42")
	h.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	h.Set("webhook-signature", got)
	if err := wh.Verify(body, h); err != nil {
		t.Errorf("verify: %v", err)
	}
	// Two secrets give two signatures, each verifying on its own.
	other := "whsec_" + strings.Repeat("A", 32)
	both, _ := Sign([]string{secret, other}, "msg_42", ts.Unix(), body)
	if parts := strings.Split(both, " "); len(parts) != 2 || parts[0] != got {
		t.Errorf("two secrets: %q", both)
	}
	if _, err := Sign([]string{"whsec_!!"}, "msg_1", 1, body); err == nil {
		t.Error("a secret that is not base64 signs")
	}
}

func TestJitterAndRetryAfter(t *testing.T) {
	for i := 0; i < 1000; i++ {
		if d := jitter(time.Hour); d < 54*time.Minute || d > 66*time.Minute {
			t.Fatalf("jitter(1h) = %v, outside ±10 %%", d)
		}
	}
	// A receiver's Retry-After counts on a 429 or 503 only, and for a day
	// at the most.
	for _, c := range []struct {
		ans  Answer
		want time.Duration
	}{
		{Answer{Status: 503, RetryAfter: 2 * time.Minute}, 2 * time.Minute},
		{Answer{Status: 429, RetryAfter: 90 * time.Second}, 90 * time.Second},
		{Answer{Status: 429, RetryAfter: 11 * 24 * time.Hour}, 24 * time.Hour},
		{Answer{Status: 503}, 0},
		{Answer{Status: 500, RetryAfter: time.Minute}, 0},
		{Answer{Status: 200, RetryAfter: time.Minute}, 0},
	} {
		if got := retryWait(c.ans); got != c.want {
			t.Errorf("%d with Retry-After %v: wait %v, want %v", c.ans.Status, c.ans.RetryAfter, got, c.want)
		}
	}
}
