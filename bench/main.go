// Command bench measures pressroom against what this machine can do at all.
//
//	go run ./bench [-duration 5s] [-conns 32] [-upload-mb 500] [-callbacks 5000]
//
// It builds pressroom, starts it as a separate process on a temporary
// directory (PRESSROOM_RATE_LIMIT=0) and, in the same run, a bare Go HTTP
// server (this program again, as a child) that answers a fixed JSON body of
// the same size as pressroom's answer. vegeta drives both over loopback for
// the same time. Then it measures what is not a request rate: order intake
// against the single-row durable commits the same disk sustains, callbacks
// delivered per second to a loopback sink, a 500 MB upload and download
// against a plain file copy on the same disk with the server's peak memory
// growth, and the preflight of a 100-page PDF.
//
// It prints a table, writes it to bench/results/latest.md, and exits
// non-zero only when it could not run: figures are not judged here, these
// machines are noisy.
//
// For profiling: BENCH_DEBUG_ADDR=127.0.0.1:6061 gives the measured
// server (and the callback node) a pprof listener; BENCH_WORKERS sets their
// PRESSROOM_WORKERS (0: intake on an API-only node, no downloads or
// checks beside it).
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	_ "modernc.org/sqlite"

	"github.com/pressroom/pressroom/internal/pgtest"
	"github.com/pressroom/pressroom/internal/testfiles"
)

const (
	demoKey     = "bench-demo-key-0001"
	operatorKey = "bench-operator-key-0001"
	demoSecret  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
)

var (
	duration  = flag.Duration("duration", 5*time.Second, "how long each load runs")
	conns     = flag.Int("conns", 32, "concurrent connections of the load generator")
	uploadMB  = flag.Int64("upload-mb", 500, "size of the uploaded and downloaded file")
	callbacks = flag.Int("callbacks", 5000, "callbacks delivered in the callback measure")
	out       = flag.String("out", "bench/results/latest.md", "where the Markdown table goes")
	withPG    = flag.Bool("pg", true, "also measure order intake on a throwaway PostgreSQL")
	only      = flag.String("only", "", "comma-separated groups to run (http = configure, price, listing, intake; upload, preflight, commits, pg, callbacks); empty: all")
)

// want reports whether a group of measures runs.
func want(group string) bool {
	if *only == "" {
		return true
	}
	for _, g := range strings.Split(*only, ",") {
		if strings.TrimSpace(g) == group {
			return true
		}
	}
	return false
}

func main() {
	if os.Getenv("BENCH_BASELINE") == "1" {
		serveBaseline()
		return
	}
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// serveBaseline is the bare server: it reads the body and answers
// ?size=N bytes of JSON.
func serveBaseline() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	bodies := sync.Map{}
	http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		n, _ := strconv.Atoi(r.URL.Query().Get("size"))
		b, ok := bodies.Load(n)
		if !ok {
			pad := max(n-len(`{"data":""}`), 0)
			b, _ = bodies.LoadOrStore(n, []byte(`{"data":"`+strings.Repeat("x", pad)+`"}`))
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b.([]byte))
	}))
}

// row is one line of the results.
type row struct {
	Name, Value, P50, P99, Baseline, Ratio, Note string
}

type results struct {
	rows  []row
	notes []string
}

func (r *results) add(x row) {
	r.rows = append(r.rows, x)
	fmt.Printf("%-52s %14s %10s %10s %16s %7s  %s\n", x.Name, x.Value, x.P50, x.P99, x.Baseline, x.Ratio, x.Note)
}

