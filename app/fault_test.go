package app_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/pgtest"
	"github.com/pressroom/pressroom/internal/testfiles"

	_ "modernc.org/sqlite" // the integrity check reads the database file itself
)

// faultRounds is how many times the kill tests kill the process: a few in
// the normal suite, many with PRESSROOM_FAULT_ROUNDS (make faults).
func faultRounds() int {
	var n int
	if _, err := fmt.Sscan(os.Getenv("PRESSROOM_FAULT_ROUNDS"), &n); err == nil && n > 0 {
		return n
	}
	return 2
}

// TestKillDuringIntakeLosesNoAcknowledgedOrder kills the process (SIGKILL) while clients place
// orders as fast as it takes them, and restarts it, several times: every
// order that got 201 is there after the restart, whole (its items and its
// created event), no own id twice; orders whose answer was lost may exist,
// whole too. A status change acknowledged before a kill has its callback
// event.
func TestKillDuringIntakeLosesNoAcknowledgedOrder(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		args := st.args(t)
		env := baseEnv()
		env["PRESSROOM_DEMO_CALLBACK_URL"] = "https://shop.example/never-called"
		env["PRESSROOM_WORKERS"] = "0" // nothing delivers: callbacks stay as written
		// The check reads every order back, thousands of requests of one
		// key: no rate limit (at 6,000 a minute it answered 429 and the
		// check failed on a fast run).
		env["PRESSROOM_RATE_LIMIT"] = "0"
		type acked struct {
			id     string
			number string
		}
		var (
			mu    sync.Mutex
			acks  []acked
			seq   atomic.Int64
			moved []string // orders acknowledged in_production
		)
		for round := range faultRounds() {
			p := startProcess(t, args, env)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			client := &http.Client{Timeout: 10 * time.Second}
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						id := fmt.Sprintf("k%d-%d", round, seq.Add(1))
						req, _ := http.NewRequest("POST", p.URL+"/v1/orders", strings.NewReader(orderBody(id)))
						req.Header.Set("Authorization", "Bearer "+demoKey)
						resp, err := client.Do(req)
						if err != nil {
							continue // the kill: the answer is lost, the order may or may not exist
						}
						if resp.StatusCode == 201 {
							var body struct{ Number json.Number }
							if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
								resp.Body.Close()
								continue // cut off mid-answer by the kill
							}
							mu.Lock()
							acks = append(acks, acked{id, string(body.Number)})
							mu.Unlock()
							// Some orders move on; the change is acknowledged with its event.
							if rand.IntN(4) == 0 {
								r2, _ := http.NewRequest("POST", p.URL+"/v1/operator/orders/"+string(body.Number)+"/status", strings.NewReader(`{"status":"in_production"}`))
								r2.Header.Set("Authorization", "Bearer "+operatorKey)
								if resp2, err := client.Do(r2); err == nil {
									if resp2.StatusCode == 200 {
										mu.Lock()
										moved = append(moved, string(body.Number))
										mu.Unlock()
									}
									resp2.Body.Close()
								}
							}
						}
						resp.Body.Close()
					}
				}()
			}
			time.Sleep(time.Duration(400+rand.IntN(800)) * time.Millisecond)
			p.kill()
			close(stop)
			wg.Wait()
		}
		if len(acks) == 0 {
			t.Fatal("no order was acknowledged before the kills")
		}
		p := startProcess(t, args, env)
		lost, lostChanges := 0, 0
		for _, a := range acks {
			o := getOK(t, p.URL+"/v1/orders/"+a.number)
			if items, _ := o["items"].([]any); o["id"] != a.id || len(items) != 2 {
				lost++
				t.Errorf("acknowledged order %s (%s) after the kills: %v", a.number, a.id, o)
			}
		}
		for _, n := range moved {
			o := getOK(t, p.URL+"/v1/orders/"+n)
			evs := string(getOKBody(t, p.URL+"/v1/orders/"+n+"/events"))
			if o["status"] != "in_production" || !strings.Contains(evs, `"in_production"`) {
				lostChanges++
				t.Errorf("order %s was acknowledged in production, is %v, events %.300s", n, o["status"], evs)
			}
			cbs, _ := getOK(t, p.URL+"/v1/callbacks?order="+n)["data"].([]any)
			var types []string
			for _, c := range cbs {
				if fmt.Sprint(c.(map[string]any)["order"]) != n {
					t.Errorf("?order=%s listed a callback of order %v", n, c.(map[string]any)["order"])
				}
				types = append(types, fmt.Sprint(c.(map[string]any)["type"]))
			}
			if !strings.Contains(strings.Join(types, " "), "order.status") || !strings.Contains(strings.Join(types, " "), "order.created") {
				t.Errorf("order %s: callbacks %v, want its created and status ones", n, types)
			}
		}
		// Every stored order is whole and no own id is there twice.
		seen := map[string]bool{}
		for page := 1; ; page++ {
			data, _ := getOK(t, fmt.Sprintf("%s/v1/orders?per_page=100&page=%d", p.URL, page))["data"].([]any)
			for _, x := range data {
				o := x.(map[string]any)
				id := fmt.Sprint(o["id"])
				if seen[id] {
					t.Errorf("own id %s twice", id)
				}
				seen[id] = true
				whole := getOK(t, fmt.Sprintf("%s/v1/orders/%v", p.URL, o["number"]))
				evs := string(getOKBody(t, fmt.Sprintf("%s/v1/orders/%v/events", p.URL, o["number"])))
				if items, _ := whole["items"].([]any); len(items) != 2 || !strings.Contains(evs, `"created"`) {
					t.Errorf("half-written order %v: %v, events %.200s", o["number"], whole, evs)
				}
			}
			if len(data) < 100 {
				break
			}
		}
		if len(seen) < len(acks) {
			t.Errorf("%d orders stored, %d acknowledged", len(seen), len(acks))
		}
		t.Logf("%d kills: %d orders acknowledged, %d stored, lost: %d; %d status changes acknowledged, lost: %d",
			faultRounds(), len(acks), len(seen), lost, len(moved), lostChanges)
	})
}

