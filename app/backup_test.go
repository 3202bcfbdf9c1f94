package app_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBackupBesideARunningServer: staff back up a SQLite store while
// resellers keep ordering; a server started on the backup folder has every
// order acknowledged before the backup began and serves their print files;
// a second backup copies only what is new. A PostgreSQL store is refused
// with what to use instead.
func TestBackupBesideARunningServer(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), callbackEnv())
		out := t.TempDir() + "/backup"
		if st.name == "postgres" {
			code, _, stderr := runCLI(t, nil, append([]string{"backup", "--out", out}, srv.Args...)...)
			if code == 0 || !strings.Contains(stderr, "pg_dump") {
				t.Errorf("backup of PostgreSQL: exit %d %s", code, stderr)
			}
			return
		}
		o, item, pdf := orderWithUpload(t, srv, "bk-up")
		// Orders keep coming while the backup runs.
		var before atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if r := do(t, "POST", srv.URL+"/v1/orders", demoKey, orderBody(fmt.Sprintf("bk-%d", i))); r.Status != 201 {
					t.Errorf("order during the backup: %d %s", r.Status, r.Body)
					return
				}
				before.Add(1)
			}
		}()
		for before.Load() < 5 {
			time.Sleep(10 * time.Millisecond)
		}
		acked := before.Load()
		code, stdout, stderr := runCLI(t, nil, append([]string{"backup", "--out", out}, srv.Args...)...)
		close(stop)
		wg.Wait()
		if code != 0 || !strings.Contains(stdout, "print files: 1 copied") {
			t.Fatalf("backup: exit %d\n%s%s", code, stdout, stderr)
		}
		t.Logf("backup:\n%s", stdout)
		// Again: only what is new is copied.
		if code, stdout, stderr := runCLI(t, nil, append([]string{"backup", "--out", out}, srv.Args...)...); code != 0 || !strings.Contains(stdout, "print files: 0 copied (0.0 MB), 1 already there") {
			t.Errorf("second backup: exit %d\n%s%s", code, stdout, stderr)
		}
		// A server on the backup folder.
		restored := startServer(t, []string{"--data", out}, callbackEnv())
		list := decodeNumbers(t, do(t, "GET", restored.URL+"/v1/orders", demoKey, nil).Body)
		total := num(t, path(t, list, "meta", "items"))
		var n int64
		fmt.Sscan(total, &n)
		if n < acked+1 {
			t.Errorf("the restored store has %d orders; %d were acknowledged before the backup began", n, acked+1)
		}
		r := do(t, "GET", fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork/0/file", restored.URL, o["number"], item), demoKey, nil)
		if r.Status != 200 || !bytes.Equal(r.Body, pdf) {
			t.Errorf("the print file from the backup: %d, %d bytes", r.Status, len(r.Body))
		}
		if code, _, stderr := runCLI(t, nil, "backup", "--data", out); code != 2 || !strings.Contains(stderr, "--out") {
			t.Errorf("backup without --out: exit %d %s", code, stderr)
		}
		// Backing up into the data folder itself would replace the live database.
		data := srv.Args[slices.Index(srv.Args, "--data")+1]
		if code, _, stderr := runCLI(t, nil, "backup", "--data", data, "--out", data+"/."); code == 0 || !strings.Contains(stderr, "holds the store's own database") {
			t.Errorf("backup into the data folder: exit %d %s", code, stderr)
		}
		if r := do(t, "GET", srv.URL+"/v1/orders/"+num(t, o["number"]), demoKey, nil); r.Status != 200 {
			t.Errorf("the server after the refused backup: %d", r.Status)
		}
	})
}
