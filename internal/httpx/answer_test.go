package httpx

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// A JSON answer goes out with its length (not chunked), escapes HTML only
// when asked, and a value that cannot be encoded is answered with the
// API's own 500 body instead of half a document.
func TestJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			JSON(w, http.StatusCreated, map[string]string{"a": strings.Repeat("<x>", 10_000)}, r.URL.Query().Has("escape"), nil)
		case "/bad":
			JSON(w, http.StatusOK, map[string]any{"f": func() {}}, true, []byte(`{"error":"internal"}`))
		}
	}))
	defer srv.Close()
	for _, c := range []struct {
		path, want string
		status     int
	}{
		{"/big", `{"a":"<x><x>`, 201},
		{"/big?escape", `{"a":"\u003cx\u003e`, 201},
		{"/bad", `{"error":"internal"}` + "\n", 500},
	} {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		buf, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != c.status || !strings.HasPrefix(string(buf), c.want) || !strings.HasSuffix(string(buf), "\n") {
			t.Errorf("%s: %d %.40q", c.path, resp.StatusCode, buf)
		}
		if len(resp.TransferEncoding) > 0 || resp.Header.Get("Content-Length") != strconv.Itoa(len(buf)) {
			t.Errorf("%s: transfer encoding %v, Content-Length %q for %d bytes", c.path, resp.TransferEncoding, resp.Header.Get("Content-Length"), len(buf))
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", c.path, ct)
		}
	}
}
