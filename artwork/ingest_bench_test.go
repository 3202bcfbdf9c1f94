package artwork_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/internal/testfiles"
)

// BenchmarkIngest200MB streams a 200 MB PDF into the folder store: hashing
// (MD5 and SHA-256), the limit, and the synced write.
func BenchmarkIngest200MB(b *testing.B) {
	doc := testfiles.Doc{W: 200, H: 400, Bleed: 10, Pad: 200 << 20}
	blobs := artwork.Folder{Dir: b.TempDir()}
	b.SetBytes(doc.Size())
	for b.Loop() {
		if _, err := artwork.Ingest(context.Background(), blobs, "orders/1/1/x", doc.Reader(), 1<<30, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// TestIngestHashesEveryByte: sizes around the read-ahead chunk (1 MB) and
// its count (4) hash and store every byte exactly once.
func TestIngestHashesEveryByte(t *testing.T) {
	blobs := artwork.Folder{Dir: t.TempDir()}
	for _, size := range []int64{1<<20 - 1, 1 << 20, 1<<20 + 1, 4 << 20, 4<<20 + 7, 9<<20 + 3} {
		doc := testfiles.Doc{W: 100, H: 100}
		doc.Pad = size - doc.Size()
		b := doc.PDF()
		if int64(len(b)) < size-1024 {
			t.Fatalf("made %d bytes for %d", len(b), size)
		}
		sum := md5.Sum(b)
		sha := sha256.Sum256(b)
		info, err := artwork.Ingest(context.Background(), blobs, "k", bytes.NewReader(b), 1<<30, hex.EncodeToString(sum[:]))
		if err != nil || info.Size != int64(len(b)) || info.SHA256 != hex.EncodeToString(sha[:]) {
			t.Errorf("%d bytes: %+v, %v", len(b), info, err)
		}
		got, _ := os.ReadFile(filepath.Join(blobs.Dir, "k"))
		if !bytes.Equal(got, b) {
			t.Errorf("%d bytes: stored %d differing bytes", len(b), len(got))
		}
	}
}
