package app_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/app"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/internal/s3test"
	"github.com/pressroom/pressroom/internal/testfiles"
)

// fileServer serves the files a test orders with.
func fileServer(t testing.TB, files map[string][]byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
			return
		case "/broken":
			http.Error(w, "oops", http.StatusInternalServerError)
			return
		case "/hang": // never answers
			<-r.Context().Done()
			return
		case "/stall": // answers, sends a little, then nothing
			w.Write([]byte("%PDF-1.7\n"))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func orderWithFile(id, url, md5 string) string {
	f := `{"url":"` + url + `"`
	if md5 != "" {
		f += `,"md5":"` + md5 + `"`
	}
	return `{"id":"` + id + `","delivery":{"address":` + probonl + `},"items":[{"code":"dibond","options":` + dibondOptions + `,"files":[` + f + `}]}]}`
}

// fileState waits until the order's first item's file state is final.
func fileState(t *testing.T, base string, o map[string]any) (string, map[string]any) {
	t.Helper()
	item := num(t, path(t, o, "items", 0, "id"))
	deadline := time.Now().Add(30 * time.Second)
	for {
		a := decodeNumbers(t, do(t, "GET", fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", base, o["number"], item), demoKey, nil).Body)
		if st := a["file_state"].(string); st == "passed" || st == "failed" {
			return st, a
		}
		if time.Now().After(deadline) {
			t.Fatalf("file state still %v: %v", a["file_state"], a)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func findingCodes(t *testing.T, a map[string]any) string {
	var codes []string
	for _, f := range a["files"].([]any) {
		for _, x := range f.(map[string]any)["findings"].([]any) {
			codes = append(codes, x.(map[string]any)["code"].(string))
		}
	}
	return strings.Join(codes, ",")
}

func TestArtworkDownloads(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		good := testfiles.PDF(200, 400, 10) // dibond 20 x 40 cm with 1 cm bleed
		files := fileServer(t, map[string][]byte{"/good.pdf": good, "/a4.pdf": testfiles.PDF(210, 297, 10), "/page.html": []byte("<html></html>"), "/empty": {},
			"/font.pdf":  testfiles.Doc{W: 200, H: 400, Bleed: 10, Font: "Helvetica"}.PDF(),
			"/pages.pdf": testfiles.Doc{W: 200, H: 400, Bleed: 10, Pages: 3}.PDF()})
		rv := newReceiver(t)
		env := callbackEnv()
		env["PRESSROOM_MAX_FILE_MB"] = "1"
		srv := startServer(t, st.args(t), env)
		staff := newBrowser(t, srv)
		wantPage(t, staff.post("/console/login", url.Values{"key": {operatorKey}}), 303)
		o := mustOrder(t, srv, demoKey, strings.Replace(orderWithFile("dl-good", files.URL+"/good.pdf", md5hex(good)), `"id":"dl-good",`, `"id":"dl-good","callback_urls":["`+rv.URL+`/art"],`, 1))
		state, a := fileState(t, srv.URL, o)
		f := path(t, a, "files", 0).(map[string]any)
		if state != "passed" || f["md5"] != md5hex(good) || num(t, f["size"]) != fmt.Sprint(len(good)) || f["content_type"] != "application/pdf" || len(f["sha256"].(string)) != 64 {
			t.Errorf("good file: %s %v", state, a)
		}
		// The reseller hears the result: created, then the file passed.
		got := rv.wait(t, "/art", 2)
		if got[1].Payload.Type != "order.file" {
			t.Errorf("callbacks: %s, %s", got[0].Payload.Type, got[1].Payload.Type)
		}
		for name, c := range map[string]struct{ url, md5, findings string }{
			"wrong size":  {files.URL + "/a4.pdf", "", "page_size"},
			"wrong md5":   {files.URL + "/good.pdf", strings.Repeat("0", 32), "md5_mismatch"},
			"not found":   {files.URL + "/nope.pdf", "", "download_failed"},
			"not a file":  {files.URL + "/page.html", "", "unsupported_type"},
			"empty":       {files.URL + "/empty", "", "empty_file"},
			"font":        {files.URL + "/font.pdf", "", "font_not_embedded"},
			"pages":       {files.URL + "/pages.pdf", "", "page_count"},
			"redirects":   {files.URL + "/loop", "", "url_refused"},
			"unreachable": {"http://127.0.0.1:1/x.pdf", "", "download_failed"},
		} {
			if name == "unreachable" {
				continue // a refused connection is retried with backoff; see TestArtworkRefusesPrivateAddresses for the end state
			}
			o := mustOrder(t, srv, demoKey, orderWithFile("dl-"+strings.ReplaceAll(name, " ", "-"), c.url, c.md5))
			state, a := fileState(t, srv.URL, o)
			if state != "failed" || !strings.Contains(findingCodes(t, a), c.findings) {
				t.Errorf("%s: %s, findings %s: %v", name, state, findingCodes(t, a), a)
			}
			// Staff read why once, beside the file.
			page := staff.get("/console/orders/" + num(t, o["number"]))
			_, cell, _ := strings.Cut(page.Body, `<ul class="filelist">`)
			cell, _, _ = strings.Cut(cell, "</td>")
			f := path(t, a, "files", 0).(map[string]any)
			whys := map[string]bool{}
			if e, _ := f["error"].(string); e != "" {
				whys[e] = true
			}
			for _, x := range f["findings"].([]any) {
				whys[x.(map[string]any)["message"].(string)] = true
			}
			for why := range whys {
				if n := strings.Count(cell, html.EscapeString(why)); n != 1 {
					t.Errorf("%s: the staff's page says %q %d times, want once:\n%s", name, why, n, cell)
				}
			}
		}
		// Too large for the 1 MB limit.
		files2 := fileServer(t, map[string][]byte{"/big.pdf": append(testfiles.PDF(200, 400, 10), bytes.Repeat([]byte("%"), 2<<20)...)})
		o = mustOrder(t, srv, demoKey, orderWithFile("dl-big", files2.URL+"/big.pdf", ""))
		if state, a := fileState(t, srv.URL, o); state != "failed" || findingCodes(t, a) != "file_too_large" {
			t.Errorf("big: %s %s", state, findingCodes(t, a))
		}
		// Another reseller cannot read the files.
		other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
		if r := do(t, "GET", fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", srv.URL, o["number"], num(t, path(t, o, "items", 0, "id"))), other, nil); r.Status != 404 {
			t.Errorf("other reseller's artwork: %d", r.Status)
		}
	})
}

// TestArtworkHostileFiles: a server that never answers or stalls, and a
// decompression bomb, end as readable errors while the server stays quick.
func TestArtworkHostileFiles(t *testing.T) {
	bomb := testfiles.PDFBomb(512 << 20) // 1.6 kB inflating to 512 MB
	files := fileServer(t, map[string][]byte{"/bomb.pdf": bomb})
	env := callbackEnv()
	env["PRESSROOM_DOWNLOAD_TIMEOUT"] = "1s"
	env["PRESSROOM_PREFLIGHT_MEMORY_MB"] = "128"
	env["PRESSROOM_DOWNLOAD_RETRY_INTERVAL"] = "20ms"
	srv := startServer(t, stores[0].args(t), env)

	o := mustOrder(t, srv, demoKey, orderWithFile("bomb", files.URL+"/bomb.pdf", ""))
	if state, a := fileState(t, srv.URL, o); state != "failed" || findingCodes(t, a) != "check_failed" {
		t.Errorf("bomb: %s %v", state, a)
	}
	// Transient failures are retried (shown while waiting), then given up
	// with the reason: waits of 20, 80, 320, 1280 and 5120 ms here.
	cases := []struct{ path, reason string }{{"/hang", "timed out"}, {"/stall", "sent nothing for 1s"}, {"/broken", "answered 500"}}
	urls := map[string]string{}
	for _, c := range cases {
		o := mustOrder(t, srv, demoKey, orderWithFile("slow"+strings.TrimPrefix(c.path, "/"), files.URL+c.path, ""))
		urls[c.path] = fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", srv.URL, o["number"], num(t, path(t, o, "items", 0, "id")))
	}
	sawRetry, ended := map[string]bool{}, map[string]bool{}
	deadline := time.Now().Add(60 * time.Second)
	for len(ended) < len(cases) {
		for _, c := range cases {
			if ended[c.path] {
				continue
			}
			a := decodeNumbers(t, do(t, "GET", urls[c.path], demoKey, nil).Body)
			var e string
			if fs := a["files"].([]any); len(fs) == 1 {
				e, _ = fs[0].(map[string]any)["error"].(string)
			}
			if strings.Contains(e, c.reason) && strings.Contains(e, "retrying") && a["file_state"] == "downloading" {
				sawRetry[c.path] = true
			}
			if a["file_state"] == "failed" {
				ended[c.path] = true
				if !sawRetry[c.path] || !strings.HasPrefix(e, "gave up: ") || !strings.Contains(e, c.reason) || findingCodes(t, a) != "download_failed" {
					t.Errorf("%s: ended with %q, findings %s (retry seen: %v)", c.path, e, findingCodes(t, a), sawRetry[c.path])
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not all given up: %v", ended)
		}
		// Meanwhile the rest of the server answers as ever.
		if r := do(t, "GET", srv.URL+"/v1/products", demoKey, nil); r.Status != 200 {
			t.Errorf("products: %d", r.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestArtworkRefusesPrivateAddresses: without PRESSROOM_ALLOW_PRIVATE_NETWORKS
// a file URL on a loopback address is refused, never fetched.
func TestArtworkRefusesPrivateAddresses(t *testing.T) {
	called := false
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true }))
	defer files.Close()
	env := callbackEnv()
	delete(env, "PRESSROOM_ALLOW_PRIVATE_NETWORKS")
	srv := startServer(t, stores[0].args(t), env)
	o := mustOrder(t, srv, demoKey, orderWithFile("ssrf-file", files.URL+"/x.pdf", ""))
	state, a := fileState(t, srv.URL, o)
	if state != "failed" || findingCodes(t, a) != "url_refused" || !strings.Contains(path(t, a, "files", 0, "error").(string), "private") || called {
		t.Errorf("private URL: %s %v (called %v)", state, a, called)
	}
}

func upload(t *testing.T, url string, body []byte, multipartField string) response {
	t.Helper()
	ctype := "application/octet-stream"
	if multipartField != "" {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("note", "first field")
		fw, _ := mw.CreateFormFile(multipartField, "../../etc/passwd.pdf")
		fw.Write(body)
		mw.Close()
		body, ctype = buf.Bytes(), mw.FormDataContentType()
	}
	return doWith(t, "PUT", url, demoKey, body, map[string]string{"Content-Type": ctype})
}

func TestArtworkUploads(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		env := callbackEnv()
		env["PRESSROOM_MAX_FILE_MB"] = "1"
		srv := startServer(t, st.args(t), env)
		o := mustOrder(t, srv, demoKey, `{"id":"up-1","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true}]}`)
		url := fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", srv.URL, o["number"], num(t, path(t, o, "items", 0, "id")))
		if a := decodeNumbers(t, do(t, "GET", url, demoKey, nil).Body); a["file_state"] != "awaiting" || len(a["files"].([]any)) != 0 {
			t.Errorf("before upload: %v", a)
		}
		pdf := testfiles.PDF(400, 200, 10)
		r := upload(t, url, pdf, "")
		if r.Status != 202 || !strings.Contains(string(r.Body), `"state":"checking"`) || !strings.Contains(string(r.Body), md5hex(pdf)) {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		if state, _ := fileState(t, srv.URL, o); state != "passed" {
			t.Errorf("uploaded PDF: %s", state)
		}
		// A replacement as a form field; too coarse an image fails the check.
		r = upload(t, url, testfiles.PNG(100, 200), "artwork")
		if r.Status != 202 {
			t.Fatalf("multipart upload: %d %s", r.Status, r.Body)
		}
		if state, a := fileState(t, srv.URL, o); state != "failed" || findingCodes(t, a) != "resolution_low" {
			t.Errorf("coarse image: %s %s", state, findingCodes(t, a))
		}
		for name, c := range map[string]struct {
			body   []byte
			field  string
			status int
		}{
			"not a print file": {[]byte("hello, world"), "", 422},
			"empty":            {nil, "", 422},
			"too large":        {append(testfiles.PDF(400, 200, 10), bytes.Repeat([]byte("%"), 2<<20)...), "", 413},
			"no field":         {testfiles.PDF(400, 200, 10), "wrong", 400},
		} {
			if r := upload(t, url, c.body, c.field); r.Status != c.status {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		// An item that needs no file, another reseller, an unknown item.
		acc := mustOrder(t, srv, demoKey, `{"id":"up-2","delivery":{"address":`+probonl+`},"items":[{"code":"side-grip-spacer-2-5mm","options":[{"code":"amount","value":1}]}]}`)
		if r := upload(t, fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", srv.URL, acc["number"], num(t, path(t, acc, "items", 0, "id"))), pdf, ""); r.Status != 409 {
			t.Errorf("no file needed: %d", r.Status)
		}
		other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
		if r := doWith(t, "PUT", url, other, pdf, nil); r.Status != 404 {
			t.Errorf("other reseller uploads: %d", r.Status)
		}
		if r := upload(t, fmt.Sprintf("%s/v1/orders/%s/items/424242/artwork", srv.URL, o["number"]), pdf, ""); r.Status != 404 {
			t.Errorf("unknown item: %d", r.Status)
		}
		if r := doWith(t, "PUT", url, "", pdf, nil); r.Status != 401 {
			t.Errorf("no key: %d", r.Status)
		}
		// After production starts, files no longer change.
		do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, `{"status":"in_production"}`)
		if r := upload(t, url, pdf, ""); r.Status != 409 {
			t.Errorf("upload in production: %d", r.Status)
		}
	})
}

// orderWithUpload places an order of one dibond whose file is uploaded and
// waits for its check to pass; it answers the order, the item's id and
// the file.
func orderWithUpload(t *testing.T, srv *server, id string) (map[string]any, string, []byte) {
	t.Helper()
	o := mustOrder(t, srv, demoKey, `{"id":"`+id+`","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true}]}`)
	item := num(t, path(t, o, "items", 0, "id"))
	pdf := testfiles.PDF(200, 400, 10)
	if r := upload(t, fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", srv.URL, o["number"], item), pdf, ""); r.Status != 202 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	if state, _ := fileState(t, srv.URL, o); state != "passed" {
		t.Fatalf("the uploaded file: %s", state)
	}
	return o, item, pdf
}

// TestAnUploadReplacesAFailedURLFile: an item whose second file could not
// be fetched is failed; the reseller uploads one file instead, and it
// alone is the item's file: the item passes.
func TestAnUploadReplacesAFailedURLFile(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		files := fileServer(t, map[string][]byte{"/good.pdf": testfiles.PDF(200, 400, 10)})
		srv := startServer(t, st.args(t), callbackEnv())
		o := mustOrder(t, srv, demoKey, `{"id":"rep-1","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+
			`,"files":[{"url":"`+files.URL+`/good.pdf"},{"url":"`+files.URL+`/nope.pdf"}]}]}`)
		if state, a := fileState(t, srv.URL, o); state != "failed" || len(a["files"].([]any)) != 2 || findingCodes(t, a) != "download_failed" {
			t.Fatalf("before the upload: %s %s %v", state, findingCodes(t, a), a["files"])
		}
		pdf := testfiles.PDF(200, 400, 10)
		if r := upload(t, fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", srv.URL, o["number"], num(t, path(t, o, "items", 0, "id"))), pdf, ""); r.Status != 202 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		state, a := fileState(t, srv.URL, o)
		fs := a["files"].([]any)
		if state != "passed" || len(fs) != 1 || fs[0].(map[string]any)["source"] != "upload" || fs[0].(map[string]any)["md5"] != md5hex(pdf) {
			t.Errorf("after the upload: %s %v", state, fs)
		}
	})
}

// TestADraftItemReplacedLosesItsUpload: a draft's item had an uploaded
// file that passed; the item is replaced, first by one awaiting an upload,
// then by one with a file URL. The old upload is not the new item's file:
// the URL's file is fetched and checked (and here fails, being A4).
func TestADraftItemReplacedLosesItsUpload(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		files := fileServer(t, map[string][]byte{"/a4.pdf": testfiles.PDF(210, 297, 10)})
		srv := startServer(t, st.args(t), callbackEnv())
		d := mustOrder(t, srv, demoKey, `{"id":"dr-1","stage":"draft","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true}]}`)
		item := num(t, path(t, d, "items", 0, "id"))
		artURL := fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", srv.URL, d["number"], item)
		if r := upload(t, artURL, testfiles.PDF(200, 400, 10), ""); r.Status != 202 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		if state, _ := fileState(t, srv.URL, d); state != "passed" {
			t.Fatalf("the draft's upload: %s", state)
		}
		if r := do(t, "PUT", orderURL(srv, d, "/items/"+item), demoKey, `{"code":"dibond","options":`+dibondOptions+`,"upload":true}`); r.Status != 200 {
			t.Fatalf("replace: %d %s", r.Status, r.Body)
		}
		if a := decodeNumbers(t, do(t, "GET", artURL, demoKey, nil).Body); a["file_state"] != "awaiting" || len(a["files"].([]any)) != 0 {
			t.Errorf("replaced by an item awaiting its upload: %v", a)
		}
		if r := do(t, "PUT", orderURL(srv, d, "/items/"+item), demoKey, `{"code":"dibond","options":`+dibondOptions+`,"files":[{"url":"`+files.URL+`/a4.pdf"}]}`); r.Status != 200 {
			t.Fatalf("replace: %d %s", r.Status, r.Body)
		}
		if r := do(t, "POST", orderURL(srv, d, "/checkout"), demoKey, nil); r.Status != 200 {
			t.Fatalf("checkout: %d %s", r.Status, r.Body)
		}
		state, a := fileState(t, srv.URL, d)
		fs := a["files"].([]any)
		if state != "failed" || findingCodes(t, a) != "page_size" || len(fs) != 1 || fs[0].(map[string]any)["url"] != files.URL+"/a4.pdf" {
			t.Errorf("after the checkout: %s %s %v", state, findingCodes(t, a), fs)
		}
	})
}

// A file uploaded to a draft's item and checked stays the item's file when
// the draft changes and at its checkout.
func TestDraftUploadThenCheckout(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), callbackEnv())
		d := mustOrder(t, srv, demoKey, `{"id":"draft-up","stage":"draft","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true}]}`)
		url := fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", srv.URL, d["number"], num(t, path(t, d, "items", 0, "id")))
		if r := upload(t, url, testfiles.PDF(400, 200, 10), ""); r.Status != 202 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		if state, _ := fileState(t, srv.URL, d); state != "passed" {
			t.Fatalf("uploaded PDF: %s", state)
		}
		if r := do(t, "POST", orderURL(srv, d, "/items"), demoKey, `{"code":"side-grip-spacer-2-5mm","options":[{"code":"amount","value":1}]}`); r.Status != 201 && r.Status != 200 {
			t.Fatalf("add an item: %d %s", r.Status, r.Body)
		}
		r := do(t, "POST", orderURL(srv, d, "/checkout"), demoKey, nil)
		if r.Status != 200 {
			t.Fatalf("checkout: %d %s", r.Status, r.Body)
		}
		o := r.JSON(t)
		if o["status"] != "accepted" || path(t, o, "items", 0, "file_state") != "passed" || path(t, o, "items", 1, "file_state") != "none" {
			t.Errorf("after checkout: status %v, files %v and %v", o["status"], path(t, o, "items", 0, "file_state"), path(t, o, "items", 1, "file_state"))
		}
	})
}

