package httpx

import (
	"io"
	"net/http"
	"time"
)

// UploadStall is how long an upload may send nothing before it fails.
const UploadStall = time.Minute

// LongBody lets a large request body (a print file) take as long as it
// needs while its bytes keep coming. The server's own read and write
// timeouts fit API requests; a 500 MB file on a line of a few Mbit/s
// takes longer, and the connection would be cut mid-file with no answer.
// Each read moves the connection's read deadline, and the write deadline
// of the answer that follows, to stall from now (at most every quarter of
// stall), so only a body that sends nothing for stall fails.
func LongBody(w http.ResponseWriter, r *http.Request, stall time.Duration) io.ReadCloser {
	return &longBody{rc: http.NewResponseController(w), body: r.Body, stall: stall}
}

type longBody struct {
	rc    *http.ResponseController
	body  io.ReadCloser
	stall time.Duration
	moved time.Time
}

func (b *longBody) Read(p []byte) (int, error) {
	if now := time.Now(); now.Sub(b.moved) >= b.stall/4 {
		b.moved = now
		// A writer without deadlines (a test recorder) keeps the server's.
		b.rc.SetReadDeadline(now.Add(b.stall))
		b.rc.SetWriteDeadline(now.Add(b.stall))
	}
	return b.body.Read(p)
}

func (b *longBody) Close() error { return b.body.Close() }