// TestKillDuringUploadTakesNoPartialFile kills the process while a print file is being
// uploaded: after the restart the item still waits for its file (no part
// of the cut-off upload is taken as its artwork), and a whole upload then
// goes through.
func TestKillDuringUploadTakesNoPartialFile(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		args := st.args(t)
		p := startProcess(t, args, baseEnv())
		o := decodeNumbers(t, do(t, "POST", p.URL+"/v1/orders", demoKey, `{"id":"up-kill","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true}]}`).Body)
		url := fmt.Sprintf("%s/v1/orders/%v/items/%v/artwork", p.URL, o["number"], path(t, o, "items", 0, "id"))
		doc := testfiles.Doc{W: 400, H: 200, Bleed: 10, Pad: 40 << 20} // 40 MB
		pr, pw := io.Pipe()
		req, _ := http.NewRequest("PUT", url, pr)
		req.Header.Set("Authorization", "Bearer "+demoKey)
		req.ContentLength = doc.Size()
		done := make(chan error, 1)
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		// Send a quarter of the file, then kill the server mid-body.
		if _, err := io.CopyN(pw, doc.Reader(), doc.Size()/4); err != nil {
			t.Fatal(err)
		}
		p.kill()
		pw.CloseWithError(fmt.Errorf("the server is gone"))
		<-done
		q := startProcess(t, args, baseEnv())
		url = strings.Replace(url, p.URL, q.URL, 1)
		a := decodeNumbers(t, do(t, "GET", url, demoKey, nil).Body)
		if a["file_state"] != "awaiting" || len(a["files"].([]any)) != 0 {
			t.Fatalf("after a cut-off upload: %v", a)
		}
		pdf := testfiles.PDF(400, 200, 10)
		if r := upload(t, url, pdf, ""); r.Status != 202 {
			t.Fatalf("upload after the restart: %d %s", r.Status, r.Body)
		}
		a = decodeNumbers(t, do(t, "GET", url, demoKey, nil).Body)
		if files := a["files"].([]any); len(files) != 1 || path(t, files[0], "md5") != md5hex(pdf) {
			t.Errorf("after a whole upload: %v", a)
		}
		t.Logf("killed after %d of %d bytes; after the restart the item awaited its file with 0 files; a whole upload was then its file", doc.Size()/4, doc.Size())
	})
}