// TestArtworkOnS3: with PRESSROOM_BLOB=s3://... the files go to the bucket
// (an S3-compatible server started for the test), not to --data.
func TestArtworkOnS3(t *testing.T) {
	good := testfiles.PDF(200, 400, 10)
	files := fileServer(t, map[string][]byte{"/good.pdf": good})
	env := callbackEnv()
	env["PRESSROOM_BLOB"] = s3test.Start(t, "pressroom")
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		env[k] = s3test.Env(k)
	}
	data := t.TempDir()
	srv := startServer(t, []string{"--data", data}, env)

	o := mustOrder(t, srv, demoKey, orderWithFile("s3-dl", files.URL+"/good.pdf", md5hex(good)))
	if state, a := fileState(t, srv.URL, o); state != "passed" || path(t, a, "files", 0, "md5") != md5hex(good) {
		t.Errorf("downloaded to S3: %s %v", state, a)
	}
	up := mustOrder(t, srv, demoKey, `{"id":"s3-up","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true}]}`)
	url := fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", srv.URL, up["number"], num(t, path(t, up, "items", 0, "id")))
	if r := upload(t, url, testfiles.PDF(400, 200, 10), "artwork"); r.Status != 202 {
		t.Fatalf("upload to S3: %d %s", r.Status, r.Body)
	}
	// The check read the file back from the bucket.
	if state, _ := fileState(t, srv.URL, up); state != "passed" {
		t.Errorf("uploaded to S3: %s", state)
	}
	if _, err := os.Stat(filepath.Join(data, "artwork")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("files were kept in the data folder too: %v", err)
	}
	// Staff read the file back from the bucket, whole and by a range.
	fileURL := fmt.Sprintf("%s/v1/operator/orders/%s/items/%s/artwork/0/file", srv.URL, o["number"], num(t, path(t, o, "items", 0, "id")))
	if r := do(t, "GET", fileURL, operatorKey, nil); r.Status != 200 || !bytes.Equal(r.Body, good) {
		t.Errorf("the file from S3: %d, %d bytes", r.Status, len(r.Body))
	}
	if r := doWith(t, "GET", fileURL, operatorKey, nil, map[string]string{"Range": "bytes=5-9"}); r.Status != 206 || !bytes.Equal(r.Body, good[5:10]) {
		t.Errorf("a range from S3: %d %q", r.Status, r.Body)
	}

	// A bucket that does not exist, or no credentials: the server does not start.
	for name, e := range map[string]map[string]string{
		"no bucket":      {"PRESSROOM_BLOB": strings.Replace(env["PRESSROOM_BLOB"], "s3://pressroom/", "s3://nope/", 1), "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"},
		"no credentials": {"PRESSROOM_BLOB": env["PRESSROOM_BLOB"]},
	} {
		code, _, stderr := runCLI(t, e, "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir())
		if code == 0 || !strings.Contains(stderr, "PRESSROOM_BLOB") {
			t.Errorf("%s: exit %d, %s", name, code, stderr)
		}
		t.Logf("%s: %s", name, strings.TrimSpace(stderr))
	}
}

