package artwork

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"io"
	"testing"
	"testing/iotest"

	"pgregory.net/rapid"
)

// Whatever the source's length and however it hands out its bytes, the
// reader gives back every byte in order and both hashes are those of the
// whole source, also across the growing buffer sizes (64 kB, 256 kB, 1 MB).
func TestHashingReader(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.OneOf(rapid.IntRange(0, 2*firstChunk), rapid.IntRange(0, 6*hashChunk)).Draw(t, "size")
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(i*7 + i>>9)
		}
		var r io.Reader = bytes.NewReader(src)
		switch rapid.IntRange(0, 2).Draw(t, "source") {
		case 1:
			r = iotest.HalfReader(r)
		case 2:
			r = iotest.DataErrReader(r)
		}
		m, s := md5.New(), sha256.New()
		h := newHashingReader(r, m, s)
		got, err := io.ReadAll(iotest.HalfReader(h))
		h.Close()
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("read %d of %d bytes, equal %v, %v", len(got), n, bytes.Equal(got, src), err)
		}
		wm, ws := md5.Sum(src), sha256.Sum256(src)
		if !bytes.Equal(m.Sum(nil), wm[:]) || !bytes.Equal(s.Sum(nil), ws[:]) {
			t.Fatalf("hashes of %d bytes differ", n)
		}
	})
}