func run() error {
	tmp, err := os.MkdirTemp("", "pressroom-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Println("building pressroom ...")
	bin := filepath.Join(tmp, "pressroom")
	if b, err := exec.Command("go", "build", "-o", bin, "./cmd/pressroom").CombinedOutput(); err != nil {
		return fmt.Errorf("go build (run from the repository root): %v\n%s", err, b)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	base, err := startProcess(self, nil, []string{"BENCH_BASELINE=1"}, "listening on ")
	if err != nil {
		return fmt.Errorf("baseline server: %w", err)
	}
	defer base.stop()

	files := newFileServer()
	defer files.Close()
	sink := newSink()
	defer sink.Close()

	res := &results{}
	fmt.Printf("%-52s %14s %10s %10s %16s %7s\n", "measure", "pressroom", "p50", "p99", "baseline", "ratio")

	// SQLite, full durability.
	data := filepath.Join(tmp, "sqlite")
	pr, err := startPressroom(bin, []string{"--data", data}, []string{"PRESSROOM_DEBUG_ADDR=" + os.Getenv("BENCH_DEBUG_ADDR"), "PRESSROOM_WORKERS=" + os.Getenv("BENCH_WORKERS")})
	if err != nil {
		return err
	}
	pr.db = filepath.Join(data, "pressroom.db")
	for _, sc := range []scenario{
		{group: "configure", name: "configure, seed's full dibond (native)", method: "POST", path: "/v1/products/configure", body: fixed(seedConfigure)},
		{group: "configure", name: "configure, seed's full dibond (Probo API)", method: "POST", path: "/probo/products/configure", body: fixed(seedConfigure)},
		{group: "price", name: "price, dibond with all shipping methods (native)", method: "POST", path: "/v1/prices", body: fixed(seedPrice)},
		{group: "listing", name: "product listing (native)", method: "GET", path: "/v1/products?per_page=20"},
		{group: "intake", name: "order intake, 3 items with file URLs (SQLite)", method: "POST", path: "/v1/orders", body: orderBodies("sq", files.URL), background: true},
	} {
		if !want("http") && !want(sc.group) {
			continue
		}
		if err := compare(res, pr, base, sc); err != nil {
			pr.stop()
			return err
		}
	}
	pr.stop()
	if want("upload") || want("preflight") {
		// A quiet server: the intake load's downloads and checks would
		// share the disk and the cores.
		quiet, err := startPressroom(bin, []string{"--data", filepath.Join(tmp, "artwork")}, nil)
		if err != nil {
			return err
		}
		if want("upload") {
			if err := measureUpload(res, quiet, files, tmp); err != nil {
				quiet.stop()
				return err
			}
		}
		if want("preflight") {
			if err := measurePreflight(res, quiet); err != nil {
				quiet.stop()
				return err
			}
		}
		quiet.stop()
	}
	if want("commits") || want("http") || want("intake") {
		if err := measureCommits(res, filepath.Join(data, "commit-probe.db")); err != nil {
			return err
		}
	}
	if *withPG && want("pg") {
		if err := measurePostgres(res, bin, base, files, tmp); err != nil {
			return err
		}
	}
	if want("callbacks") {
		if err := measureCallbacks(res, "SQLite", bin, []string{"--data", filepath.Join(tmp, "callbacks")}, sink); err != nil {
			return err
		}
		if *withPG {
			dsn, stop, err := pgtest.Start(context.Background(), "callbacks")
			if err != nil {
				res.add(row{Name: "callbacks delivered to a loopback sink (PostgreSQL)", Note: "skipped: " + err.Error()})
			} else {
				err := measureCallbacks(res, "PostgreSQL", bin, []string{"--data", filepath.Join(tmp, "callbacks-pg"), "--db", dsn}, sink)
				stop()
				if err != nil {
					return err
				}
			}
		}
	}
	return writeResults(res)
}

// scenario is one kind of request.
type scenario struct {
	group, name, method, path string
	background                bool // leaves work behind it (see compare)
	body                      func() []byte
}

func fixed(s string) func() []byte { return func() []byte { return []byte(s) } }

const seedConfigure = `{"products":[{"code":"dibond","id":0,"options":[{"code":"width","value":40},{"code":"height","value":20},{"code":"amount","value":1},{"code":"direct-to-plate"},{"code":"single-sided"},{"code":"dibond-budget"},{"code":"3mm"},{"code":"milling"},{"code":"no-drillholes"},{"code":"customer-supplied-file"}]}]}`

const dibondOptions = `[{"code":"height","value":40},{"code":"width","value":20},{"code":"amount","value":5},{"code":"direct-to-plate"},{"code":"single-sided"},{"code":"dibond-budget"},{"code":"3mm"},{"code":"milling"},{"code":"no-drillholes"},{"code":"customer-supplied-file"}]`

const seedPrice = `{"products":[{"code":"dibond","options":` + dibondOptions + `}],"delivery":{"address":{"country":"BE"}}}`

const address = `{"company_name":"Probo Sign","first_name":"John","last_name":"Doe","street":"Fortuinweg","house_number":"17","postal_code":"9101PE","city":"Dokkum","country":"NL","phone":"0031880223200","email":"test@test.nl"}`

// orderBodies makes order bodies with unique ids: three dibond items whose
// files the bench's file server serves.
func orderBodies(prefix, fileURL string) func() []byte {
	var n atomic.Int64
	return func() []byte {
		i := n.Add(1)
		var items []string
		for k := 1; k <= 3; k++ {
			items = append(items, fmt.Sprintf(`{"reference":"line-%d","code":"dibond","options":%s,"files":[{"url":"%s/print.pdf"}]}`, k, dibondOptions, fileURL))
		}
		return fmt.Appendf(nil, `{"id":"%s-%d","delivery":{"address":%s},"items":[%s]}`, prefix, i, address, strings.Join(items, ","))
	}
}

// load drives one target as fast as the connections allow, in turns
// (see compare). An attacker ends with its attack, so each turn has its
// own; they share one client, whose connections outlive the turns.
type load struct {
	proc    *process // whose CPU time the turns add up
	cpu     time.Duration
	client  *http.Client
	targets vegeta.Targeter
	name    string
	m       vegeta.Metrics
	busy    time.Duration
	ok      int
	// commits and writes are the store's durable commits during the turns
	// and the writes they carried (0: a store without group commit, see
	// commitStats).
	commits, writes float64
}

func newLoad(proc *process, sc scenario, query string) *load {
	baseURL := proc.url
	hdr := http.Header{"Authorization": {"Bearer " + demoKey}, "Content-Type": {"application/json"}}
	targeter := func(t *vegeta.Target) error {
		t.Method, t.URL, t.Header = sc.method, baseURL+sc.path+query, hdr
		if sc.body != nil {
			t.Body = sc.body()
		}
		return nil
	}
	tr := &http.Transport{DialContext: (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true}
	return &load{proc: proc, targets: targeter, name: sc.name, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// run drives the target for d more.
func (l *load) run(d time.Duration) {
	cpu0, _ := l.proc.cpu()
	c0, w0, ok0 := l.proc.commitStats()
	start := time.Now()
	a := vegeta.NewAttacker(vegeta.Client(l.client), vegeta.Workers(uint64(*conns)), vegeta.MaxWorkers(uint64(*conns)))
	for r := range a.Attack(l.targets, vegeta.Rate{Freq: 0}, d, l.name) {
		if r.Error == "" && r.Code >= 200 && r.Code < 300 {
			l.ok++
		}
		l.m.Add(r)
	}
	l.busy += time.Since(start)
	cpu1, _ := l.proc.cpu()
	l.cpu += cpu1 - cpu0
	if c1, w1, ok1 := l.proc.commitStats(); ok0 && ok1 {
		l.commits, l.writes = l.commits+c1-c0, l.writes+w1-w0
	}
}

// done closes the metrics; rate is successful requests per second of
// load, cpu the server process's CPU time per successful request.
func (l *load) done() (m vegeta.Metrics, rate float64, cpu time.Duration) {
	l.m.Close()
	if l.ok == 0 {
		return l.m, 0, 0
	}
	return l.m, float64(l.ok) / l.busy.Seconds(), l.cpu / time.Duration(l.ok)
}

// slices is how many turns the baseline and pressroom take in a
// comparison: the machine's speed drifts (other tenants of the host), and
// alternating short turns gives both the same drift.
const slices = 5

// compare measures a scenario on pressroom and on the baseline.
func compare(res *results, pr, base *process, sc scenario) error {
	// One request first: it must succeed, and gives the answer's size.
	var body io.Reader
	if sc.body != nil {
		body = bytes.NewReader(sc.body())
	}
	req, _ := http.NewRequest(sc.method, pr.url+sc.path, body)
	req.Header.Set("Authorization", "Bearer "+demoKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", sc.name, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s: status %d: %s", sc.name, resp.StatusCode, b)
	}
	sep := "?"
	if strings.Contains(sc.path, "?") {
		sep = "&"
	}
	// Alternating turns. A load that leaves background work behind (order
	// intake: downloads and checks) would slow the baseline's next turn,
	// so there the baseline takes its whole time first.
	bl, pl := newLoad(base, sc, sep+"size="+strconv.Itoa(len(b))), newLoad(pr, sc, "")
	done0, _, _ := fileJobs(pr)
	var mem []memPoint
	if sc.background {
		// One turn each, pressroom's in two halves: its resident memory
		// before, after the first half of the orders and after all of
		// them shows whether memory grows with the number of orders.
		bl.run(*duration)
		mem = append(mem, memAt(pr, pl.ok))
		pl.run(*duration / 2)
		mem = append(mem, memAt(pr, pl.ok))
		pl.run(*duration - *duration/2)
		mem = append(mem, memAt(pr, pl.ok))
	} else {
		for range slices {
			bl.run(*duration / slices)
			pl.run(*duration / slices)
		}
	}
	done1, waiting, jobsOK := fileJobs(pr)
	drained := 0
	if jobsOK && waiting > 0 {
		// The load gone, the node works the backlog alone for a while.
		time.Sleep(drainFor)
		done2, _, _ := fileJobs(pr)
		drained = done2 - done1
	}
	_, brate, bcpu := bl.done()
	pm, prate, pcpu := pl.done()
	note := fmt.Sprintf("%d B answers; server CPU %s/request (baseline %s)", len(b), us(pcpu), us(bcpu))
	if sc.group == "intake" && pl.commits > 0 {
		// How far the disk is from being the limit: the store's durable
		// commits during the load, and how many writes each carried.
		note += fmt.Sprintf("; store %.0f durable commits/s, %.1f writes each", pl.commits/pl.busy.Seconds(), pl.writes/pl.commits)
	}
	if sc.background && jobsOK {
		// The orders' files are fetched and checked beside the load; what
		// is still queued at its end is work the intake rate left behind.
		note += fmt.Sprintf("; file jobs done during the load %.0f/s, %d still queued at its end, then %.0f/s with the load gone",
			float64(done1-done0)/pl.busy.Seconds(), waiting, float64(drained)/drainFor.Seconds())
	}
	if len(mem) == 3 && mem[0].rss > 0 && mem[1].rss > 0 && mem[2].rss > 0 {
		note += fmt.Sprintf("; server memory %.0f MB before, %.0f MB after %d orders, %.0f MB after %d",
			mbOf(mem[0].rss), mbOf(mem[1].rss), mem[1].orders, mbOf(mem[2].rss), mem[2].orders)
	}
	if pm.Success < 1 {
		note += fmt.Sprintf("; %.1f %% failed (%v)", 100*(1-pm.Success), firstErrors(pm))
	}
	res.add(row{Name: sc.name, Value: fmt.Sprintf("%.0f req/s", prate), P50: ms(pm.Latencies.P50), P99: ms(pm.Latencies.P99),
		Baseline: fmt.Sprintf("%.0f req/s", brate), Ratio: fmt.Sprintf("%.2f", prate/brate), Note: note})
	return nil
}

func firstErrors(m vegeta.Metrics) string {
	if len(m.Errors) > 3 {
		return strings.Join(m.Errors[:3], "; ")
	}
	return strings.Join(m.Errors, "; ")
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// memPoint is a process's resident memory after a number of orders.
type memPoint struct {
	orders int
	rss    int64 // 0: unknown
}

func memAt(p *process, orders int) memPoint {
	rss, _ := p.status("VmRSS")
	return memPoint{orders, rss}
}

// uploadTurns is how many times the plain copy and the upload each run.
const uploadTurns = 3

// plainCopy writes doc to a new file at path and syncs it: how long the
// disk takes for the bytes an upload stores. The file is removed after.
func plainCopy(doc testfiles.Doc, path string) (time.Duration, error) {
	start := time.Now()
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer os.Remove(path)
	defer f.Close()
	if _, err := io.Copy(f, doc.Reader()); err != nil {
		return 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// drainFor is how long the bench watches a node work the file jobs an
// intake load left behind.
const drainFor = 10 * time.Second

// fileJobs counts the download and preflight jobs of pressroom's store
// (its SQLite file or its PostgreSQL database): finished, and waiting or
// running; ok is false without a store to read.
func fileJobs(p *process) (done, waiting int, ok bool) {
	driver, source := "sqlite", "file:"+p.db+"?mode=ro&_pragma=busy_timeout(10000)"
	switch {
	case p.dsn != "":
		driver, source = "pgx", p.dsn
	case p.db == "":
		return 0, 0, false
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return 0, 0, false
	}
	defer db.Close()
	err = db.QueryRow(`SELECT COUNT(*) FILTER (WHERE state IN ('completed', 'discarded', 'cancelled')),
		COUNT(*) FILTER (WHERE state NOT IN ('completed', 'discarded', 'cancelled'))
		FROM river_job WHERE kind IN ('download', 'preflight')`).Scan(&done, &waiting)
	return done, waiting, err == nil
}

// measureCommits is the disk's durable commit rate: one row per
// transaction into a SQLite file with the store's settings (WAL, FULL).
func measureCommits(res *results, file string) error {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE probe (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		return err
	}
	n, start := 0, time.Now()
	for time.Since(start) < *duration {
		if _, err := db.Exec(`INSERT INTO probe (body) VALUES (?)`, strings.Repeat("x", 200)); err != nil {
			return err
		}
		n++
	}
	rate := float64(n) / time.Since(start).Seconds()
	intake := ""
	for _, r := range res.rows {
		if strings.HasPrefix(r.Name, "order intake") && strings.Contains(r.Name, "SQLite") {
			intake = r.Value
		}
	}
	res.add(row{Name: "single-row durable commits, same disk (SQLite)", Value: fmt.Sprintf("%.0f commits/s", rate),
		Note: "order intake on SQLite: " + intake + "; target: intake >= this"})
	return nil
}

// measurePostgres is order intake on a throwaway PostgreSQL cluster, durable
// as a production server is.
func measurePostgres(res *results, bin string, base *process, files *fileServer, tmp string) error {
	dsn, stop, err := pgtest.Start(context.Background(), "bench")
	if err != nil {
		res.add(row{Name: "order intake, 3 items with file URLs (PostgreSQL)", Note: "skipped: " + err.Error()})
		return nil
	}
	defer stop()
	pr, err := startPressroom(bin, []string{"--data", filepath.Join(tmp, "pg"), "--db", dsn}, []string{"PRESSROOM_DEBUG_ADDR=" + os.Getenv("BENCH_DEBUG_ADDR"), "PRESSROOM_WORKERS=" + os.Getenv("BENCH_WORKERS")})
	if err != nil {
		return err
	}
	defer pr.stop()
	pr.dsn = dsn
	return compare(res, pr, base, scenario{name: "order intake, 3 items with file URLs (PostgreSQL)", method: "POST", path: "/v1/orders", body: orderBodies("pg", files.URL), background: true})
}

// measureCallbacks: an API-only node (PRESSROOM_WORKERS=0) takes orders
// whose callbacks wait in the store; then a node with workers starts and
// the sink counts how fast they arrive.
func measureCallbacks(res *results, storeName, bin string, args []string, sink *sink) error {
	sink.reset()
	env := []string{"PRESSROOM_DEMO_CALLBACK_URL=" + sink.URL + "/hook", "PRESSROOM_WORKERS=" + os.Getenv("BENCH_WORKERS")}
	api, err := startPressroom(bin, args, append(env, "PRESSROOM_WORKERS=0"))
	if err != nil {
		return err
	}
	body := func(i int) []byte {
		return fmt.Appendf(nil, `{"id":"cb-%d","delivery":{"address":%s},"items":[{"code":"side-grip-spacer-2-5mm","options":[{"code":"amount","value":1}]}]}`, i, address)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > *callbacks {
					return
				}
				req, _ := http.NewRequest("POST", api.url+"/v1/orders", bytes.NewReader(body(i)))
				req.Header.Set("Authorization", "Bearer "+demoKey)
				resp, err := http.DefaultClient.Do(req)
				if err == nil && resp.StatusCode != 201 {
					b, _ := io.ReadAll(resp.Body)
					err = fmt.Errorf("status %d: %s", resp.StatusCode, b)
				}
				if resp != nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	api.stop()
	if err, _ := failed.Load().(error); err != nil {
		return fmt.Errorf("callback orders: %w", err)
	}
	worker, err := startPressroom(bin, args, append(env, "PRESSROOM_DEBUG_ADDR="+os.Getenv("BENCH_DEBUG_ADDR")))
	if err != nil {
		return err
	}
	defer worker.stop()
	first, last, err := sink.waitFor(*callbacks, 5*time.Minute)
	if err != nil {
		return err
	}
	rate := float64(*callbacks-1) / last.Sub(first).Seconds()
	res.add(row{Name: "callbacks delivered to a loopback sink (" + storeName + ")", Value: fmt.Sprintf("%.0f callbacks/s", rate),
		Note: fmt.Sprintf("%d signed callbacks, %d distinct ids; target: 2000/s", *callbacks, sink.distinct())})
	return nil
}

// measureUpload sends a large PDF by PUT and has one downloaded by URL,
// against a plain copy of the same bytes to the same disk, with the
// server's peak memory growth.
func measureUpload(res *results, pr *process, files *fileServer, tmp string) error {
	doc := testfiles.Doc{W: 200, H: 400, Bleed: 10, Pad: *uploadMB << 20}
	size := doc.Size()
	mb := float64(size) / (1 << 20)

	// Turns of a plain copy (the same bytes to a file on the same disk,
	// synced) and an upload, taking turns as the request rates do: one
	// sample of each swung with the disk's state (0.43-0.58 in runs of the
	// same build). Each upload's check ends before the next turn.
	syscall.Sync() // what the measurements before wrote reaches the disk first
	var copied, uploaded time.Duration
	var growth, peak, rss0 int64
	var o *orderOut
	for turn := range uploadTurns {
		d, err := plainCopy(doc, filepath.Join(tmp, "plain-copy.pdf"))
		if err != nil {
			return err
		}
		copied += d
		if o, err = createOrder(pr, fmt.Sprintf(`{"id":"upload-%d","delivery":{"address":%s},"items":[{"code":"dibond","options":%s,"upload":true}]}`, turn, address, dibondOptions)); err != nil {
			return err
		}
		if rss0, err = pr.resetPeak(); err != nil {
			return err
		}
		start := time.Now()
		if err := uploadArtwork(pr, o, doc.Reader(), size); err != nil {
			return err
		}
		uploaded += time.Since(start)
		if peak, err = pr.peak(); err != nil {
			return err
		}
		growth = max(growth, peak-rss0)
		if _, err := waitFileState(pr, o, "", time.Minute); err != nil {
			return err
		}
	}
	plain := mb * uploadTurns / copied.Seconds()
	up := mb * uploadTurns / uploaded.Seconds()
	res.add(row{Name: fmt.Sprintf("artwork upload, %.0f MB PDF (PUT, raw body)", mb), Value: fmt.Sprintf("%.0f MB/s", up),
		Baseline: fmt.Sprintf("%.0f MB/s copy", plain), Ratio: fmt.Sprintf("%.2f", up/plain),
		Note: fmt.Sprintf("%d turns each; server memory growth %.1f MB at most (peak RSS %.1f MB over %.1f MB in the last); target: ratio >= 0.5, < 64 MB", uploadTurns, mbOf(growth), mbOf(peak), mbOf(rss0))})

	// Download: the file server streams the same document.
	files.serve("/big.pdf", doc)
	rss0, err := pr.resetPeak()
	if err != nil {
		return err
	}
	start := time.Now()
	d, err := createOrder(pr, fmt.Sprintf(`{"id":"download","delivery":{"address":%s},"items":[{"code":"dibond","options":%s,"files":[{"url":"%s/big.pdf"}]}]}`, address, dibondOptions, files.URL))
	if err != nil {
		return err
	}
	if _, err := waitFileState(pr, d, "downloading", 10*time.Minute); err != nil {
		return err
	}
	down := mb / time.Since(start).Seconds()
	peak, err = pr.peak()
	if err != nil {
		return err
	}
	res.add(row{Name: fmt.Sprintf("artwork download by URL, %.0f MB PDF", mb), Value: fmt.Sprintf("%.0f MB/s", down),
		Baseline: fmt.Sprintf("%.0f MB/s copy", plain), Ratio: fmt.Sprintf("%.2f", down/plain),
		Note: fmt.Sprintf("order to downloaded, job pickup included; server memory growth %.1f MB", mbOf(peak-rss0))})
	return nil
}

// uploadArtwork PUTs a PDF of size bytes as the file of o's first item,
// which must answer 202.
func uploadArtwork(pr *process, o *orderOut, body io.Reader, size int64) error {
	req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/v1/orders/%d/items/%d/artwork", pr.url, o.Number, o.Items[0].ID), body)
	req.ContentLength = size
	req.Header.Set("Authorization", "Bearer "+demoKey)
	req.Header.Set("Content-Type", "application/pdf")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 202 {
		return fmt.Errorf("upload: status %d: %s", resp.StatusCode, b)
	}
	return nil
}

// measurePreflight uploads a 100-page PDF and times its check.
func measurePreflight(res *results, pr *process) error {
	doc := testfiles.Doc{W: 200, H: 400, Bleed: 10, Pages: 100, Font: "Helvetica", ImageW: 400, ImageH: 800}
	o, err := createOrder(pr, fmt.Sprintf(`{"id":"preflight","delivery":{"address":%s},"items":[{"code":"dibond","options":%s,"upload":true}]}`, address, dibondOptions))
	if err != nil {
		return err
	}
	pdf := doc.PDF()
	if err := uploadArtwork(pr, o, bytes.NewReader(pdf), int64(len(pdf))); err != nil {
		return fmt.Errorf("preflight %w", err)
	}
	start := time.Now()
	findings, err := waitFileState(pr, o, "checking", 5*time.Minute)
	if err != nil {
		return err
	}
	res.add(row{Name: "preflight of a 100-page PDF (upload answered to result)", Value: fmt.Sprintf("%.2f s", time.Since(start).Seconds()),
		Note: fmt.Sprintf("%.1f MB, a font and an image per page, in a child process; job pickup included; %d finding(s)", float64(len(pdf))/(1<<20), findings)})
	return nil
}

func mbOf(b int64) float64 { return float64(b) / (1 << 20) }

type orderOut struct {
	Number int64 `json:"number"`
	Items  []struct {
		ID int64 `json:"id"`
	} `json:"items"`
}

func createOrder(pr *process, body string) (*orderOut, error) {
	req, _ := http.NewRequest("POST", pr.url+"/v1/orders", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+demoKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 {
		return nil, fmt.Errorf("order: status %d: %s", resp.StatusCode, b)
	}
	var o orderOut
	if err := json.Unmarshal(b, &o); err != nil || len(o.Items) == 0 {
		return nil, fmt.Errorf("order answer %s: %v", b, err)
	}
	return &o, nil
}

// waitFileState waits until the item's file state is no longer from (or,
// with from "", is final) and returns the number of findings.
func waitFileState(pr *process, o *orderOut, from string, limit time.Duration) (int, error) {
	deadline := time.Now().Add(limit)
	for {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v1/orders/%d/items/%d/artwork", pr.url, o.Number, o.Items[0].ID), nil)
		req.Header.Set("Authorization", "Bearer "+demoKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		var a struct {
			State string `json:"file_state"`
			Files []struct {
				Findings []json.RawMessage `json:"findings"`
			} `json:"files"`
		}
		err = json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if err != nil {
			return 0, err
		}
		done := a.State != from
		if from == "" {
			done = a.State == "passed" || a.State == "failed"
		}
		if done && a.State != "awaiting" {
			n := 0
			for _, f := range a.Files {
				n += len(f.Findings)
			}
			return n, nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("order %d: file state still %s after %s", o.Number, a.State, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// process is a started server.
type process struct {
	cmd       *exec.Cmd
	url       string
	done      chan struct{}
	pressroom bool   // serves /metrics
	db        string // its SQLite file, if it runs on SQLite
	dsn       string // its PostgreSQL database, if it runs on one
}

// startProcess starts a program and waits for the line that names its URL.
func startProcess(bin string, args, env []string, marker string) (*process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = io.MultiWriter(&stderr, os.Stderr)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), marker); i >= 0 {
				select {
				case urls <- strings.TrimSpace(sc.Text()[i+len(marker):]):
				default:
				}
			}
		}
	}()
	go func() { cmd.Wait(); close(p.done) }()
	select {
	case p.url = <-urls:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("%s exited: %s", bin, stderr.String())
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		return nil, fmt.Errorf("%s did not start: %s", bin, stderr.String())
	}
}

func startPressroom(bin string, args, env []string) (*process, error) {
	env = append([]string{"PRESSROOM_DEMO_API_KEY=" + demoKey, "PRESSROOM_OPERATOR_KEY=" + operatorKey, "PRESSROOM_RATE_LIMIT=0",
		"PRESSROOM_ALLOW_PRIVATE_NETWORKS=1", "PRESSROOM_LOG_LEVEL=error", "PRESSROOM_DEMO_WEBHOOK_SECRET=" + demoSecret,
		"PRESSROOM_MAX_FILE_MB=" + strconv.FormatInt(*uploadMB+10, 10)}, env...)
	p, err := startProcess(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), env, "listening on ")
	if err != nil {
		return nil, fmt.Errorf("pressroom: %w", err)
	}
	p.pressroom = true
	return p, nil
}

// commitStats reads the store's durable commits and the writes they
// carried from pressroom's /metrics (ok false: a store without group
// commit, PostgreSQL).
func (p *process) commitStats() (commits, writes float64, ok bool) {
	if !p.pressroom {
		return 0, 0, false
	}
	resp, err := http.Get(p.url + "/metrics")
	if err != nil {
		return 0, 0, false
	}
	defer resp.Body.Close()
	var seen int
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if n, _ := fmt.Sscanf(sc.Text(), "pressroom_store_commits_total %g", &commits); n == 1 {
			seen++
		}
		if n, _ := fmt.Sscanf(sc.Text(), "pressroom_store_committed_writes_total %g", &writes); n == 1 {
			seen++
		}
	}
	return commits, writes, seen == 2
}

func (p *process) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(40 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// resetPeak resets the process's peak resident memory and returns its
// resident memory now (Linux: /proc/PID/clear_refs).
func (p *process) resetPeak() (int64, error) {
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0); err != nil {
		return 0, fmt.Errorf("reset peak memory: %w", err)
	}
	return p.status("VmRSS")
}

// peak is the process's peak resident memory since resetPeak.
func (p *process) peak() (int64, error) { return p.status("VmHWM") }

// cpu is the process's CPU time so far, user and system (not that of
// its children, such as preflight checkers), from /proc at USER_HZ 100.
func (p *process) cpu() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command's closing parenthesis: state is the
	// first, utime the 12th, stime the 13th.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

func (p *process) status(field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc status", field)
}

// fileServer serves the print files orders point at.
type fileServer struct {
	*http.Server
	URL  string
	mu   sync.Mutex
	docs map[string]testfiles.Doc
}

func newFileServer() *fileServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fs := &fileServer{URL: "http://" + ln.Addr().String(), docs: map[string]testfiles.Doc{"/print.pdf": {W: 200, H: 400, Bleed: 10}}}
	fs.Server = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		d, ok := fs.docs[r.URL.Path]
		fs.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Length", strconv.FormatInt(d.Size(), 10))
		io.Copy(w, d.Reader())
	})}
	go fs.Serve(ln)
	return fs
}

func (fs *fileServer) serve(path string, d testfiles.Doc) {
	fs.mu.Lock()
	fs.docs[path] = d
	fs.mu.Unlock()
}

// sink counts callbacks as they arrive.
type sink struct {
	*http.Server
	URL   string
	mu    sync.Mutex
	times []time.Time
	ids   map[string]bool
}

func newSink() *sink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	s := &sink{URL: "http://" + ln.Addr().String(), ids: map[string]bool{}}
	s.Server = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		now := time.Now()
		s.mu.Lock()
		s.times = append(s.times, now)
		s.ids[r.Header.Get("webhook-id")] = true
		s.mu.Unlock()
		w.Write([]byte(`{"ok":true}`))
	})}
	go s.Serve(ln)
	return s
}