// TestOrderDocuments: a packing slip and a shipping label given by URL are
// downloaded and must be PDFs that open.
func TestOrderDocuments(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		slip := testfiles.PDF(210, 297, 0)
		files := fileServer(t, map[string][]byte{"/slip.pdf": slip, "/label.png": testfiles.PNG(400, 600)})
		srv := startServer(t, st.args(t), callbackEnv())
		body := strings.Replace(orderWithFile("docs", files.URL+"/slip.pdf", ""), `"id":"docs",`,
			`"id":"docs","packing_slip":{"url":"`+files.URL+`/slip.pdf","md5":"`+md5hex(slip)+`"},"shipping_label":{"url":"`+files.URL+`/label.png"},`, 1)
		o := mustOrder(t, srv, demoKey, body)
		url := fmt.Sprintf("%s/v1/orders/%s/documents", srv.URL, o["number"])
		var d map[string]any
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			d = decodeNumbers(t, do(t, "GET", url, demoKey, nil).Body)
			if path(t, d, "packing_slip", "state") != "downloading" && path(t, d, "shipping_label", "state") != "downloading" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("documents still downloading: %v", d)
			}
		}
		if path(t, d, "packing_slip", "state") != "passed" || path(t, d, "packing_slip", "md5") != md5hex(slip) || num(t, path(t, d, "packing_slip", "size")) != fmt.Sprint(len(slip)) {
			t.Errorf("packing slip: %v", d["packing_slip"])
		}
		if path(t, d, "shipping_label", "state") != "failed" || path(t, d, "shipping_label", "findings", 0, "code") != "not_pdf" {
			t.Errorf("shipping label: %v", d["shipping_label"])
		}
		// The documents are not the items' files.
		if a := decodeNumbers(t, do(t, "GET", fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", srv.URL, o["number"], num(t, path(t, o, "items", 0, "id"))), demoKey, nil).Body); len(a["files"].([]any)) != 1 {
			t.Errorf("item files: %v", a)
		}
		none := mustOrder(t, srv, demoKey, orderWithFile("no-docs", files.URL+"/slip.pdf", ""))
		if r := do(t, "GET", fmt.Sprintf("%s/v1/orders/%s/documents", srv.URL, none["number"]), demoKey, nil); r.Status != 200 || string(r.Body) != `{"packing_slip":null,"shipping_label":null}`+"\n" {
			t.Errorf("no documents: %d %s", r.Status, r.Body)
		}
		other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
		for key, want := range map[string]int{other: 404, "": 401, "wrong-key-123": 401} {
			if r := do(t, "GET", url, key, nil); r.Status != want {
				t.Errorf("key %q: %d, want %d", key, r.Status, want)
			}
		}
		if r := do(t, "GET", srv.URL+"/v1/orders/99999999/documents", demoKey, nil); r.Status != 404 {
			t.Errorf("unknown order: %d", r.Status)
		}
	})
}

