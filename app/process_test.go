package app_test

import (
	"bufio"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/pressroom/pressroom/internal/pgtest"
	"github.com/pressroom/pressroom/internal/testfiles"
	"github.com/pressroom/pressroom/orders"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/pressroom once for the tests that run it as a process.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pressroom-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "pressroom")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/pressroom").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// process is pressroom running as its own operating system process.
type process struct {
	cmd *exec.Cmd
	URL string
}

func startProcess(t *testing.T, storeFlags []string, env map[string]string) *process {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, storeFlags...)...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd}
	t.Cleanup(func() { p.kill() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "pressroom listening on "); ok {
				found <- rest
			}
		}
	}()
	select {
	case p.URL = <-found:
	case <-time.After(60 * time.Second):
		t.Fatalf("the process did not start listening:\n%s", stderr.String())
	}
	return p
}

// kill ends the process at once (SIGKILL): nothing is flushed or finished.
func (p *process) kill() {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
	}
}

// TestKillDuringCallbackRetriesDeliversEachOnce: the process is killed while callbacks are
// failing and being retried; after a restart every one is still
// delivered, each exactly once.
func TestKillDuringCallbackRetriesDeliversEachOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		rv := newReceiver(t)
		env := callbackEnv()
		env["PRESSROOM_WEBHOOK_RETRY_INTERVAL"] = "3s"
		env["PRESSROOM_WEBHOOK_RETRY_WINDOW"] = "5m"
		args := st.args(t)
		a := startProcess(t, args, env)
		const n = 12
		for i := range n {
			// Each receiver path fails its first two calls, then answers 200.
			r := do(t, "POST", a.URL+"/v1/orders", demoKey, withCallback(fmt.Sprintf("kill-%d", i), fmt.Sprintf("%s/flaky-kill-%d", rv.URL, i)))
			if r.Status != 201 {
				t.Fatalf("order: %d %s", r.Status, r.Body)
			}
		}
		// Kill it between attempts: once every first attempt failed and is recorded.
		deadline := time.Now().Add(30 * time.Second)
		for {
			l := decodeNumbers(t, do(t, "GET", a.URL+"/v1/callbacks?per_page=100", demoKey, nil).Body)["data"].([]any)
			waiting := 0
			for _, c := range l {
				if path(t, c, "next_attempt_at") != nil {
					waiting++
				}
			}
			if waiting == n {
				time.Sleep(time.Second) // the queue records the wait for the next attempt
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d first attempts recorded", waiting, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		a.kill()
		b := startProcess(t, args, env)
		for i := range n {
			got := rv.wait(t, fmt.Sprintf("/flaky-kill-%d", i), 1)
			verify(t, demoSecret, got[0])
		}
		time.Sleep(500 * time.Millisecond)
		once, twice := 0, 0
		for i := range n {
			switch k := len(rv.wait(t, fmt.Sprintf("/flaky-kill-%d", i), 1)); {
			case k == 1:
				once++
			default:
				twice++
				t.Errorf("callback %d: %d successful deliveries, want 1", i, k)
			}
		}
		log := decodeNumbers(t, do(t, "GET", b.URL+"/v1/callbacks?per_page=100", demoKey, nil).Body)["data"].([]any)
		for _, c := range log {
			if path(t, c, "status") != "delivered" {
				t.Errorf("after the restart: %v", c)
			}
		}
		if len(log) != n {
			t.Errorf("%d callbacks in the log, want %d", len(log), n)
		}
		t.Logf("%d callbacks failing when killed: %d delivered once after the restart, more than once: %d, lost: %d", n, once, twice, n-once-twice)
	})
}

