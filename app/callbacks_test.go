package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

const demoSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// received is one callback a test receiver got.
type received struct {
	Path    string
	Header  http.Header
	Body    []byte
	Payload struct {
		Type     string `json:"type"`
		ID       string `json:"id"`
		Sequence int64  `json:"sequence"`
		Order    struct {
			Number   int64  `json:"number"`
			ID       string `json:"id"`
			Status   string `json:"status"`
			Packages []struct {
				TrackingCode string `json:"tracking_code"`
			} `json:"packages"`
			Reprint *struct {
				ID       int64  `json:"id"`
				Status   string `json:"status"`
				NewOrder int64  `json:"new_order"`
			} `json:"reprint"`
		} `json:"order"`
	}
}

// receiver is a real HTTP endpoint that records callbacks; paths decide
// its answers: /ok 200, /flaky 500 twice then 200, /gone 410, /down always
// 500, /hang blocks until released.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	got     []received
	calls   map[string]int
	release chan struct{}
	hanging chan struct{}
}

func newReceiver(t *testing.T) *receiver {
	rv := &receiver{calls: map[string]int{}, release: make(chan struct{}), hanging: make(chan struct{}, 100)}
	rv.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rv.mu.Lock()
		rv.calls[r.URL.Path]++
		n := rv.calls[r.URL.Path]
		rv.mu.Unlock()
		switch {
		case strings.HasPrefix(r.URL.Path, "/hang"):
			rv.hanging <- struct{}{}
			<-rv.release
			return
		case strings.HasPrefix(r.URL.Path, "/flaky") && n <= 2, strings.HasPrefix(r.URL.Path, "/down"):
			http.Error(w, "not now", http.StatusInternalServerError)
			return
		case strings.HasPrefix(r.URL.Path, "/busy") && n == 1:
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", http.StatusTooManyRequests)
			return
		case strings.HasPrefix(r.URL.Path, "/gone"):
			http.Error(w, "gone", http.StatusGone)
			return
		}
		rec := received{Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
		if err := json.Unmarshal(body, &rec.Payload); err != nil {
			t.Errorf("callback body is not JSON: %s", body)
		}
		checkCallback(t, body)
		rv.mu.Lock()
		rv.got = append(rv.got, rec)
		rv.mu.Unlock()
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(func() {
		select {
		case <-rv.release:
		default:
			close(rv.release)
		}
		rv.Close()
	})
	return rv
}

// wait returns the callbacks received on a path once there are n.
// until waits up to 45 s for n callbacks that match, and answers them in
// the order they came; what names them in the failure.
func (rv *receiver) until(t *testing.T, what string, n int, match func(received) bool) []received {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		var out []received
		rv.mu.Lock()
		for _, r := range rv.got {
			if match(r) {
				out = append(out, r)
			}
		}
		all := len(rv.got)
		rv.mu.Unlock()
		if len(out) >= n {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d %s, want %d (%d callbacks in all)", len(out), what, n, all)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wait waits for n callbacks on path.
func (rv *receiver) wait(t *testing.T, path string, n int) []received {
	t.Helper()
	return rv.until(t, "callbacks on "+path, n, func(r received) bool { return r.Path == path })
}

// waitFor waits for n callbacks of a type on path.
func (rv *receiver) waitFor(t *testing.T, path, typ string, n int) []received {
	t.Helper()
	return rv.until(t, typ+" callbacks on "+path, n, func(r received) bool { return r.Path == path && r.Payload.Type == typ })
}

// waitBody waits for a callback on path whose body holds want.
func (rv *receiver) waitBody(t *testing.T, path, want string) received {
	t.Helper()
	return rv.until(t, "callbacks on "+path+" holding "+want, 1, func(r received) bool {
		return r.Path == path && bytes.Contains(r.Body, []byte(want))
	})[0]
}

func callbackEnv() map[string]string {
	env := baseEnv()
	env["PRESSROOM_ALLOW_PRIVATE_NETWORKS"] = "1"
	env["PRESSROOM_DEMO_WEBHOOK_SECRET"] = demoSecret
	env["PRESSROOM_WEBHOOK_RETRY_INTERVAL"] = "150ms"
	env["PRESSROOM_WEBHOOK_RETRY_WINDOW"] = "2s"
	return env
}

func withCallback(id, url string) string {
	return strings.Replace(orderBody(id), `"callback_urls":["https://shop.example/status"]`, `"callback_urls":["`+url+`"]`, 1)
}

func verify(t *testing.T, secret string, r received) {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(r.Body, r.Header); err != nil {
		t.Errorf("signature of %s does not verify with %s...: %v (%s)", r.Payload.ID, secret[:10], err, r.Header.Get("webhook-signature"))
	}
}

func TestCallbacksDelivered(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		rv := newReceiver(t)
		srv := startServer(t, st.args(t), callbackEnv())
		o := mustOrder(t, srv, demoKey, withCallback("cb-1", rv.URL+"/ok"))
		for _, step := range []string{`{"status":"in_production"}`, `{"status":"shipment_created","track_and_trace":"3SYMFU0000001","carrier":"postnl"}`} {
			if r := do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, step); r.Status != 200 {
				t.Fatalf("%s: %d", step, r.Status)
			}
		}
		got := rv.wait(t, "/ok", 4)
		var trail []string
		for i, r := range got {
			verify(t, demoSecret, r)
			if r.Payload.Sequence != int64(i+1) || r.Payload.Order.ID != "cb-1" || fmt.Sprint(r.Payload.Order.Number) != num(t, o["number"]) {
				t.Errorf("callback %d: sequence %d, order %+v", i, r.Payload.Sequence, r.Payload.Order)
			}
			if r.Header.Get("webhook-id") != r.Payload.ID || !strings.HasPrefix(r.Header.Get("webhook-signature"), "v1,") {
				t.Errorf("headers: %v", r.Header)
			}
			trail = append(trail, r.Payload.Type+":"+r.Payload.Order.Status)
		}
		if strings.Join(trail, " ") != "order.created:accepted order.status:in_production order.status:shipment_created order.shipment:shipment_created" {
			t.Errorf("callbacks = %v", trail)
		}
		if len(got[3].Payload.Order.Packages) != 1 || got[3].Payload.Order.Packages[0].TrackingCode != "3SYMFU0000001" {
			t.Errorf("shipment callback packages = %+v", got[3].Payload.Order.Packages)
		}
		// The delivery log: the receiver may have the last callback a moment
		// before its outcome is written.
		var list []any
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			log := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/callbacks?order="+num(t, o["number"]), demoKey, nil).Body)
			list = log["data"].([]any)
			if len(list) == 4 && path(t, list[0], "status") != "pending" || time.Now().After(deadline) {
				break
			}
		}
		if len(list) != 4 || path(t, list[0], "status") != "delivered" || num(t, path(t, list[0], "attempts")) != "1" {
			t.Errorf("log = %v", list)
		}
		id := num(t, path(t, list[3], "id"))
		one := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/callbacks/"+id, demoKey, nil).Body)
		if att := one["attempt_log"].([]any); len(att) != 1 || num(t, path(t, att[0], "status")) != "200" || path(t, att[0], "response") != `{"ok":true}` {
			t.Errorf("attempts = %v", one["attempt_log"])
		}
		// Redelivered on request, with the same webhook id.
		if r := do(t, "POST", srv.URL+"/v1/callbacks/"+id+"/redeliver", demoKey, nil); r.Status != 202 {
			t.Errorf("redeliver: %d %s", r.Status, r.Body)
		}
		again := rv.wait(t, "/ok", 5)[4]
		if again.Payload.ID != got[0].Payload.ID || string(again.Body) != string(got[0].Body) {
			t.Errorf("redelivered %s, want %s with the same body", again.Payload.ID, got[0].Payload.ID)
		}
		// Another reseller sees none of it.
		other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
		if r := do(t, "GET", srv.URL+"/v1/callbacks/"+id, other, nil); r.Status != 404 {
			t.Errorf("other reseller's callback: %d", r.Status)
		}
		if r := do(t, "POST", srv.URL+"/v1/callbacks/"+id+"/redeliver", other, nil); r.Status != 404 {
			t.Errorf("other reseller redelivers: %d", r.Status)
		}
	})
}