// TestAReprintPrintsTheOriginalsFiles: an approved reprint's new order
// holds the files its items were made from (an upload here) and the
// original's packing slip, checked as they were: production has what to
// print, and the reseller sees the files the reprint is made from.
func TestAReprintPrintsTheOriginalsFiles(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		slip := testfiles.PDF(210, 297, 0)
		files := fileServer(t, map[string][]byte{"/slip.pdf": slip})
		srv := startServer(t, st.args(t), callbackEnv())
		o := mustOrder(t, srv, demoKey, `{"id":"rp-files","packing_slip":{"url":"`+files.URL+`/slip.pdf"},"delivery":{"address":`+probonl+`},`+
			`"items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true},{"code":"side-grip-spacer-2-5mm","options":[{"code":"amount","value":2}]}]}`)
		pdf := testfiles.PDF(200, 400, 10)
		if r := upload(t, fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", srv.URL, o["number"], num(t, path(t, o, "items", 0, "id"))), pdf, ""); r.Status != 202 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		if state, _ := fileState(t, srv.URL, o); state != "passed" {
			t.Fatalf("the original's file: %s", state)
		}
		docs := func(number any) map[string]any {
			var d map[string]any
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				d = decodeNumbers(t, do(t, "GET", fmt.Sprintf("%s/v1/orders/%v/documents", srv.URL, number), demoKey, nil).Body)
				if path(t, d, "packing_slip", "state") != "downloading" || time.Now().After(deadline) {
					return d
				}
			}
		}
		if d := docs(o["number"]); path(t, d, "packing_slip", "state") != "passed" {
			t.Fatalf("the original's packing slip: %v", d)
		}
		for _, s := range []string{"in_production", "shipment_created", "shipment_delivered"} {
			if r := do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, `{"status":"`+s+`"}`); r.Status != 200 {
				t.Fatalf("%s: %d %s", s, r.Status, r.Body)
			}
		}
		// The plate only: the spacer is not made again.
		r := do(t, "POST", orderURL(srv, o, "/reprints"), demoKey, `{"reason":"damaged","items":[{"item_id":`+num(t, path(t, o, "items", 0, "id"))+`,"quantity":1}]}`)
		if r.Status != 201 {
			t.Fatalf("reprint: %d %s", r.Status, r.Body)
		}
		r = do(t, "POST", srv.URL+"/v1/operator/reprints/"+num(t, decodeNumbers(t, r.Body)["id"])+"/approve", operatorKey, nil)
		if r.Status != 200 {
			t.Fatalf("approve: %d %s", r.Status, r.Body)
		}
		fresh := decodeNumbers(t, do(t, "GET", fmt.Sprintf("%s/v1/orders/%s", srv.URL, decodeNumbers(t, r.Body)["new_order"]), demoKey, nil).Body)
		a := decodeNumbers(t, do(t, "GET", fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", srv.URL, fresh["number"], num(t, path(t, fresh, "items", 0, "id"))), demoKey, nil).Body)
		fs := a["files"].([]any)
		if a["file_state"] != "passed" || len(fs) != 1 || path(t, fs[0], "md5") != md5hex(pdf) || path(t, fs[0], "state") != "passed" {
			t.Errorf("the reprint's item: %v", a)
		}
		if d := docs(fresh["number"]); path(t, d, "packing_slip", "state") != "passed" || path(t, d, "packing_slip", "md5") != md5hex(slip) {
			t.Errorf("the reprint's packing slip: %v", d)
		}
		// Production prints the reprint from its own order.
		if r := do(t, "GET", fmt.Sprintf("%s/v1/operator/orders/%s/items/%s/artwork/0/file", srv.URL, fresh["number"], num(t, path(t, fresh, "items", 0, "id"))), operatorKey, nil); r.Status != 200 || !bytes.Equal(r.Body, pdf) {
			t.Errorf("the reprint's print file: %d, %d bytes", r.Status, len(r.Body))
		}
	})
}