// TestKillDuringCheckoutLosesNoAcknowledgedCheckout kills the process while drafts are checked out:
// after the restart each draft is either still a draft with all its items,
// or an accepted order with its items and its status event; every
// checkout answered 200 is accepted.
func TestKillDuringCheckoutLosesNoAcknowledgedCheckout(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		args := st.args(t)
		p := startProcess(t, args, baseEnv())
		var drafts []string
		for i := range 40 {
			d := decodeNumbers(t, do(t, "POST", p.URL+"/v1/orders", demoKey, fmt.Sprintf(`{"id":"ck-%d","stage":"draft","delivery":{"address":%s},"items":[%s,{"code":"side-grip-spacer-2-5mm","options":[{"code":"amount","value":2}]}]}`, i, probonl, dibondItem)).Body)
			drafts = append(drafts, fmt.Sprint(d["number"]))
		}
		var mu sync.Mutex
		acked := map[string]bool{}
		var wg sync.WaitGroup
		client := &http.Client{Timeout: 10 * time.Second}
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(drafts); i += 4 {
					req, _ := http.NewRequest("POST", p.URL+"/v1/orders/"+drafts[i]+"/checkout", nil)
					req.Header.Set("Authorization", "Bearer "+demoKey)
					resp, err := client.Do(req)
					if err != nil {
						return
					}
					if resp.StatusCode == 200 {
						mu.Lock()
						acked[drafts[i]] = true
						mu.Unlock()
					}
					resp.Body.Close()
				}
			}()
		}
		time.Sleep(time.Duration(50+rand.IntN(200)) * time.Millisecond)
		p.kill()
		wg.Wait()
		q := startProcess(t, args, baseEnv())
		var accepted, lost int
		for _, n := range drafts {
			o := getOK(t, q.URL+"/v1/orders/"+n)
			items, _ := o["items"].([]any)
			if len(items) != 2 {
				t.Errorf("order %s lost items: %v", n, o)
			}
			switch o["status"] {
			case "draft":
				if acked[n] {
					lost++
					t.Errorf("order %s was checked out (200) but is a draft", n)
				}
			case "accepted":
				accepted++
				if evs := string(getOKBody(t, q.URL+"/v1/orders/"+n+"/events")); !strings.Contains(evs, "checkout") {
					t.Errorf("order %s is accepted without its checkout event: %.300s", n, evs)
				}
			default:
				t.Errorf("order %s is %v", n, o["status"])
			}
		}
		t.Logf("%d drafts, %d checkouts acknowledged, %d accepted after the kill, lost: %d", len(drafts), len(acked), accepted, lost)
	})
}

// TestPostgresOutageAnswers503AndLosesNothing stops PostgreSQL under sustained order intake and
// starts it again: while it is down requests are answered, with 503, and
// not left hanging; every order acknowledged before, during or after is
// there; and the service resumes by itself.
func TestPostgresOutageAnswers503AndLosesNothing(t *testing.T) {
	own := pgtest.NewOwn(t)
	srv := startServer(t, []string{"--data", t.TempDir(), "--db", own.DSN()}, nil)
	var (
		mu     sync.Mutex
		acked  []string
		status = map[int]int{}
		hung   atomic.Int64
		seq    atomic.Int64
		down   atomic.Bool
		slow   time.Duration // the slowest answer while the database was down
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 20 * time.Second}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("pg-%d", seq.Add(1))
				req, _ := http.NewRequest("POST", srv.URL+"/v1/orders", strings.NewReader(orderBody(id)))
				req.Header.Set("Authorization", "Bearer "+demoKey)
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					hung.Add(1)
					continue
				}
				var body struct{ Number json.Number }
				json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				took := time.Since(start)
				mu.Lock()
				if down.Load() {
					status[resp.StatusCode]++
					slow = max(slow, took)
				}
				if resp.StatusCode == 201 {
					acked = append(acked, string(body.Number))
				}
				mu.Unlock()
				if down.Load() {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	time.Sleep(time.Second)
	down.Store(true)
	own.Stop()
	// A load balancer's health check sees the outage.
	health := 0
	for deadline := time.Now().Add(1500 * time.Millisecond); time.Now().Before(deadline) && health != http.StatusServiceUnavailable; time.Sleep(50 * time.Millisecond) {
		health = do(t, "GET", srv.URL+"/healthz", "", nil).Status
	}
	if health != http.StatusServiceUnavailable {
		t.Errorf("healthz while PostgreSQL is down: %d, want 503", health)
	}
	time.Sleep(time.Second)
	if err := own.Start(); err != nil {
		t.Fatal(err)
	}
	down.Store(false)
	// Service resumes by itself: orders are taken again.
	resumed := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if do(t, "POST", srv.URL+"/v1/orders", demoKey, orderBody(fmt.Sprintf("pg-after-%d", seq.Add(1)))).Status == 201 {
			resumed = true
			break
		}
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if !resumed {
		t.Fatal("no order was taken after PostgreSQL came back")
	}
	if r := do(t, "GET", srv.URL+"/healthz", "", nil); r.Status != 200 {
		t.Errorf("healthz after PostgreSQL came back: %d %s", r.Status, r.Body)
	}
	mu.Lock()
	defer mu.Unlock()
	if hung.Load() > 0 {
		t.Errorf("%d requests got no answer in 20 s", hung.Load())
	}
	for code, n := range status {
		if code >= 500 && code != http.StatusServiceUnavailable {
			t.Errorf("%d answers %d while the database was down, want 503", n, code)
		}
	}
	if status[http.StatusServiceUnavailable] == 0 {
		t.Errorf("no 503 while the database was down: %v", status)
	}
	lost := 0
	for _, n := range acked {
		if r := do(t, "GET", srv.URL+"/v1/orders/"+n, demoKey, nil); r.Status != 200 {
			lost++
			t.Errorf("acknowledged order %s after the outage: %d %s", n, r.Status, r.Body)
		}
	}
	t.Logf("%d orders acknowledged, lost: %d; answers while down: %v, the slowest in %s", len(acked), lost, status, slow.Round(time.Millisecond))
}

