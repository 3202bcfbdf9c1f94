package httpx

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
)

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

var byteBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// JSONAppend answers the JSON that appendTo writes (and a newline) with
// status, in one write with its Content-Length, as JSON does: for the hot
// answers whose types write themselves without encoding/json.
func JSONAppend(w http.ResponseWriter, status int, appendTo func([]byte) []byte) {
	bp := byteBuffers.Get().(*[]byte)
	b := append(appendTo((*bp)[:0]), '\n')
	h := w.Header()
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
	if cap(b) <= 1<<20 { // a rare huge answer is not kept
		*bp = b[:0]
		byteBuffers.Put(bp)
	}
}

// JSON answers v as JSON (and a newline) with status. The answer is
// encoded first, into a pooled buffer, and goes out in one write with its
// Content-Length: a large answer written while encoding would leave in
// several chunked writes. A value that cannot be encoded is answered
// with 500 and fallback, the API's own error body. escapeHTML chooses
// whether <, > and & are escaped (encoding/json's default).
func JSON(w http.ResponseWriter, status int, v any, escapeHTML bool, fallback []byte) {
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 { // a rare huge answer is not kept
			buffers.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.Write(fallback)
		buf.WriteByte('\n')
	}
	h := w.Header()
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