// TestPrintFilesDownload: the stored bytes of an item's files and of the
// order's documents come back as taken, to the reseller and to staff:
// typed, named, with the SHA-256 as the ETag, by ranges and conditionally;
// a file not stored answers 404 with its state; another reseller, no key.
func TestPrintFilesDownload(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		good, slip := testfiles.PDF(200, 400, 10), testfiles.PDF(210, 297, 0)
		files := fileServer(t, map[string][]byte{"/good.pdf": good, "/slip.pdf": slip})
		srv := startServer(t, st.args(t), callbackEnv())
		o := mustOrder(t, srv, demoKey, `{"id":"dl-files","packing_slip":{"url":"`+files.URL+`/slip.pdf"},"delivery":{"address":`+probonl+`},"items":[`+
			`{"code":"dibond","options":`+dibondOptions+`,"files":[{"url":"`+files.URL+`/good.pdf"}]},`+
			`{"code":"dibond","options":`+dibondOptions+`,"files":[{"url":"`+files.URL+`/nope.pdf"}]}]}`)
		item, failed := num(t, path(t, o, "items", 0, "id")), num(t, path(t, o, "items", 1, "id"))
		if state, _ := fileState(t, srv.URL, o); state != "passed" {
			t.Fatalf("the file: %s", state)
		}
		fileURL := fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork/0/file", srv.URL, o["number"], item)
		opURL := fmt.Sprintf("%s/v1/operator/orders/%s/items/%s/artwork/0/file", srv.URL, o["number"], item)
		sum := sha256.Sum256(good)
		etag := `"` + hex.EncodeToString(sum[:]) + `"`
		for who, c := range map[string]struct{ url, key string }{"reseller": {fileURL, demoKey}, "staff": {opURL, operatorKey}} {
			r := do(t, "GET", c.url, c.key, nil)
			if r.Status != 200 || !bytes.Equal(r.Body, good) || r.Header.Get("Content-Type") != "application/pdf" || r.Header.Get("ETag") != etag ||
				r.Header.Get("Content-Disposition") != fmt.Sprintf(`attachment; filename="%s-item1-file1.pdf"`, o["number"]) {
				t.Errorf("%s: %d %v, %d bytes", who, r.Status, r.Header, len(r.Body))
			}
		}
		if r := doWith(t, "GET", fileURL, demoKey, nil, map[string]string{"Range": "bytes=0-7"}); r.Status != 206 || string(r.Body) != string(good[:8]) {
			t.Errorf("a range: %d %q", r.Status, r.Body)
		}
		for _, c := range []struct{ url, key string }{{fileURL, demoKey}, {opURL, operatorKey}} {
			if r := doWith(t, "GET", c.url, c.key, nil, map[string]string{"If-None-Match": etag}); r.Status != 304 {
				t.Errorf("unchanged %s: %d", c.url, r.Status)
			}
		}
		if r := do(t, "HEAD", opURL, operatorKey, nil); r.Status != 200 || len(r.Body) != 0 || r.Header.Get("Content-Length") != fmt.Sprint(len(good)) {
			t.Errorf("HEAD: %d %v %d bytes", r.Status, r.Header, len(r.Body))
		}
		// The packing slip, to staff and the reseller.
		for _, c := range []struct{ url, key string }{{srv.URL + "/v1/operator/orders/" + num(t, o["number"]) + "/documents/packing_slip/file", operatorKey},
			{srv.URL + "/v1/orders/" + num(t, o["number"]) + "/documents/packing_slip/file", demoKey}} {
			var r response
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				if r = do(t, "GET", c.url, c.key, nil); r.Status != 404 || time.Now().After(deadline) {
					break
				}
			}
			if r.Status != 200 || !bytes.Equal(r.Body, slip) {
				t.Errorf("packing slip %s: %d %s", c.url, r.Status, r.Body[:min(200, len(r.Body))])
			}
			if r := doWith(t, "GET", c.url, c.key, nil, map[string]string{"Range": "bytes=1-4"}); r.Status != 206 || string(r.Body) != string(slip[1:5]) {
				t.Errorf("a range of the packing slip %s: %d %q", c.url, r.Status, r.Body)
			}
			if r := doWith(t, "GET", c.url, c.key, nil, map[string]string{"If-None-Match": r.Header.Get("ETag")}); r.Status != 304 || r.Header.Get("ETag") == "" {
				t.Errorf("the packing slip unchanged %s: %d", c.url, r.Status)
			}
		}
		// Staff see any order's file list too.
		if a := decodeNumbers(t, do(t, "GET", fmt.Sprintf("%s/v1/operator/orders/%s/items/%s/artwork", srv.URL, o["number"], item), operatorKey, nil).Body); a["file_state"] != "passed" || len(a["files"].([]any)) != 1 {
			t.Errorf("staff's file list: %v", a)
		}
		if d := decodeNumbers(t, do(t, "GET", fmt.Sprintf("%s/v1/operator/orders/%s/documents", srv.URL, o["number"]), operatorKey, nil).Body); path(t, d, "packing_slip", "state") != "passed" {
			t.Errorf("staff's documents: %v", d)
		}
		// What is not there.
		if _, a := fileState(t, srv.URL, map[string]any{"number": o["number"], "items": []any{map[string]any{"id": json.Number(failed)}}}); a["file_state"] != "failed" {
			t.Fatalf("the failed item: %v", a)
		}
		failedURL := fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork/0/file", srv.URL, o["number"], failed)
		if r := do(t, "GET", failedURL, demoKey, nil); r.Status != 404 || !strings.Contains(string(r.Body), "is not stored (it is failed: the file server answered 404") {
			t.Errorf("a file whose download failed: %d %s", r.Status, r.Body)
		}
		for _, u := range []string{
			fmt.Sprintf("/v1/orders/%s/items/%s/artwork/1/file", o["number"], item),
			fmt.Sprintf("/v1/orders/%s/items/%s/artwork/-1/file", o["number"], item),
			fmt.Sprintf("/v1/orders/%s/items/%s/artwork/x/file", o["number"], item),
			fmt.Sprintf("/v1/orders/%s/items/424242/artwork/0/file", o["number"]),
			fmt.Sprintf("/v1/orders/%s/documents/shipping_label/file", o["number"]),
			fmt.Sprintf("/v1/orders/%s/documents/invoice/file", o["number"]),
			"/v1/orders/99999999/documents/packing_slip/file",
		} {
			if r := do(t, "GET", srv.URL+u, demoKey, nil); r.Status != 404 {
				t.Errorf("%s: %d %s", u, r.Status, r.Body)
			}
		}
		other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
		// (The isolation matrix probes these routes too; here the files are
		// stored, so a 404 is the isolation's and not the file's absence.)
		slipURL := srv.URL + "/v1/orders/" + num(t, o["number"]) + "/documents/packing_slip/file"
		for key, want := range map[string]int{other: 404, "": 401, "wrong-key-123": 401} {
			for _, u := range []string{fileURL, slipURL} {
				if r := do(t, "GET", u, key, nil); r.Status != want {
					t.Errorf("%s with key %q: %d, want %d", u, key, r.Status, want)
				}
			}
		}
		if r := do(t, "GET", opURL, demoKey, nil); r.Status != 401 && r.Status != 403 && r.Status != 404 {
			t.Errorf("a reseller's key on the staff's file: %d", r.Status)
		}
		// A file the store names but storage lost (a restore without its
		// files): 404 saying so, not a retry that cannot help.
		data := srv.Args[slices.Index(srv.Args, "--data")+1]
		filepath.WalkDir(filepath.Join(data, "artwork"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, _ := os.ReadFile(p); bytes.Equal(b, good) {
					os.Remove(p)
				}
			}
			return nil
		})
		if r := do(t, "GET", opURL, operatorKey, nil); r.Status != 404 || !strings.Contains(string(r.Body), "is missing from storage") {
			t.Errorf("a file lost from storage: %d %s", r.Status, r.Body)
		}
	})
}