func (s *sink) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.times, s.ids = nil, map[string]bool{}
}

func (s *sink) distinct() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

// waitFor waits for n callbacks and returns the first and last arrival.
func (s *sink) waitFor(n int, limit time.Duration) (time.Time, time.Time, error) {
	deadline := time.Now().Add(limit)
	for {
		s.mu.Lock()
		got := len(s.times)
		var first, last time.Time
		if got >= n {
			first, last = s.times[0], s.times[n-1]
		}
		s.mu.Unlock()
		if got >= n {
			return first, last, nil
		}
		if time.Now().After(deadline) {
			return first, last, fmt.Errorf("callbacks: %d of %d arrived in %s", got, n, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// writeResults writes the Markdown table.
func writeResults(res *results) error {
	var b strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "# pressroom benchmark\n\n%s on %s: %s, %d cores, %s/%s, %s. Each load ran %s with %d connections; PRESSROOM_RATE_LIMIT=0.\n\n",
		time.Now().UTC().Format(time.RFC3339), host, cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), *duration, *conns)
	b.WriteString("| measure | pressroom | p50 | p99 | baseline | ratio | note |\n|---|---:|---:|---:|---:|---:|---|\n")
	for _, r := range res.rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", r.Name, r.Value, r.P50, r.P99, r.Baseline, r.Ratio, r.Note)
	}
	b.WriteString("\nThe baseline of a request rate is a bare Go HTTP server answering a fixed JSON body of the same size, driven the same way in the same run.\n")
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Println("\nwritten to", *out)
	return nil
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}
