package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressroom/pressroom/app"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/internal/pgtest"
)

func TestMain(m *testing.M) {
	// The server under test starts preflight children from this test binary.
	if os.Getenv(artwork.ChildEnv) == "preflight" {
		os.Exit(artwork.RunChild(os.Stdin, os.Stdout))
	}
	code := pgtest.Main(m)
	whole := true
	for _, f := range []string{"test.run", "test.skip", "test.list"} {
		whole = whole && flag.Lookup(f).Value.String() == ""
	}
	if code == 0 && whole {
		// The whole suite ran: every documented answer of the native API was
		// seen by a test.
		if missing := unanswered(unansweredExcused); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "openapi.json documents %d answers no test got:\n  %s\n", len(missing), strings.Join(missing, "\n  "))
			code = 1
		}
	}
	os.Exit(code)
}

// unansweredExcused are the documented answers that the check of the whole
// suite (TestMain) does not ask a test of every route for, and why.
var unansweredExcused = map[string]string{
	"429":     "every keyed route's, from one limiter (TestRateLimit, and a route of each API)",
	"503":     "every route's when the store is down or the disk full, from one error map (the fault tests stop PostgreSQL and fill the disk)",
	"default": "an answer of no documented status",
	// A change that lost every attempt to another node's writes of the
	// order: only a race of nodes makes it (the orders package's
	// TestAChangeThatLosesEveryAttemptSaysSo does); no status refuses these.
	"PUT /v1/orders/{number}/custom-fields 409":                "a lost race only",
	"PUT /v1/orders/{number}/items/{item}/characteristics 409": "a lost race only",
	"POST /v1/operator/orders/{number}/payment 409":            "a lost race only",
}

const (
	demoKey     = "demo-key-for-tests"
	operatorKey = "operator-key-for-tests"
)

// storeArgs describes one store to run a test on.
type storeArgs struct {
	name string
	args func(t *testing.T) []string // --data/--db flags
}

// stores lists SQLite and PostgreSQL: every server test runs on both.
var stores = []storeArgs{
	{"sqlite", func(t *testing.T) []string { return []string{"--data", t.TempDir()} }},
	{"postgres", func(t *testing.T) []string { return []string{"--data", t.TempDir(), "--db", pgtest.NewDatabase(t)} }},
}

func forEachStore(t *testing.T, fn func(t *testing.T, st storeArgs)) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) { fn(t, st) })
	}
}

// server is a pressroom started through the same Main as the binary.
type server struct {
	URL    string
	Args   []string // store flags, for CLI commands on the same store
	Env    map[string]string
	Stdout *syncBuffer
	Stderr *syncBuffer // the log
	cancel context.CancelFunc
	done   chan int
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func baseEnv() map[string]string {
	return map[string]string{
		"PRESSROOM_DEMO_API_KEY": demoKey,
		"PRESSROOM_OPERATOR_KEY": operatorKey,
		"PRESSROOM_CATALOG_POLL": "100ms",
		"PRESSROOM_LOG_LEVEL":    "error",
	}
}

// startServer runs `pressroom serve` on a free port and stops it when the
// test ends, checking that it shut down cleanly.
func startServer(t testing.TB, storeFlags []string, env map[string]string) *server {
	t.Helper()
	if env == nil {
		env = baseEnv()
	}
	s := &server{Args: storeFlags, Env: env, Stdout: &syncBuffer{}, done: make(chan int, 1)}
	addr := make(chan string, 1)
	stderr := &syncBuffer{}
	s.Stderr = stderr
	p := &app.Program{Stdout: s.Stdout, Stderr: stderr, Getenv: func(k string) string { return env[k] }, Listening: func(a string) { addr <- a }}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	args := append([]string{"serve", "--addr", "127.0.0.1:0"}, storeFlags...)
	go func() { s.done <- p.Main(ctx, args) }()
	select {
	case a := <-addr:
		s.URL = "http://" + a
	case code := <-s.done:
		t.Fatalf("server exited with %d before listening:\n%s", code, stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	t.Cleanup(func() {
		if code := s.stop(); code != 0 {
			t.Errorf("server exit code %d, want 0; stderr:\n%s", code, stderr.String())
		}
	})
	return s
}

func (s *server) stop() int {
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code
		return code
	case <-time.After(60 * time.Second):
		return -1
	}
}

// runCLI runs a pressroom command and returns its exit code and output.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	p := &app.Program{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	code := p.Main(context.Background(), args)
	return code, out.String(), errb.String()
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

func do(t testing.TB, method, url, key string, body any) response {
	t.Helper()
	return doWith(t, method, url, key, body, nil)
}

// doWith is do with extra request headers.
func doWith(t testing.TB, method, url, key string, body any, headers map[string]string) response {
	t.Helper()
	var rd io.Reader
	var sent []byte
	switch b := body.(type) {
	case nil:
	case string:
		sent = []byte(b)
	case []byte:
		sent = b
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		sent = data
	}
	if body != nil {
		rd = bytes.NewReader(sent)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	checkContract(t, method, url, sent, resp.StatusCode, resp.Header, data)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// seedExamples returns the JSON value after each marker line of a seed document.
func seedExample(t testing.TB, file, marker string) any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte(marker))
	if i < 0 {
		t.Fatalf("marker %q not in %s", marker, file)
	}
	rest := data[i+len(marker):]
	start := bytes.IndexByte(rest, '{')
	dec := json.NewDecoder(bytes.NewReader(rest[start:]))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("example after %q: %v", marker, err)
	}
	return v
}

// path walks a decoded JSON value: path(v, "products", 0, "code").
func path(t testing.TB, v any, steps ...any) any {
	t.Helper()
	for _, s := range steps {
		switch k := s.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %v: not an object: %v", s, v)
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("at %v: not an array of more than %d: %v", s, k, v)
			}
			v = a[k]
		}
	}
	return v
}