// TestOrderFilesCLI: staff write an order's print files and packing slip
// into a folder from the command line, beside the running server; a file
// that was not stored is listed with its state; a stored file whose bytes
// changed in storage is refused, not handed to production.
func TestOrderFilesCLI(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		good, slip := testfiles.PDF(200, 400, 10), testfiles.PDF(210, 297, 0)
		files := fileServer(t, map[string][]byte{"/good.pdf": good, "/slip.pdf": slip})
		srv := startServer(t, st.args(t), callbackEnv())
		o := mustOrder(t, srv, demoKey, `{"id":"cli-files","packing_slip":{"url":"`+files.URL+`/slip.pdf"},"delivery":{"address":`+probonl+`},"items":[`+
			`{"code":"dibond","options":`+dibondOptions+`,"files":[{"url":"`+files.URL+`/nope.pdf"}]},`+
			`{"code":"dibond","options":`+dibondOptions+`,"files":[{"url":"`+files.URL+`/good.pdf"}]}]}`)
		n := num(t, o["number"])
		for i := range 2 {
			it := map[string]any{"number": o["number"], "items": []any{path(t, o, "items", i)}}
			fileState(t, srv.URL, it)
		}
		out := t.TempDir()
		var code int
		var stdout, stderr string
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			code, stdout, stderr = runCLI(t, nil, append([]string{"orders", "files", n, "--out", out}, srv.Args...)...)
			if strings.Contains(stdout, "packing-slip.pdf") || time.Now().After(deadline) {
				break
			}
		}
		t.Logf("orders files:\n%s", stdout)
		if code != 0 || !strings.Contains(stdout, "2 file(s) written") || !strings.Contains(stdout, "1 not stored") || !strings.Contains(stdout, "not stored: the file server answered 404") {
			t.Fatalf("orders files: exit %d\n%s%s", code, stdout, stderr)
		}
		for name, want := range map[string][]byte{n + "-item2-file1.pdf": good, n + "-packing-slip.pdf": slip} {
			if b, err := os.ReadFile(filepath.Join(out, name)); err != nil || !bytes.Equal(b, want) {
				t.Errorf("%s: %d bytes, %v", name, len(b), err)
			}
		}
		if entries, _ := os.ReadDir(out); len(entries) != 2 {
			t.Errorf("the folder holds %d entries, want the 2 files", len(entries))
		}
		// Storage damaged under the item's file: the command says so.
		data := srv.Args[slices.Index(srv.Args, "--data")+1]
		var stored []string
		filepath.WalkDir(filepath.Join(data, "artwork"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, _ := os.ReadFile(p); bytes.Equal(b, good) {
					stored = append(stored, p)
				}
			}
			return nil
		})
		if len(stored) != 1 {
			t.Fatalf("the stored copies of the file: %v", stored)
		}
		if err := os.WriteFile(stored[0], append([]byte(nil), good[:len(good)-1]...), 0o600); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr = runCLI(t, nil, append([]string{"orders", "files", n, "--out", t.TempDir()}, srv.Args...)...)
		if code == 0 || !strings.Contains(stderr, "the copy in storage is damaged") {
			t.Errorf("a damaged file: exit %d\n%s%s", code, stdout, stderr)
		}
		// Lost from storage: the rest is written, the loss listed, the exit not 0.
		if err := os.Remove(stored[0]); err != nil {
			t.Fatal(err)
		}
		out2 := t.TempDir()
		code, stdout, stderr = runCLI(t, nil, append([]string{"orders", "files", n, "--out", out2}, srv.Args...)...)
		if code == 0 || !strings.Contains(stdout, "missing from storage") || !strings.Contains(stdout, "1 file(s) written") || !strings.Contains(stderr, "1 stored file(s) of order "+n+" are missing from storage") {
			t.Errorf("a lost file: exit %d\n%s%s", code, stdout, stderr)
		}
		if _, err := os.Stat(filepath.Join(out2, n+"-packing-slip.pdf")); err != nil {
			t.Errorf("the packing slip beside a lost file: %v", err)
		}
		if code, _, stderr := runCLI(t, nil, append([]string{"orders", "files", "99999999", "--out", t.TempDir()}, srv.Args...)...); code == 0 || !strings.Contains(stderr, "99999999") {
			t.Errorf("an unknown order: exit %d %s", code, stderr)
		}
	})
}

// TestCancelledOrdersFilesGo: a cancelled order's print file is let go of
// by the purge (run here by hand, as the hourly one would a week later)
// and deleted from storage; the order still lists the file's hashes, and
// a download says it was deleted.
func TestCancelledOrdersFilesGo(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), callbackEnv())
		o, item, pdf := orderWithUpload(t, srv, "cx-file")
		if r := do(t, "POST", orderURL(srv, o, "/cancel"), demoKey, nil); r.Status != 200 {
			t.Fatalf("cancel: %d %s", r.Status, r.Body)
		}
		cfg := configOf(srv.Args)
		store, err := app.OpenStore(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		if n, err := store.DropUnproducedFiles(context.Background(), time.Now().Add(time.Minute), 100); err != nil || n != 1 {
			t.Fatalf("the purge of unproduced orders' files: %d, %v", n, err)
		}
		folder := artwork.Folder{Dir: filepath.Join(cfg.Data, "artwork")}
		svc := &artwork.Service{Store: store, Blobs: folder}
		if n, err := svc.DeleteDropped(context.Background(), time.Now().Add(time.Minute), 100); err != nil || n != 1 {
			t.Fatalf("the purge of dropped files: %d, %v", n, err)
		}
		var left []string
		filepath.WalkDir(folder.Dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				left = append(left, p)
			}
			return nil
		})
		if len(left) != 0 {
			t.Errorf("stored files left: %v", left)
		}
		a := decodeNumbers(t, do(t, "GET", fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", srv.URL, o["number"], item), demoKey, nil).Body)
		if path(t, a, "files", 0, "md5") != md5hex(pdf) {
			t.Errorf("the cancelled order's file list: %v", a)
		}
		r := do(t, "GET", fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork/0/file", srv.URL, o["number"], item), demoKey, nil)
		if r.Status != 404 || !strings.Contains(string(r.Body), "was deleted: the files of a cancelled or test order go 7 days after its last change") {
			t.Errorf("the deleted file: %d %s", r.Status, r.Body)
		}
	})
}