// TestDiskFullRefusesCleanlyAndLosesNothing fills the data directory (a small tmpfs) under order
// intake: orders are refused with 503, none half-written; once there is
// room again intake resumes by itself, every acknowledged order is there,
// and the database passes SQLite's integrity check. It needs root to
// mount the tmpfs and skips, loudly, without.
func TestDiskFullRefusesCleanlyAndLosesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", dir).CombinedOutput(); err != nil {
		msg := fmt.Sprintf("SKIPPING THE DISK-FULL TEST: cannot mount a tmpfs (needs root): %v %s", err, out)
		fmt.Fprintln(os.Stderr, "!!!", msg)
		t.Skip(msg)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	srv := startServer(t, []string{"--data", dir}, nil)
	var acked []string
	place := func(i int) int {
		r := do(t, "POST", srv.URL+"/v1/orders", demoKey, orderBody(fmt.Sprintf("full-%d", i)))
		if r.Status == 201 {
			acked = append(acked, fmt.Sprint(decodeNumbers(t, r.Body)["number"]))
		}
		return r.Status
	}
	for i := range 5 {
		if s := place(i); s != 201 {
			t.Fatalf("before the disk is full: %d", s)
		}
	}
	// Fill the disk to the last byte.
	filler, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := filler.Write(chunk); err != nil {
			break
		}
	}
	for {
		if _, err := filler.Write(chunk[:512]); err != nil {
			break
		}
	}
	filler.Close()
	refused := map[int]int{}
	for i := 5; i < 400; i++ {
		s := place(i)
		if s != 201 {
			refused[s]++
		}
		if refused[503] >= 20 {
			break
		}
	}
	for code, n := range refused {
		if code != http.StatusServiceUnavailable {
			t.Errorf("%d answers %d while the disk was full, want 503", n, code)
		}
	}
	if refused[503] == 0 {
		t.Fatalf("the full disk refused nothing: %v", refused)
	}
	// Room again: intake resumes by itself.
	os.Remove(filepath.Join(dir, "filler"))
	resumed := false
	for i, deadline := 1000, time.Now().Add(30*time.Second); time.Now().Before(deadline); i++ {
		if place(i) == 201 {
			resumed = true
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !resumed {
		t.Fatal("intake did not resume once there was room")
	}
	lost := 0
	for _, n := range acked {
		o := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/orders/"+n, demoKey, nil).Body)
		if items, _ := o["items"].([]any); len(items) != 2 {
			lost++
			t.Errorf("acknowledged order %s: %v", n, o)
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "pressroom.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity check: %q %v", check, err)
	}
	t.Logf("%d orders acknowledged, lost: %d; refused while full: %v; integrity check: %s", len(acked), lost, refused, check)
}

// getOK reads a JSON answer of the demo reseller that must be 200: a
// check that reads data back fails on anything else, naming it.
func getOK(t *testing.T, url string) map[string]any {
	t.Helper()
	return decodeNumbers(t, getOKBody(t, url))
}

// getOKBody is getOK's answer as it came.
func getOKBody(t *testing.T, url string) []byte {
	t.Helper()
	r := do(t, "GET", url, demoKey, nil)
	if r.Status != 200 {
		t.Fatalf("GET %s: %d %s", url, r.Status, r.Body)
	}
	return r.Body
}
