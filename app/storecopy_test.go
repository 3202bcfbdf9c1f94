package app_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/pgtest"
	"github.com/pressroom/pressroom/internal/s3test"
	"github.com/pressroom/pressroom/internal/testfiles"
)

// TestStoreCopyToPostgres: a print company on one machine moves to
// PostgreSQL and S3 (pressroom store copy, pressroom files copy). Its SQLite server (an API-only node, so its work waits)
// took orders with a file URL, an upload, a callback URL and a draft, and
// a second reseller with its own key. After both copies (the local folder
// then removed) and two nodes on PostgreSQL and the bucket: the keys
// work, every order reads as it did, the waiting work runs there (the file
// is fetched and checked, the callbacks are delivered), new orders and
// calculations get numbers after the copied ones, and a second copy into
// the now used database is refused.
func TestStoreCopyToPostgres(t *testing.T) {
	good := testfiles.PDF(200, 400, 10)
	files := fileServer(t, map[string][]byte{"/good.pdf": good})
	rv := newReceiver(t)
	data := t.TempDir()
	env := callbackEnv()
	env["PRESSROOM_WORKERS"] = "0"
	src := startServer(t, []string{"--data", data}, env)

	a := mustOrder(t, src, demoKey, strings.Replace(orderWithFile("mv-url", files.URL+"/good.pdf", md5hex(good)), `"id":"mv-url",`, `"id":"mv-url","callback_urls":["`+rv.URL+`/mv"],`, 1))
	up := mustOrder(t, src, demoKey, `{"id":"mv-up","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true}]}`)
	upURL := fmt.Sprintf("/v1/orders/%s/items/%s/artwork", up["number"], num(t, path(t, up, "items", 0, "id")))
	if r := upload(t, src.URL+upURL, good, ""); r.Status != 202 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	draft := mustOrder(t, src, demoKey, `{"id":"mv-draft","stage":"draft","delivery":{"address":`+probonl+`},"items":[]}`)
	other := do(t, "POST", src.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
	b := mustOrder(t, src, other, orderBody("mv-other"))
	calc := decodeNumbers(t, do(t, "POST", src.URL+"/probo/products/configure", demoKey, seedExample(t, "probo-user-guide.txt", "Request payload (can_order iteration)")).Body)
	calcID := fmt.Sprint(path(t, calc, "products", 0, "calculation_id"))
	if r := do(t, "POST", src.URL+"/probo/products/uploader/create", demoKey, `{"calculation_id":`+calcID+`}`); r.Status != 200 {
		t.Fatalf("an upload session: %d %s", r.Status, r.Body)
	}
	account := fmt.Sprint(decodeNumbers(t, do(t, "GET", src.URL+"/v1/account", demoKey, nil).Body)["id"])
	tok := wlToken(t, src, url.Values{"grant_type": {"client_credentials"}}, account, demoKey)
	if tok.Status != 200 {
		t.Fatalf("a WL3 access token: %d %s", tok.Status, tok.Body)
	}
	accessToken := tok.JSON(t)["access_token"].(string)
	before := map[string][]byte{}
	for _, o := range []map[string]any{a, up, draft} {
		before[num(t, o["number"])] = do(t, "GET", fmt.Sprintf("%s/v1/orders/%s", src.URL, o["number"]), demoKey, nil).Body
	}
	before[num(t, b["number"])] = do(t, "GET", fmt.Sprintf("%s/v1/orders/%s", src.URL, b["number"]), other, nil).Body
	if code := src.stop(); code != 0 {
		t.Fatalf("the SQLite server stopped with %d", code)
	}

	dsn := pgtest.NewDatabase(t)
	code, stdout, stderr := runCLI(t, nil, "store", "copy", "--data", data, "--to", dsn)
	if code != 0 || !strings.Contains(stdout, "(4 orders, 2 resellers)") {
		t.Fatalf("store copy: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Logf("store copy: %s", stdout)
	if code, _, stderr := runCLI(t, nil, "store", "copy", "--data", data, "--to", dsn); code == 0 || !strings.Contains(stderr, "already holds pressroom data") {
		t.Errorf("a second copy into the same database: exit %d %s", code, stderr)
	}

	// An API-only node first: the orders read as they were, before any
	// waiting work changes them.
	// The print files move into S3 under the same keys.
	bucket := s3test.Start(t, "moved")
	creds := map[string]string{}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		creds[k] = s3test.Env(k)
	}
	if code, stdout, stderr := runCLI(t, creds, "files", "copy", "--data", data, "--to", bucket); code != 0 || !strings.Contains(stdout, "print files: 1 copied") {
		t.Fatalf("files copy: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := runCLI(t, creds, "files", "copy", "--data", data, "--to", bucket); code != 0 || !strings.Contains(stdout, "print files: 0 copied (0.0 MB), 1 already there") {
		t.Errorf("files copy again: exit %d\n%s%s", code, stdout, stderr)
	}
	s3env := map[string]string{"PRESSROOM_BLOB": bucket}
	for k, v := range creds {
		s3env[k] = v
	}
	if err := os.RemoveAll(filepath.Join(data, "artwork")); err != nil {
		t.Fatal(err)
	}
	for k, v := range s3env {
		env[k] = v
	}
	work := callbackEnv()
	for k, v := range s3env {
		work[k] = v
	}
	dst := startServer(t, []string{"--data", data, "--db", dsn}, env)
	for n, want := range before {
		key := demoKey
		if n == num(t, b["number"]) {
			key = other
		}
		// The same, but for the tracking page's link on the new server's address.
		want = bytes.ReplaceAll(want, []byte(src.URL), []byte(dst.URL))
		if got := do(t, "GET", fmt.Sprintf("%s/v1/orders/%s", dst.URL, n), key, nil).Body; !bytes.Equal(got, want) {
			t.Errorf("order %s on PostgreSQL:\n%s\nwas on SQLite:\n%s", n, got, want)
		}
	}
	// A WL3 access token (a key made from the reseller's key) still opens.
	if r := wl(t, dst, "GET", "/orders", accessToken, nil); r.Status != 200 {
		t.Errorf("the WL3 access token after the move: %d %s", r.Status, r.Body)
	}
	// The work that waited runs on PostgreSQL, on a second node that works jobs.
	startServer(t, []string{"--data", data, "--db", dsn}, work)
	if state, _ := fileState(t, dst.URL, a); state != "passed" {
		t.Errorf("the URL's file after the move: %s", state)
	}
	if state, _ := fileState(t, dst.URL, up); state != "passed" {
		t.Errorf("the uploaded file after the move: %s", state)
	}
	// Queued on SQLite (created) and on PostgreSQL (the file passed), in order.
	if got := rv.wait(t, "/mv", 2); got[0].Payload.Type != "order.created" || got[1].Payload.Type != "order.file" {
		t.Errorf("callbacks after the move: %s, %s", got[0].Payload.Type, got[1].Payload.Type)
	}
	if r := do(t, "GET", dst.URL+"/v1/orders/"+num(t, up["number"])+"/items/"+num(t, path(t, up, "items", 0, "id"))+"/artwork/0/file", demoKey, nil); r.Status != 200 || !bytes.Equal(r.Body, good) {
		t.Errorf("the uploaded file's bytes after the move: %d", r.Status)
	}
	// Numbers go on after the copied ones.
	next := mustOrder(t, dst, demoKey, orderBody("mv-next"))
	var last, fresh int64
	fmt.Sscan(num(t, b["number"]), &last)
	fmt.Sscan(num(t, next["number"]), &fresh)
	if fresh <= last {
		t.Errorf("a new order on PostgreSQL got number %d; the last copied was %d", fresh, last)
	}
	c2 := decodeNumbers(t, do(t, "POST", dst.URL+"/probo/products/configure", demoKey, seedExample(t, "probo-user-guide.txt", "Request payload (can_order iteration)")).Body)
	var oldCalc, newCalc int64
	fmt.Sscan(calcID, &oldCalc)
	fmt.Sscan(fmt.Sprint(path(t, c2, "products", 0, "calculation_id")), &newCalc)
	if newCalc <= oldCalc {
		t.Errorf("a new calculation got id %d; one copied had %d", newCalc, oldCalc)
	}
	// The copied calculation is still found (a Probo order may cite it).
	if r := do(t, "POST", dst.URL+"/probo/products/uploader/create", demoKey, `{"calculation_id":`+calcID+`}`); r.Status != 200 {
		t.Errorf("the copied calculation: %d %s", r.Status, r.Body)
	}
}

// TestStoreCopyKeepsAJobsAttempts: a file download that failed on SQLite
// (its server answered 500) waits to be tried again; on PostgreSQL it has
// had the same attempt, with its error, and is tried again when it was
// due, not from the start of its schedule.
func TestStoreCopyKeepsAJobsAttempts(t *testing.T) {
	files := fileServer(t, nil)
	data := t.TempDir()
	env := callbackEnv()
	env["PRESSROOM_DOWNLOAD_RETRY_INTERVAL"] = "1h"
	src := startServer(t, []string{"--data", data}, env)
	mustOrder(t, src, demoKey, orderWithFile("att-1", files.URL+"/broken", ""))
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "pressroom.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var attempt int
	var lastError string
	for deadline := time.Now().Add(20 * time.Second); attempt == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		db.QueryRow(`SELECT attempt, coalesce(json_extract(errors, '$[0].error'), '') FROM river_job WHERE kind = 'download' AND state = 'retryable'`).Scan(&attempt, &lastError)
	}
	if attempt != 1 || !strings.Contains(lastError, "500") {
		t.Fatalf("the download on SQLite: attempt %d, error %q; want a first attempt that met the 500", attempt, lastError)
	}
	if code := src.stop(); code != 0 {
		t.Fatalf("the SQLite server stopped with %d", code)
	}
	dsn := pgtest.NewDatabase(t)
	if code, stdout, stderr := runCLI(t, nil, "store", "copy", "--data", data, "--to", dsn); code != 0 {
		t.Fatalf("store copy: exit %d\n%s%s", code, stdout, stderr)
	}
	pg, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	var state, copiedError string
	var due time.Time
	if err := pg.QueryRow(`SELECT state, attempt, coalesce(errors[1]->>'error', ''), scheduled_at FROM river_job WHERE kind = 'download'`).Scan(&state, &attempt, &copiedError, &due); err != nil {
		t.Fatal(err)
	}
	if attempt != 1 || copiedError != lastError {
		t.Errorf("the download on PostgreSQL: attempt %d, error %q; want 1, %q", attempt, copiedError, lastError)
	}
	if state != "scheduled" || time.Until(due) < 30*time.Minute {
		t.Errorf("the download on PostgreSQL is %s, due %s: want it scheduled for its retry an hour after the failure", state, due)
	}
}