// TestDeliveredOrdersFilesCanGo: with PRESSROOM_KEEP_DELIVERED_FILES a
// delivered order's print file is let go of when the time is up (the
// purge run here by hand, as the hourly one would); the order keeps the
// hashes, a download and the CLI say why the bytes are gone, and a reprint
// approved afterwards says its file went before it was made. A live order
// keeps its file.
func TestDeliveredOrdersFilesCanGo(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		env := callbackEnv()
		env["PRESSROOM_KEEP_DELIVERED_FILES"] = "2160h"
		srv := startServer(t, st.args(t), env)
		o, item, pdf := orderWithUpload(t, srv, "dl-file")
		live, liveItem, _ := orderWithUpload(t, srv, "dl-live")
		for _, s := range []string{"in_production", "shipment_created", "shipment_delivered"} {
			wantOK(t, do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, `{"status":"`+s+`"}`), 200)
		}
		cfg := configOf(srv.Args)
		store, err := app.OpenStore(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		if n, err := store.DropDeliveredFiles(context.Background(), time.Now().Add(-time.Hour), 100); err != nil || n != 0 {
			t.Fatalf("delivered within the hour: %d, %v", n, err)
		}
		if n, err := store.DropDeliveredFiles(context.Background(), time.Now().Add(time.Minute), 100); err != nil || n != 1 {
			t.Fatalf("the release of delivered orders' files: %d, %v", n, err)
		}
		a := decodeNumbers(t, do(t, "GET", fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork", srv.URL, o["number"], item), demoKey, nil).Body)
		if path(t, a, "files", 0, "md5") != md5hex(pdf) {
			t.Errorf("the delivered order's file list: %v", a)
		}
		r := do(t, "GET", fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork/0/file", srv.URL, o["number"], item), demoKey, nil)
		if r.Status != 404 || !strings.Contains(string(r.Body), "was deleted: the files of a delivered order are kept for a limited time after delivery") {
			t.Errorf("the deleted file: %d %s", r.Status, r.Body)
		}
		code, stdout, _ := runCLI(t, nil, append([]string{"orders", "files", num(t, o["number"]), "--out", t.TempDir()}, srv.Args...)...)
		if !strings.Contains(stdout, "deleted: the files of a delivered order") {
			t.Errorf("orders files of the delivered order: exit %d\n%s", code, stdout)
		}
		if r := do(t, "GET", fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork/0/file", srv.URL, live["number"], liveItem), demoKey, nil); r.Status != 200 {
			t.Errorf("the live order's file: %d", r.Status)
		}
		// A reprint asked for now prints nothing: its file went before it.
		rp := decodeNumbers(t, wantOK(t, do(t, "POST", orderURL(srv, o, "/reprints"), demoKey, `{"reason":"damaged"}`), 201).Body)
		fresh := decodeNumbers(t, wantOK(t, do(t, "POST", srv.URL+"/v1/operator/reprints/"+num(t, rp["id"])+"/approve", operatorKey, nil), 200).Body)["new_order"]
		got := decodeNumbers(t, do(t, "GET", fmt.Sprintf("%s/v1/orders/%s", srv.URL, fresh), demoKey, nil).Body)
		r = do(t, "GET", fmt.Sprintf("%s/v1/orders/%s/items/%s/artwork/0/file", srv.URL, fresh, num(t, path(t, got, "items", 0, "id"))), demoKey, nil)
		if r.Status != 404 || !strings.Contains(string(r.Body), "deleted before this order was made") {
			t.Errorf("the reprint's file: %d %s", r.Status, r.Body)
		}
	})
}

// TestProductionListsOrdersWhoseFilesAreReady: staff list the accepted
// orders whose print files all passed (files=ready), apart from those
// waiting for a file and those with a failed one, over HTTP and with the
// CLI; resellers filter their own the same way; a wrong value is 400.
func TestProductionListsOrdersWhoseFilesAreReady(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		good := testfiles.PDF(200, 400, 10)
		files := fileServer(t, map[string][]byte{"/good.pdf": good})
		srv := startServer(t, st.args(t), callbackEnv())
		ready := mustOrder(t, srv, demoKey, orderWithFile("pr-ready", files.URL+"/good.pdf", ""))
		failed := mustOrder(t, srv, demoKey, orderWithFile("pr-failed", files.URL+"/nope.pdf", ""))
		waiting := mustOrder(t, srv, demoKey, `{"id":"pr-waiting","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true}]}`)
		for _, o := range []map[string]any{ready, failed} {
			fileState(t, srv.URL, o)
		}
		numbers := func(url, key string) []string {
			t.Helper()
			r := do(t, "GET", url, key, nil)
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", url, r.Status, r.Body)
			}
			var out []string
			for _, o := range decodeNumbers(t, r.Body)["data"].([]any) {
				out = append(out, num(t, o.(map[string]any)["number"]))
			}
			return out
		}
		for f, want := range map[string]map[string]any{"ready": ready, "waiting": waiting, "failed": failed} {
			for _, c := range []struct{ url, key string }{{srv.URL + "/v1/operator/orders?status=accepted&files=" + f, operatorKey}, {srv.URL + "/v1/orders?files=" + f, demoKey}} {
				if got := numbers(c.url, c.key); len(got) != 1 || got[0] != num(t, want["number"]) {
					t.Errorf("%s: %v, want [%s]", c.url, got, num(t, want["number"]))
				}
			}
		}
		if r := do(t, "GET", srv.URL+"/v1/orders?files=done", demoKey, nil); r.Status != 400 || !strings.Contains(string(r.Body), `"pointer":"?files"`) {
			t.Errorf("files=done: %d %s", r.Status, r.Body)
		}
		code, stdout, stderr := runCLI(t, nil, append([]string{"orders", "list", "--status", "accepted", "--files", "ready"}, srv.Args...)...)
		if code != 0 || !strings.Contains(stdout, num(t, ready["number"])) || strings.Contains(stdout, num(t, failed["number"])) || strings.Contains(stdout, num(t, waiting["number"])) {
			t.Errorf("orders list --files ready: exit %d\n%s%s", code, stdout, stderr)
		}
		if code, _, stderr := runCLI(t, nil, append([]string{"orders", "list", "--files", "done"}, srv.Args...)...); code != 2 || !strings.Contains(stderr, "--files") {
			t.Errorf("orders list --files done: exit %d %s", code, stderr)
		}
	})
}