func TestCallbackRetries(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		rv := newReceiver(t)
		srv := startServer(t, st.args(t), callbackEnv())
		// Fails twice, then succeeds: exactly one success, three attempts; the
		// next event waits for it, so the receiver sees them in order.
		o := mustOrder(t, srv, demoKey, withCallback("flaky-1", rv.URL+"/flaky"))
		do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, `{"status":"in_production"}`)
		got := rv.wait(t, "/flaky", 2)
		if got[0].Payload.Sequence != 1 || got[1].Payload.Sequence != 2 {
			t.Errorf("order of delivery: %d then %d", got[0].Payload.Sequence, got[1].Payload.Sequence)
		}
		time.Sleep(300 * time.Millisecond)
		if n := len(rv.wait(t, "/flaky", 2)); n != 2 {
			t.Errorf("%d successes, want 2 (one per callback)", n)
		}
		var first any
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			log := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/callbacks?order="+num(t, o["number"]), demoKey, nil).Body)["data"].([]any)
			first = log[len(log)-1]
			if path(t, first, "status") == "delivered" || time.Now().After(deadline) {
				break
			}
		}
		if num(t, path(t, first, "attempts")) != "3" || path(t, first, "status") != "delivered" {
			t.Errorf("flaky callback: %v", first)
		}
		// A 429 with Retry-After is honoured: the next attempt waits 1 s, not the 150 ms interval.
		busy := mustOrder(t, srv, demoKey, withCallback("busy-1", rv.URL+"/busy"))
		rv.wait(t, "/busy", 1)
		bl := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/callbacks?order="+num(t, busy["number"]), demoKey, nil).Body)["data"].([]any)
		// The receiver may have the second attempt a moment before its outcome is written.
		var one []any
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			one = decodeNumbers(t, do(t, "GET", srv.URL+"/v1/callbacks/"+num(t, path(t, bl[0], "id")), demoKey, nil).Body)["attempt_log"].([]any)
			if len(one) >= 2 || time.Now().After(deadline) {
				break
			}
		}
		if len(one) != 2 || num(t, path(t, one[0], "status")) != "429" {
			t.Fatalf("busy attempts = %v", one)
		}
		t0, _ := time.Parse(time.RFC3339Nano, path(t, one[0], "at").(string))
		t1, _ := time.Parse(time.RFC3339Nano, path(t, one[1], "at").(string))
		if t1.Sub(t0) < 900*time.Millisecond {
			t.Errorf("the attempt after Retry-After: 1 came %v later", t1.Sub(t0))
		}
		// 410 stops at once; an endpoint that keeps failing is failed after the window.
		g := mustOrder(t, srv, demoKey, withCallback("gone-1", rv.URL+"/gone"))
		d := mustOrder(t, srv, demoKey, withCallback("down-1", rv.URL+"/down"))
		deadline := time.Now().Add(20 * time.Second)
		for {
			gl := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/callbacks?order="+num(t, g["number"]), demoKey, nil).Body)["data"].([]any)
			dl := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/callbacks?order="+num(t, d["number"]), demoKey, nil).Body)["data"].([]any)
			if path(t, gl[0], "status") == "failed" && path(t, dl[0], "status") == "failed" {
				if num(t, path(t, gl[0], "attempts")) != "1" || !strings.Contains(path(t, gl[0], "last_error").(string), "410") {
					t.Errorf("gone: %v", gl[0])
				}
				if a := num(t, path(t, dl[0], "attempts")); a < "3" && len(a) == 1 || !strings.Contains(path(t, dl[0], "last_error").(string), "window") {
					t.Errorf("down: %v", dl[0])
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not failed: %v / %v", gl[0], dl[0])
			}
			time.Sleep(100 * time.Millisecond)
		}
		// Staff see the failed deliveries of every reseller.
		failed := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/operator/callbacks?status=failed", operatorKey, nil).Body)["data"].([]any)
		if len(failed) != 2 || num(t, path(t, failed[0], "reseller_id")) != "1000001" {
			t.Errorf("failed callbacks for staff = %v", failed)
		}
		if r := do(t, "GET", srv.URL+"/v1/operator/callbacks/"+num(t, path(t, failed[0], "id")), operatorKey, nil); r.Status != 200 || !strings.Contains(string(r.Body), "attempt_log") {
			t.Errorf("staff read a callback: %d", r.Status)
		}
		if r := do(t, "GET", srv.URL+"/v1/operator/callbacks", demoKey, nil); r.Status != 404 {
			t.Errorf("a reseller on the operator log: %d", r.Status)
		}
		if r := do(t, "GET", srv.URL+"/v1/operator/callbacks?status=lost&reseller_id=x", operatorKey, nil); r.Status != 400 || len(r.JSON(t)["errors"].([]any)) != 2 {
			t.Errorf("staff's bad filters: %d %s, want two problems", r.Status, r.Body)
		}
		if r := do(t, "GET", srv.URL+"/v1/operator/callbacks/424242", operatorKey, nil); r.Status != 404 || !strings.Contains(string(r.Body), "424242") {
			t.Errorf("staff read no callback: %d %s", r.Status, r.Body)
		}
		if r := do(t, "GET", srv.URL+"/v1/callbacks?status=lost", demoKey, nil); r.Status != 400 {
			t.Errorf("bad status filter: %d", r.Status)
		}
		if r := do(t, "GET", srv.URL+"/v1/callbacks?status=lost&order=x&per_page=0", demoKey, nil); r.Status != 400 || len(r.JSON(t)["errors"].([]any)) != 3 {
			t.Errorf("three bad parameters: %d %s, want three problems", r.Status, r.Body)
		}
	})
}

