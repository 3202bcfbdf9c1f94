package artwork_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/internal/s3test"
	"github.com/pressroom/pressroom/internal/testfiles"
)

// PDF and PNG make test files (sizes in points for PDFs, as pdfcpu reports).
func PDF(w, h, b float64) []byte { return testfiles.PDF(w/mm, h/mm, b/mm) }

func PNG(w, h int) []byte { return testfiles.PNG(w, h) }

const mm = 72 / 25.4

// forEachBlobs runs a test on the folder store and on S3 storage (an
// S3-compatible server started for the test).
func forEachBlobs(t *testing.T, f func(t *testing.T, blobs artwork.Blobs)) {
	t.Run("folder", func(t *testing.T) { f(t, artwork.Folder{Dir: t.TempDir()}) })
	t.Run("s3", func(t *testing.T) {
		s3, err := artwork.OpenS3(context.Background(), s3test.Start(t, "art"), s3test.Env)
		if err != nil {
			t.Fatal(err)
		}
		f(t, s3)
	})
}

func read(t *testing.T, blobs artwork.Blobs, key string) ([]byte, error) {
	t.Helper()
	rc, err := blobs.Open(context.Background(), key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func TestIngest(t *testing.T) {
	forEachBlobs(t, func(t *testing.T, blobs artwork.Blobs) {
		ctx := context.Background()
		pdf := PDF(400*mm, 200*mm, 3*mm)
		sum := md5.Sum(pdf)
		info, err := artwork.Ingest(ctx, blobs, "orders/1/2/a", bytes.NewReader(pdf), 1<<20, hex.EncodeToString(sum[:]))
		if err != nil || info.Size != int64(len(pdf)) || info.Type != artwork.TypePDF || info.MD5 != hex.EncodeToString(sum[:]) || len(info.SHA256) != 64 {
			t.Fatalf("ingest = %+v, %v", info, err)
		}
		if got, err := read(t, blobs, "orders/1/2/a"); err != nil || !bytes.Equal(got, pdf) {
			t.Errorf("stored bytes differ (%v)", err)
		}
		// Larger than one S3 part: sent in parts, read back whole.
		big := append(PDF(400*mm, 200*mm, 3*mm), bytes.Repeat([]byte("%0123456789abcdef\n"), 1_200_000)...)
		if info, err := artwork.Ingest(ctx, blobs, "orders/1/2/big", bytes.NewReader(big), 64<<20, ""); err != nil || info.Size != int64(len(big)) {
			t.Fatalf("big ingest = %+v, %v", info, err)
		}
		if got, err := read(t, blobs, "orders/1/2/big"); err != nil || !bytes.Equal(got, big) {
			t.Errorf("big file: %d bytes back of %d (%v)", len(got), len(big), err)
		}
		for name, c := range map[string]struct {
			body  []byte
			limit int64
			md5   string
			code  string
			says  string // in the message
		}{
			"empty":     {nil, 1 << 20, "", "empty_file", "empty"},
			"not a pdf": {[]byte("Hello, this is not a print file."), 1 << 20, "", "unsupported_type", "is not a PDF"},
			// A file-sharing service's share link answers its page.
			"web page":   {[]byte("\xEF\xBB\xBF\n  <!DOCTYPE html><html><head><title>Dropbox</title>"), 1 << 20, "", "unsupported_type", "direct download link"},
			"short html": {[]byte("<html>hello</html>"), 1 << 20, "", "unsupported_type", "is a web page"},
			"too large":  {append(pdf, bytes.Repeat([]byte(" "), 2<<20)...), 1 << 20, "", "file_too_large", "larger than 1 MB"},
			"wrong md5":  {pdf, 1 << 20, strings.Repeat("0", 32), "md5_mismatch", ""},
		} {
			key := "orders/1/2/" + strings.ReplaceAll(name, " ", "-")
			_, err := artwork.Ingest(ctx, blobs, key, bytes.NewReader(c.body), c.limit, c.md5)
			var p *artwork.Problem
			if !errors.As(err, &p) || p.Code != c.code || !strings.Contains(p.Message, c.says) {
				t.Errorf("%s: %v, want %s saying %q", name, err, c.code, c.says)
			}
			if name == "not a pdf" && strings.Contains(p.Message, "web page") {
				t.Errorf("a text file is called a web page: %s", p.Message)
			}
			if _, err := read(t, blobs, key); err == nil {
				t.Errorf("%s: the refused file stayed stored", name)
			}
		}
		if _, err := blobs.Put(ctx, "../escape", strings.NewReader("x")); err == nil {
			t.Error("a key with .. was accepted")
		}
		if _, err := read(t, blobs, "orders/1/2/never"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a missing key opened, or not as missing: %v", err)
		}
		var walked []string
		if err := blobs.Walk(ctx, func(key string, stored time.Time) error {
			if time.Since(stored) > time.Hour || time.Until(stored) > time.Hour {
				t.Errorf("%s stored at %s", key, stored)
			}
			walked = append(walked, key)
			return nil
		}); err != nil || !slices.Contains(walked, "orders/1/2/a") || slices.ContainsFunc(walked, func(k string) bool { return strings.Contains(k, ".upload-") }) {
			t.Errorf("walked %v, %v", walked, err)
		}
		if data, err := read(t, blobs, "orders/1/2/a"); err != nil {
			t.Fatal(err)
		} else if n, err := blobs.Size(ctx, "orders/1/2/a"); err != nil || n != int64(len(data)) {
			t.Errorf("size %d, %v; want %d", n, err, len(data))
		}
		if err := blobs.Delete(ctx, "orders/1/2/a"); err != nil {
			t.Fatal(err)
		}
		if _, err := read(t, blobs, "orders/1/2/a"); err == nil {
			t.Error("a deleted key still opens")
		}
		if _, err := blobs.Size(ctx, "orders/1/2/a"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the size of a deleted key: %v", err)
		}
		if err := blobs.Delete(ctx, "orders/1/2/a"); err != nil {
			t.Errorf("deleting a missing key: %v", err)
		}
	})
}

// TestFolderDeleteTidies: deleting a folder's last file removes the
// folders it leaves empty, not one that still holds a file nor the root;
// a file is stored again where a folder was removed.
func TestFolderDeleteTidies(t *testing.T) {
	ctx := context.Background()
	f := artwork.Folder{Dir: t.TempDir()}
	for _, key := range []string{"orders/1/2/a", "orders/1/3/b", "orders/7/8/c"} {
		if _, err := f.Put(ctx, key, strings.NewReader(key)); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range []string{"orders/1/2/a", "orders/7/8/c"} {
		if err := f.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	there := func(p string) bool { _, err := os.Stat(filepath.Join(f.Dir, p)); return err == nil }
	if there("orders/1/2") || there("orders/7") || !there("orders/1/3/b") || !there("orders") {
		t.Errorf("after the deletes: orders/1/2 %v, orders/7 %v, orders/1/3/b %v, orders %v", there("orders/1/2"), there("orders/7"), there("orders/1/3/b"), there("orders"))
	}
	if err := f.Delete(ctx, "orders/1/3/b"); err != nil {
		t.Fatal(err)
	}
	if entries, err := os.ReadDir(f.Dir); err != nil || len(entries) != 0 {
		t.Errorf("the root after the last delete: %v, %v", entries, err)
	}
	if _, err := f.Put(ctx, "orders/1/2/d", strings.NewReader("again")); err != nil {
		t.Errorf("a file where the folder was removed: %v", err)
	}
}

// doc makes a 400 x 200 mm PDF with 3 mm bleed and more of d.
func doc(d testfiles.Doc) []byte {
	d.W, d.H, d.Bleed = 400, 200, 3
	return d.PDF()
}

func with(s artwork.Spec, f func(*artwork.Spec)) artwork.Spec {
	f(&s)
	return s
}

func TestPreflight(t *testing.T) {
	spec := artwork.Spec{WidthMM: 400, HeightMM: 200, Reversible: true, BleedMM: 3, MinDPI: 72}
	check := func(typ string, b []byte, s artwork.Spec) []string {
		var codes []string
		for _, f := range artwork.Check(bytes.NewReader(b), typ, s) {
			codes = append(codes, f.Severity+":"+f.Code)
		}
		return codes
	}
	for name, c := range map[string]struct {
		typ  string
		body []byte
		spec artwork.Spec
		want string
	}{
		"fits":               {artwork.TypePDF, PDF(400*mm, 200*mm, 3*mm), spec, "[]"},
		"turned":             {artwork.TypePDF, PDF(200*mm, 400*mm, 3*mm), spec, "[]"},
		"turned, fixed":      {artwork.TypePDF, PDF(200*mm, 400*mm, 3*mm), artwork.Spec{WidthMM: 400, HeightMM: 200}, "[error:page_size]"},
		"wrong size":         {artwork.TypePDF, PDF(210*mm, 297*mm, 3*mm), spec, "[error:page_size]"},
		"no bleed":           {artwork.TypePDF, PDF(400*mm, 200*mm, 0), spec, "[error:bleed_missing]"},
		"truncated":          {artwork.TypePDF, PDF(400*mm, 200*mm, 3*mm)[:100], spec, "[error:unreadable_pdf]"},
		"image sharp":        {artwork.TypePNG, PNG(1200, 600), spec, "[]"},
		"image coarse":       {artwork.TypePNG, PNG(200, 100), spec, "[error:resolution_low]"},
		"image a bit low":    {artwork.TypePNG, PNG(1000, 500), spec, "[warning:resolution_low]"},
		"image square":       {artwork.TypePNG, PNG(1200, 1200), spec, "[warning:aspect_ratio]"},
		"image square, fill": {artwork.TypePNG, PNG(1200, 1200), with(spec, func(s *artwork.Spec) { s.Fill = true }), "[warning:aspect_ratio]"},
		"not an image":       {artwork.TypePNG, []byte("\x89PNG\r\n\x1a\ngarbage"), spec, "[error:unreadable_image]"},
		// Pages: counted against the item, or one chosen.
		"two pages for two":   {artwork.TypePDF, doc(testfiles.Doc{Pages: 2}), with(spec, func(s *artwork.Spec) { s.Pages = 2 }), "[]"},
		"two pages for one":   {artwork.TypePDF, doc(testfiles.Doc{Pages: 2}), with(spec, func(s *artwork.Spec) { s.Pages = 1 }), "[error:page_count]"},
		"padded to 3 MB":      {artwork.TypePDF, doc(testfiles.Doc{Pad: 3 << 20}), spec, "[]"},
		"one page for five":   {artwork.TypePDF, doc(testfiles.Doc{Pages: 1}), with(spec, func(s *artwork.Spec) { s.Pages = 5 }), "[]"},
		"five pages for five": {artwork.TypePDF, doc(testfiles.Doc{Pages: 5}), with(spec, func(s *artwork.Spec) { s.Pages = 5 }), "[]"},
		"two pages for five":  {artwork.TypePDF, doc(testfiles.Doc{Pages: 2}), with(spec, func(s *artwork.Spec) { s.Pages = 5 }), "[error:page_count]"},
		"page 2 of 3 chosen":  {artwork.TypePDF, doc(testfiles.Doc{Pages: 3}), with(spec, func(s *artwork.Spec) { s.Pages, s.Page = 1, 2 }), "[]"},
		"page 5 of 3 chosen":  {artwork.TypePDF, doc(testfiles.Doc{Pages: 3}), with(spec, func(s *artwork.Spec) { s.Page = 5 }), "[error:page_missing]"},
		// Fonts must be embedded.
		"font not embedded": {artwork.TypePDF, doc(testfiles.Doc{Font: "Helvetica"}), spec, "[error:font_not_embedded]"},
		// An image filling the page is judged at print size; others are not.
		"page image sharp":     {artwork.TypePDF, doc(testfiles.Doc{ImageW: 1200, ImageH: 600}), spec, "[]"},
		"page image a bit low": {artwork.TypePDF, doc(testfiles.Doc{ImageW: 1000, ImageH: 500}), spec, "[warning:resolution_low]"},
		"page image coarse":    {artwork.TypePDF, doc(testfiles.Doc{ImageW: 200, ImageH: 100}), spec, "[error:resolution_low]"},
		"square image unknown": {artwork.TypePDF, doc(testfiles.Doc{ImageW: 100, ImageH: 100}), spec, "[]"},
	} {
		got := check(c.typ, c.body, c.spec)
		if fmt.Sprint(got) != c.want && !(c.want == "[]" && len(got) == 0) {
			t.Errorf("%s: %v, want %s", name, got, c.want)
		}
	}
}

// An image whose header claims billions of pixels is refused without being decoded.
// TestAspectMessage: the fill option of the file decides what the warning
// tells the reseller.
func TestAspectMessage(t *testing.T) {
	spec := artwork.Spec{WidthMM: 400, HeightMM: 200}
	fit := artwork.Check(bytes.NewReader(PNG(1200, 1200)), artwork.TypePNG, spec)
	spec.Fill = true
	fill := artwork.Check(bytes.NewReader(PNG(1200, 1200)), artwork.TypePNG, spec)
	if len(fit) != 1 || !strings.Contains(fit[0].Message, "blank edges") || len(fill) != 1 || !strings.Contains(fill[0].Message, "crops") {
		t.Errorf("fit: %+v; fill: %+v", fit, fill)
	}
}

func TestImageBomb(t *testing.T) {
	b := PNG(1, 1)
	// Rewrite the IHDR width and height (bytes 16..23) to 100000 x 100000.
	copy(b[16:24], []byte{0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0})
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29])) // the chunk's checksum
	fs := artwork.Check(bytes.NewReader(b), artwork.TypePNG, artwork.Spec{WidthMM: 100, HeightMM: 100, MinDPI: 72})
	if len(fs) != 1 || fs[0].Code != "image_too_large" {
		t.Errorf("bomb: %+v", fs)
	}
}