// TestTwoProcessesDeliverOnce: two nodes on one PostgreSQL database deliver
// every callback exactly once.
func TestTwoProcessesDeliverOnce(t *testing.T) {
	rv := newReceiver(t)
	dsn := pgtest.NewDatabase(t)
	args := []string{"--data", t.TempDir(), "--db", dsn}
	a := startProcess(t, args, callbackEnv())
	b := startProcess(t, []string{"--data", t.TempDir(), "--db", dsn}, callbackEnv())
	const n = 30
	for i := 0; i < n; i++ {
		node := a
		if i%2 == 1 {
			node = b
		}
		if r := do(t, "POST", node.URL+"/v1/orders", demoKey, withCallback(fmt.Sprintf("two-%d", i), rv.URL+"/ok")); r.Status != 201 {
			t.Fatalf("order %d: %d %s", i, r.Status, r.Body)
		}
	}
	rv.wait(t, "/ok", n)
	time.Sleep(time.Second) // any second delivery would come now
	got := rv.wait(t, "/ok", n)
	seen := map[string]int{}
	for _, r := range got {
		seen[r.Payload.ID]++
	}
	if len(got) != n || len(seen) != n {
		t.Errorf("%d deliveries of %d callbacks, want %d of %d", len(got), len(seen), n, n)
	}
}

// TestTwoNodesCheckABigOrdersFiles: two nodes on one PostgreSQL database
// and one file folder fetch and check the 100 files of one order (a photo
// app's order of prints) at the same time. Each node's writes of the order
// take turns; the two nodes' writes race, and the loser reads the order
// again: every file passes, and no file job fails for having lost.
func TestTwoNodesCheckABigOrdersFiles(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	files := fileServer(t, map[string][]byte{"/photo.pdf": testfiles.PDF(200, 400, 10)})
	env := callbackEnv()
	env["PRESSROOM_BLOB"] = t.TempDir()
	a := startProcess(t, []string{"--data", t.TempDir(), "--db", dsn}, env)
	startProcess(t, []string{"--data", t.TempDir(), "--db", dsn}, env)
	items := make([]string, orders.MaxItems)
	for i := range items {
		items[i] = `{"code":"dibond","options":` + dibondOptions + `,"files":[{"url":"` + files.URL + `/photo.pdf?n=` + fmt.Sprint(i) + `"}]}`
	}
	start := time.Now()
	r := do(t, "POST", a.URL+"/v1/orders", demoKey, `{"id":"prints","delivery":{"address":`+probonl+`},"items":[`+strings.Join(items, ",")+`]}`)
	if r.Status != 201 {
		t.Fatalf("order: %d %s", r.Status, r.Body)
	}
	o := decodeNumbers(t, r.Body)
	passed := 0
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		body := string(do(t, "GET", fmt.Sprintf("%s/v1/orders/%s/items", a.URL, o["number"]), demoKey, nil).Body)
		if passed = strings.Count(body, `"file_state":"passed"`); passed == len(items) {
			break
		}
	}
	// What the job queue recorded: which node ran each file job, and any
	// error one met (a lost race that ran out of attempts would be one).
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var jobs, nodes, errored int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT attempted_by[1]), count(*) FILTER (WHERE cardinality(errors) > 0)
		FROM river_job WHERE kind IN ('download', 'preflight')`).Scan(&jobs, &nodes, &errored); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d files passed in %s; %d file jobs on %d nodes, %d met an error", passed, len(items), time.Since(start).Round(time.Millisecond), jobs, nodes, errored)
	if passed != len(items) {
		t.Errorf("%d of %d files passed", passed, len(items))
	}
	if errored != 0 {
		rows, err := db.Query(`SELECT kind, attempt, errors[1]->>'error' FROM river_job WHERE cardinality(errors) > 0 LIMIT 5`)
		if err == nil {
			for rows.Next() {
				var kind, msg string
				var attempt int
				rows.Scan(&kind, &attempt, &msg)
				t.Logf("%s job, attempt %d: %s", kind, attempt, msg)
			}
			rows.Close()
		}
		t.Errorf("%d file jobs met an error", errored)
	}
}