// TestCallbackIsolation: one endpoint that hangs does not hold up 50 others.
func TestCallbackIsolation(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		rv := newReceiver(t)
		env := callbackEnv()
		env["PRESSROOM_WEBHOOK_TIMEOUT"] = "60s"
		srv := startServer(t, st.args(t), env)
		mustOrder(t, srv, demoKey, withCallback("hang-1", rv.URL+"/hang"))
		<-rv.hanging
		for i := 0; i < 50; i++ {
			mustOrder(t, srv, demoKey, withCallback(fmt.Sprintf("iso-%d", i), fmt.Sprintf("%s/ok%d", rv.URL, i)))
		}
		for i := 0; i < 50; i++ {
			rv.wait(t, fmt.Sprintf("/ok%d", i), 1) // all delivered while /hang still holds its request
		}
		rv.mu.Lock()
		hung := rv.calls["/hang"]
		rv.mu.Unlock()
		if hung != 1 {
			t.Errorf("/hang was called %d times while hanging", hung)
		}
		close(rv.release)
	})
}

func TestCallbackSettings(t *testing.T) {
	rv := newReceiver(t)
	env := callbackEnv()
	env["PRESSROOM_DEMO_CALLBACK_URL"] = rv.URL + "/ok"
	srv := startServer(t, stores[0].args(t), env)
	set := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/account/callbacks", demoKey, nil).Body)
	if set["secret"] != demoSecret || set["callback_url"] != rv.URL+"/ok" || set["previous_secret"] != nil {
		t.Errorf("settings = %v", set)
	}
	// An order without callback URLs calls the account's default URL.
	mustOrder(t, srv, demoKey, strings.Replace(orderBody("default-1"), `"callback_urls":["https://shop.example/status"],`, "", 1))
	first := rv.wait(t, "/ok", 1)[0]
	verify(t, demoSecret, first)
	// Rotation: both secrets sign during the overlap.
	r := do(t, "PUT", srv.URL+"/v1/account/callbacks", demoKey, `{"rotate_secret":true,"overlap":"1h"}`)
	if r.Status != 200 {
		t.Fatalf("rotate: %d %s", r.Status, r.Body)
	}
	rot := decodeNumbers(t, r.Body)
	if rot["previous_secret"] != demoSecret || rot["secret"] == demoSecret || !strings.HasPrefix(rot["secret"].(string), "whsec_") {
		t.Errorf("after rotation = %v", rot)
	}
	if r := do(t, "POST", srv.URL+"/v1/callbacks/test", demoKey, `{"url":"`+rv.URL+`/ok"}`); r.Status != 202 {
		t.Fatalf("test callback: %d %s", r.Status, r.Body)
	}
	test := rv.wait(t, "/ok", 2)[1]
	if test.Payload.Type != "test" || strings.Count(test.Header.Get("webhook-signature"), "v1,") != 2 {
		t.Errorf("test callback: %s, signature %q", test.Payload.Type, test.Header.Get("webhook-signature"))
	}
	verify(t, demoSecret, test)
	verify(t, rot["secret"].(string), test)
	// A second rotation during the overlap would stop the first secret at
	// once: refused, and nothing changes; with no overlap (a leak) only a
	// new secret signs.
	if r := do(t, "PUT", srv.URL+"/v1/account/callbacks", demoKey, `{"rotate_secret":true}`); r.Status != 409 || !strings.Contains(string(r.Body), `\"overlap\": \"0s\"`) {
		t.Errorf("a second rotation during the overlap: %d %s", r.Status, r.Body)
	}
	if got := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/account/callbacks", demoKey, nil).Body); got["secret"] != rot["secret"] || got["previous_secret"] != demoSecret {
		t.Errorf("after a refused rotation = %v", got)
	}
	leak := decodeNumbers(t, wantOK(t, do(t, "PUT", srv.URL+"/v1/account/callbacks", demoKey, `{"rotate_secret":true,"overlap":"0s"}`), 200).Body)
	if leak["secret"] == rot["secret"] || leak["secret"] == demoSecret || leak["previous_secret"] != nil {
		t.Errorf("a rotation without overlap = %v", leak)
	}
	if r := do(t, "POST", srv.URL+"/v1/callbacks/test", demoKey, `{"url":"`+rv.URL+`/ok"}`); r.Status != 202 {
		t.Fatalf("test callback: %d %s", r.Status, r.Body)
	}
	if third := rv.wait(t, "/ok", 3)[2]; strings.Count(third.Header.Get("webhook-signature"), "v1,") != 1 {
		t.Errorf("after a rotation without overlap, signatures %q", third.Header.Get("webhook-signature"))
	} else {
		verify(t, leak["secret"].(string), third)
	}
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		{"PUT", "/v1/account/callbacks", `{"callback_url":"ftp://x"}`, 422},
		{"PUT", "/v1/account/callbacks", `{"overlap":"forever"}`, 422},
		{"PUT", "/v1/account/callbacks", `{"colour":1}`, 400},
		{"POST", "/v1/callbacks/test", `{"url":"not a url"}`, 422},
		{"POST", "/v1/callbacks/424242/redeliver", ``, 404},
		{"GET", "/v1/callbacks?order=x", ``, 400},
	} {
		var body any
		if tc.body != "" {
			body = tc.body
		}
		if r := do(t, tc.method, srv.URL+tc.path, demoKey, body); r.Status != tc.status {
			t.Errorf("%s %s %s: %d, want %d", tc.method, tc.path, tc.body, r.Status, tc.status)
		}
	}
	for _, ep := range []struct{ method, path string }{{"GET", "/v1/callbacks"}, {"GET", "/v1/callbacks/1"}, {"POST", "/v1/callbacks/1/redeliver"},
		{"POST", "/v1/callbacks/test"}, {"GET", "/v1/account/callbacks"}, {"PUT", "/v1/account/callbacks"}} {
		if r := do(t, ep.method, srv.URL+ep.path, "", nil); r.Status != 401 {
			t.Errorf("%s %s without key: %d", ep.method, ep.path, r.Status)
		}
	}
}

