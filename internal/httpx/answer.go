package httpx

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
)

// buffers keep the memory of past answers for the next ones.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// JSONAppend answers the JSON that appendTo writes (and a newline) with
// status, as JSON does: for the hot answers whose types write themselves
// without encoding/json.
func JSONAppend(w http.ResponseWriter, status int, appendTo func([]byte) []byte) {
	bp := buffers.Get().(*[]byte)
	send(w, status, append(appendTo((*bp)[:0]), '\n'), bp)
}

// JSON answers v as JSON (and a newline) with status. The answer is
// encoded first, into a pooled buffer, and goes out in one write with its
// Content-Length: a large answer written while encoding would leave in
// several chunked writes. A value that cannot be encoded is answered
// with 500 and fallback, the API's own error body. escapeHTML chooses
// whether <, > and & are escaped (encoding/json's default).
func JSON(w http.ResponseWriter, status int, v any, escapeHTML bool, fallback []byte) {
	bp := buffers.Get().(*[]byte)
	buf := bytes.NewBuffer((*bp)[:0])
	if err := encode(buf, v, escapeHTML); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.Write(fallback)
		buf.WriteByte('\n')
	}
	send(w, status, buf.Bytes(), bp)
}

// Marshal is v as JSON and a newline, as JSON writes it, for an answer
// that is kept as well as sent (an idempotent request's).
func Marshal(v any, escapeHTML bool) ([]byte, error) {
	var buf bytes.Buffer
	if err := encode(&buf, v, escapeHTML); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encode writes v to buf as JSON and a newline, escaping <, > and & or not.
func encode(buf *bytes.Buffer, v any, escapeHTML bool) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(escapeHTML)
	return enc.Encode(v)
}

// send writes an answer with its Content-Length in one write, then keeps
// its memory in bp for the next answer (a rare huge one is not kept).
func send(w http.ResponseWriter, status int, b []byte, bp *[]byte) {
	h := w.Header()
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
	if cap(b) <= 1<<20 {
		*bp = b[:0]
		buffers.Put(bp)
	}
}