// TestStaffSendAnItemsFile: a Profotonet order whose file failed its md5
// waits on hold, and that API has no way to send the file again. Staff
// send the right one (the reseller e-mailed it, or prepress fixed it): it
// is checked as an upload, the order goes on to prepare, the reseller hears
// it, and the file's event names the staff member. What an upload refuses,
// staff's is refused too.
func TestStaffSendAnItemsFile(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		img := photo(t, 400, 600, 90)
		fs := fileServer(t, map[string][]byte{"/a.jpg": img})
		rv := newReceiver(t)
		env := callbackEnv()
		env["PRESSROOM_MAX_FILE_MB"] = "1"
		srv := startServer(t, st.args(t), env)
		anna := decodeNumbers(t, wantOK(t, do(t, "POST", srv.URL+"/v1/operator/keys", operatorKey, `{"name":"Anna (prepress)"}`), 201).Body)["key"].(string)

		// held places a Profotonet order whose file fails its md5, and
		// answers the order (natively) once the file failed.
		held := func(ref string) map[string]any {
			t.Helper()
			bad := pfOrder(ref, fs.URL+"/a.jpg")
			bad["notificationUrl"] = rv.URL + "/" + ref
			bad["entries"].([]any)[0].(map[string]any)["file"].(map[string]any)["md5"] = strings.Repeat("0", 32)
			wantOK(t, pf(t, srv, "POST", "/order", demoKey, bad), 200)
			listed := path(t, decodeNumbers(t, do(t, "GET", srv.URL+"/v1/orders?id="+ref, demoKey, nil).Body), "data", 0)
			o := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/orders/"+num(t, path(t, listed, "number")), demoKey, nil).Body)
			if state, _ := fileState(t, srv.URL, o); state != "failed" {
				t.Fatalf("%s: the file is %s, want failed", ref, state)
			}
			return o
		}
		o := held("staff-fix")
		if cb := decodeNumbers(t, rv.wait(t, "/staff-fix", 2)[1].Body); cb["status"] != "hold" {
			t.Fatalf("the md5 mismatch: %v", cb)
		}
		item := num(t, path(t, o, "items", 0, "id"))
		upload := fmt.Sprintf("%s/v1/operator/orders/%s/items/%s/artwork", srv.URL, o["number"], item)

		r := doWith(t, "PUT", upload, anna, img, map[string]string{"Content-Type": "image/jpeg"})
		if r.Status != 202 || !strings.Contains(string(r.Body), `"source":"upload"`) || !strings.Contains(string(r.Body), md5hex(img)) {
			t.Fatalf("staff's upload: %d %s", r.Status, r.Body)
		}
		if state, a := fileState(t, srv.URL, o); state != "passed" || len(a["files"].([]any)) != 1 {
			t.Fatalf("the file staff sent: %s %v", state, a)
		}
		if cb := decodeNumbers(t, rv.wait(t, "/staff-fix", 3)[2].Body); cb["status"] != "prepare" {
			t.Errorf("the reseller's callback after staff's file: %v", cb)
		}
		if g := pf(t, srv, "GET", "/order?referenceId=staff-fix", demoKey, nil); !strings.Contains(string(g.Body), `"status":"prepare"`) {
			t.Errorf("the order after staff's file: %s", g.Body)
		}
		evs := string(do(t, "GET", operatorURL(srv, o, "/events"), operatorKey, nil).Body)
		if !strings.Contains(evs, `"by":"Anna (prepress)"`) || !strings.Contains(evs, "item "+item+": uploaded by staff") {
			t.Errorf("staff's events do not name who sent the file: %s", evs)
		}

		// Refused as a reseller's upload is.
		for name, c := range map[string]struct {
			url    string
			body   []byte
			status int
		}{
			"not a print file": {upload, []byte("hello, world"), 422},
			"too large":        {upload, append(testfiles.PDF(200, 400, 10), bytes.Repeat([]byte("%"), 2<<20)...), 413},
			"no such order":    {srv.URL + "/v1/operator/orders/424242/items/" + item + "/artwork", img, 404},
			"no such item":     {fmt.Sprintf("%s/v1/operator/orders/%s/items/424242/artwork", srv.URL, o["number"]), img, 404},
		} {
			if r := doWith(t, "PUT", c.url, anna, c.body, map[string]string{"Content-Type": "application/octet-stream"}); r.Status != c.status {
				t.Errorf("%s: %d %s, want %d", name, r.Status, r.Body, c.status)
			}
		}
		wantOK(t, do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, `{"status":"in_production"}`), 200)
		if r := doWith(t, "PUT", upload, anna, img, map[string]string{"Content-Type": "image/jpeg"}); r.Status != 409 || !strings.Contains(string(r.Body), "is in_production; its files can no longer change") {
			t.Errorf("a file for an order in production: %d %s", r.Status, r.Body)
		}
		if state, a := fileState(t, srv.URL, o); state != "passed" || path(t, a, "files", 0, "md5") != md5hex(img) {
			t.Errorf("after the refused uploads: %s %v", state, a)
		}

		// The same from the console: the failed item's row takes a file.
		o2 := held("staff-fix-2")
		b := newBrowser(t, srv)
		wantPage(t, b.post("/console/login", url.Values{"key": {anna}}), 303)
		page2 := fmt.Sprintf("/console/orders/%s", o2["number"])
		target := fmt.Sprintf("%s/items/%s/artwork", page2, num(t, path(t, o2, "items", 0, "id")))
		action := `action="` + target + `"`
		wantPage(t, b.get(page2), 200, action, `type="file" name="artwork"`)
		send := func(data []byte) page {
			ctype, body := artworkForm([][2]string{{"file:artwork", string(data)}})
			return b.send("POST", target, bytes.NewReader(body), map[string]string{"Content-Type": ctype})
		}
		wantPage(t, send([]byte("hello, world")), 422, "The file was not taken")
		wantPage(t, send(append(testfiles.PDF(200, 400, 10), bytes.Repeat([]byte("%"), 2<<20)...)), 413, "larger than 1 MB")
		sent := send(img)
		if sent.Status != 303 || sent.Location != page2+"?done=file" {
			t.Fatalf("the console's upload: %d %q %s", sent.Status, sent.Location, sent.Body)
		}
		wantPage(t, b.get(sent.Location), 200, "The file is stored and being checked", "uploaded by staff", "Anna (prepress)")
		if state, _ := fileState(t, srv.URL, o2); state != "passed" {
			t.Errorf("the file sent from the console: %s", state)
		}
		// An order in production shows no form, and takes no file.
		wantOK(t, do(t, "POST", operatorURL(srv, o2, "/status"), operatorKey, `{"status":"in_production"}`), 200)
		if p := b.get(page2); strings.Contains(p.Body, action) {
			t.Errorf("an order in production offers an upload")
		}
		wantPage(t, send(img), 409, "its files can no longer change")

		// And from the command line, beside the running server.
		o3 := held("staff-fix-3")
		fixed := filepath.Join(t.TempDir(), "fixed.jpg")
		if err := os.WriteFile(fixed, img, 0o644); err != nil {
			t.Fatal(err)
		}
		n3, item3 := num(t, o3["number"]), num(t, path(t, o3, "items", 0, "id"))
		code, out, errOut := runCLI(t, env, append([]string{"orders", "upload", n3, "--item", "424242", fixed}, srv.Args...)...)
		if code == 0 || !strings.Contains(errOut, "has no item 424242") {
			t.Errorf("an upload for no such item: %d %s %s", code, out, errOut)
		}
		code, out, errOut = runCLI(t, env, append([]string{"orders", "upload", n3, "--item", item3, "--by", "Bram", fixed}, srv.Args...)...)
		if code != 0 || !strings.Contains(out, "item "+item3+" of order "+n3+" has the file fixed.jpg (image/jpeg") || !strings.Contains(out, md5hex(img)) {
			t.Fatalf("the command line's upload: %d %s %s", code, out, errOut)
		}
		if state, _ := fileState(t, srv.URL, o3); state != "passed" {
			t.Errorf("the file sent from the command line: %s", state)
		}
		if evs := string(do(t, "GET", operatorURL(srv, o3, "/events"), operatorKey, nil).Body); !strings.Contains(evs, `"by":"Bram"`) {
			t.Errorf("the command line's upload is not Bram's: %s", evs)
		}
	})
}