// TestCallbacksRefusePrivateAddresses: without PRESSROOM_ALLOW_PRIVATE_NETWORKS
// a callback to a loopback address is refused, and the log says why.
func TestCallbacksRefusePrivateAddresses(t *testing.T) {
	rv := newReceiver(t)
	env := callbackEnv()
	delete(env, "PRESSROOM_ALLOW_PRIVATE_NETWORKS")
	srv := startServer(t, stores[0].args(t), env)
	o := mustOrder(t, srv, demoKey, withCallback("ssrf-1", rv.URL+"/ok"))
	deadline := time.Now().Add(20 * time.Second)
	for {
		l := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/callbacks?order="+num(t, o["number"]), demoKey, nil).Body)["data"].([]any)
		if len(l) == 1 && num(t, path(t, l[0], "attempts")) >= "1" {
			if !strings.Contains(path(t, l[0], "last_error").(string), "private") {
				t.Errorf("last error = %v", path(t, l[0], "last_error"))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no attempt logged")
		}
		time.Sleep(50 * time.Millisecond)
	}
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if len(rv.calls) != 0 {
		t.Errorf("the loopback receiver was called: %v", rv.calls)
	}
}

// TestAPIOnlyNode: with PRESSROOM_WORKERS=0 a node takes orders and runs no
// jobs; their callbacks wait in the store until a node with workers starts.
func TestAPIOnlyNode(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		rv := newReceiver(t)
		args := st.args(t)
		env := callbackEnv()
		env["PRESSROOM_WORKERS"] = "0"
		api := startServer(t, args, env)
		o := mustOrder(t, api, demoKey, withCallback("api-only", rv.URL+"/ok"))
		log := decodeNumbers(t, do(t, "GET", api.URL+"/v1/callbacks?order="+num(t, o["number"]), demoKey, nil).Body)
		if list := log["data"].([]any); len(list) != 1 || path(t, list[0], "status") != "pending" || num(t, path(t, list[0], "attempts")) != "0" {
			t.Errorf("log on the API-only node = %v", list)
		}
		// It runs no clean-ups either: the nodes that work jobs do.
		purges := `pressroom_purged_total{what="calculations"}`
		if m := string(wantOK(t, do(t, "GET", api.URL+"/metrics", "", nil), 200).Body); strings.Contains(m, purges) {
			t.Errorf("the API-only node counts clean-ups it should not run")
		}
		if code := api.stop(); code != 0 {
			t.Fatalf("stop: %d", code)
		}
		worker := startServer(t, args, callbackEnv())
		got := rv.wait(t, "/ok", 1)
		if got[0].Payload.Type != "order.created" || got[0].Payload.Order.ID != "api-only" {
			t.Errorf("callback after the worker started: %+v", got[0].Payload)
		}
		if m := string(wantOK(t, do(t, "GET", worker.URL+"/metrics", "", nil), 200).Body); !strings.Contains(m, purges) {
			t.Errorf("the worker node does not count its clean-ups")
		}
		worker.stop()
	})
}
