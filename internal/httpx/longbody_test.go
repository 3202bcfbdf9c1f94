package httpx

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// slowServer answers how many bytes of the body it read, with server
// timeouts of half a second; long wraps the body in LongBody.
func slowServer(t *testing.T, long bool) *httptest.Server {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body io.Reader = r.Body
		if long {
			body = LongBody(w, r, time.Second)
		}
		n, err := io.Copy(io.Discard, body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprint(w, n)
	}))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 500*time.Millisecond, 500*time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// sendSlowly posts 30 chunks of 1 kB, one every 100 ms (3 s in all), pausing
// for pause after the tenth.
func sendSlowly(url string, pause time.Duration) (string, error) {
	pr, pw := io.Pipe()
	go func() {
		for i := range 30 {
			if i == 10 {
				time.Sleep(pause)
			}
			if _, err := pw.Write(bytes.Repeat([]byte("%"), 1024)); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		pw.Close()
	}()
	resp, err := http.Post(url, "application/pdf", pr)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b))), err
}

// TestLongBody: a body that keeps sending outlasts the server's timeouts
// and is answered; without LongBody the same body is cut off; one that
// stops sending for longer than the stall fails.
func TestLongBody(t *testing.T) {
	t.Run("keeps sending", func(t *testing.T) {
		t.Parallel()
		if got, err := sendSlowly(slowServer(t, true).URL, 0); err != nil || got != "200 30720" {
			t.Errorf("a slow body: %q, %v", got, err)
		}
	})
	t.Run("server timeouts alone", func(t *testing.T) {
		t.Parallel()
		if got, err := sendSlowly(slowServer(t, false).URL, 0); err == nil && got == "200 30720" {
			t.Errorf("a slow body passed the server's timeouts without LongBody: %q", got)
		}
	})
	t.Run("stalls", func(t *testing.T) {
		t.Parallel()
		if got, err := sendSlowly(slowServer(t, true).URL, 2500*time.Millisecond); err == nil && strings.HasPrefix(got, "200") {
			t.Errorf("a body that stalled for 2.5 s was taken: %q", got)
		}
	})
}
