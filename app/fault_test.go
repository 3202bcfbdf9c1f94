package app_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

// TestKillDuringIntake kills the process (SIGKILL) while clients place
// orders as fast as it takes them, and restarts it, several times: every
// order that got 201 is there after the restart, whole (its items and its
// created event), no own id twice; orders whose answer was lost may exist,
// whole too. A status change acknowledged before a kill has its callback
// event.
func TestKillDuringIntake(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		args := st.args(t)
		env := baseEnv()
		env["PRESSROOM_DEMO_CALLBACK_URL"] = "https://shop.example/never-called"
		env["PRESSROOM_WORKERS"] = "0" // nothing delivers: callbacks stay as written
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
		for _, a := range acks {
			o := decodeNumbers(t, do(t, "GET", p.URL+"/v1/orders/"+a.number, demoKey, nil).Body)
			if o["id"] != a.id || len(o["items"].([]any)) != 2 {
				t.Fatalf("acknowledged order %s (%s) after the kills: %v", a.number, a.id, o)
			}
		}
		for _, n := range moved {
			o := decodeNumbers(t, do(t, "GET", p.URL+"/v1/orders/"+n, demoKey, nil).Body)
			if o["status"] != "in_production" {
				t.Errorf("order %s was acknowledged in production, is %v", n, o["status"])
			}
			evs := string(do(t, "GET", p.URL+"/v1/orders/"+n+"/events", demoKey, nil).Body)
			if !strings.Contains(evs, `"in_production"`) {
				t.Errorf("order %s lost its status event: %s", n, evs)
			}
			cbs := decodeNumbers(t, do(t, "GET", p.URL+"/v1/callbacks?order="+n, demoKey, nil).Body)["data"].([]any)
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
			l := decodeNumbers(t, do(t, "GET", fmt.Sprintf("%s/v1/orders?per_page=100&page=%d", p.URL, page), demoKey, nil).Body)
			data := l["data"].([]any)
			for _, x := range data {
				o := x.(map[string]any)
				id := fmt.Sprint(o["id"])
				if seen[id] {
					t.Errorf("own id %s twice", id)
				}
				seen[id] = true
				whole := decodeNumbers(t, do(t, "GET", fmt.Sprintf("%s/v1/orders/%v", p.URL, o["number"]), demoKey, nil).Body)
				evs := string(do(t, "GET", fmt.Sprintf("%s/v1/orders/%v/events", p.URL, o["number"]), demoKey, nil).Body)
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
		t.Logf("%d rounds: %d orders acknowledged, %d stored, %d moved to production", faultRounds(), len(acks), len(seen), len(moved))
	})
}
