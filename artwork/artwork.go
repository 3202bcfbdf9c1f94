// Package artwork takes print files in (downloaded or uploaded), streams
// them to storage while hashing them, and checks them against the ordered
// item (the preflight).
package artwork

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pressroom/pressroom/order"
)

// Blobs stores file contents under keys the code makes (never from a name
// someone gave).
type Blobs interface {
	// Put stores r under key and reports how many bytes it stored.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	// Open reads what is stored under key.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes key; a missing key is no error.
	Delete(ctx context.Context, key string) error
	// Size is the stored size of key (an error wrapping fs.ErrNotExist
	// when there is none).
	Size(ctx context.Context, key string) (int64, error)
	// Walk calls fn with every stored key and when it was stored, in no
	// set order, until fn returns an error.
	Walk(ctx context.Context, fn func(key string, stored time.Time) error) error
}

// Folder keeps blobs as files below a directory.
type Folder struct{ Dir string }

func (f Folder) path(key string) (string, error) {
	if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") || strings.ContainsAny(key, "\\\x00") {
		return "", fmt.Errorf("artwork: bad blob key %q", key)
	}
	return filepath.Join(f.Dir, filepath.FromSlash(key)), nil
}

// Put writes to a temporary file, syncs it and renames it into place, so a
// reader never sees half a file and a crash leaves no half file under key.
func (f Folder) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	p, err := f.path(key)
	if err != nil {
		return 0, err
	}
	var tmp *os.File
	for try := 0; ; try++ {
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			return 0, err
		}
		tmp, err = os.CreateTemp(filepath.Dir(p), ".upload-*")
		// A Delete may remove the folder it emptied between the two.
		if err == nil || !errors.Is(err, os.ErrNotExist) || try == 2 {
			break
		}
	}
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, readerCtx{ctx, r})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	return n, os.Rename(tmp.Name(), p)
}

// Open reads a blob.
func (f Folder) Open(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := f.path(key)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

// Delete removes a blob.
func (f Folder) Delete(_ context.Context, key string) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	// The folders it leaves empty go too (an order's, a session's); one
	// that is not empty stays, and the error says so.
	root := filepath.Clean(f.Dir)
	for dir := filepath.Dir(p); dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

// Size is the stored size of key, or an error wrapping fs.ErrNotExist when
// there is none.
func (f Folder) Size(_ context.Context, key string) (int64, error) {
	p, err := f.path(key)
	if err != nil {
		return 0, err
	}
	info, err := os.Stat(p)
	if err != nil {
		return 0, err
	}
	return info.Size(), nil
}

// Walk calls fn with every file's key and modification time; files being
// written (".upload-*") are not keys.
func (f Folder) Walk(ctx context.Context, fn func(key string, stored time.Time) error) error {
	root := filepath.Clean(f.Dir)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // gone meanwhile, or no folder yet
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		return fn(filepath.ToSlash(rel), info.ModTime())
	})
	return err
}

// readerCtx stops a copy when the context ends.
type readerCtx struct {
	ctx context.Context
	r   io.Reader
}

func (r readerCtx) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// Types of file pressroom takes, by their first bytes (never by name).
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeTIFF = "image/tiff"
)

// Ext is the file name extension of a type pressroom takes (".bin" for
// another).
func Ext(contentType string) string {
	switch contentType {
	case TypePDF:
		return ".pdf"
	case TypeJPEG:
		return ".jpg"
	case TypePNG:
		return ".png"
	case TypeTIFF:
		return ".tif"
	}
	return ".bin"
}

// FileName is the name an order's stored file is handed out under:
// {number}-item{position}-file{index+1}.pdf for an item's file,
// {number}-packing-slip.pdf and {number}-shipping-label.pdf for the
// order's documents (item 0).
func FileName(number int64, position int, a *order.Artwork) string {
	if a.ItemID == 0 {
		kind := map[int]string{order.DocPackingSlip: "packing-slip", order.DocShippingLabel: "shipping-label"}[a.Index]
		return fmt.Sprintf("%d-%s%s", number, kind, Ext(a.ContentType))
	}
	return fmt.Sprintf("%d-item%d-file%d%s", number, position, a.Index+1, Ext(a.ContentType))
}

// Sniff names the type of a file from its first bytes, or "".
func Sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return TypePDF
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return TypeTIFF
	}
	return ""
}

// webPage tells whether a file's first bytes are HTML: what a share link
// of a file-sharing service answers instead of the file.
func webPage(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")) // a UTF-8 byte order mark
	head = bytes.ToLower(bytes.TrimLeft(head, " \t\r\n"))
	for _, tag := range []string{"<!doctype html", "<html", "<head", "<body", "<!--", "<meta", "<script", "<title"} {
		if bytes.HasPrefix(head, []byte(tag)) {
			return true
		}
	}
	return false
}

// Info is what arrived.
type Info struct {
	Size        int64
	MD5, SHA256 string // hex
	Type        string
}

// Problem is a file refused on arrival, with a sentence a person understands.
type Problem struct {
	Code    string
	Message string
}

func (p *Problem) Error() string { return p.Message }

// ErrTooLarge and friends are the refusals of Ingest.
var (
	ErrEmpty = &Problem{"empty_file", "the file is empty"}
)

// Ingest streams r into blobs under key, at most limit bytes, hashing it on
// the way and naming its type from its first bytes. A file over the limit,
// empty, of another type or not matching wantMD5 is a *Problem; nothing
// stays stored then. Memory use does not grow with the file.
func Ingest(ctx context.Context, blobs Blobs, key string, r io.Reader, limit int64, wantMD5 string) (Info, error) {
	var info Info
	br := bufio.NewReaderSize(r, 4096)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return info, err
	}
	if len(head) == 0 {
		return info, ErrEmpty
	}
	if info.Type = Sniff(head); info.Type == "" {
		if webPage(head) {
			return info, &Problem{"unsupported_type", "the file is a web page, not a PDF, JPEG, PNG or TIFF: a link to a file-sharing page gives the page; give the file's direct download link"}
		}
		return info, &Problem{"unsupported_type", "the file is not a PDF, JPEG, PNG or TIFF (judged by its content, not its name)"}
	}
	hm, hs := md5.New(), sha256.New()
	counted := &limited{r: br, left: limit}
	hashed := newHashingReader(counted, hm, hs)
	n, err := blobs.Put(ctx, key, hashed)
	hashed.Close()
	if counted.over.Load() {
		blobs.Delete(context.WithoutCancel(ctx), key)
		return info, &Problem{"file_too_large", fmt.Sprintf("the file is larger than %d MB", limit>>20)}
	}
	if err != nil {
		blobs.Delete(context.WithoutCancel(ctx), key)
		return info, err
	}
	info.Size, info.MD5, info.SHA256 = n, hex.EncodeToString(hm.Sum(nil)), hex.EncodeToString(hs.Sum(nil))
	if wantMD5 != "" && !strings.EqualFold(wantMD5, info.MD5) {
		blobs.Delete(context.WithoutCancel(ctx), key)
		return info, &Problem{"md5_mismatch", fmt.Sprintf("the file's MD5 is %s, not the %s given with it", info.MD5, strings.ToLower(wantMD5))}
	}
	return info, nil
}

// limited reads at most left bytes and remembers when there was more.
type limited struct {
	r    io.Reader
	left int64
	over atomic.Bool
}

func (l *limited) Read(p []byte) (int, error) {
	if l.left < 0 {
		l.over.Store(true)
		return 0, errors.New("over the limit")
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		l.over.Store(true)
		return 0, errors.New("over the limit")
	}
	return n, err
}

// NewKey makes a blob key for a file of an order's item: scoped to the
// order, unique, and free of any name someone gave.
func NewKey(orderNumber, itemID int64) string {
	var b [12]byte
	rand.Read(b[:])
	return fmt.Sprintf("orders/%d/%d/%s", orderNumber, itemID, hex.EncodeToString(b[:]))
}

// hashingReader reads its source ahead in chunks that the hashes (each in
// a goroutine of its own) and the caller consume at the same time: hashing
// and storing overlap on all cores. At most hashChunks chunks are in
// flight.
type hashingReader struct {
	out     chan *chunk
	free    chan []byte
	done    chan struct{}
	hashers sync.WaitGroup
	cur     *chunk
	off     int
	err     error
	closed  bool
}

const (
	firstChunk = 64 << 10
	hashChunk  = 1 << 20
	hashChunks = 4
)

// chunk is a filled buffer; it returns to the free list when every reader
// of it is done.
type chunk struct {
	b    []byte
	refs atomic.Int32
	err  error // set on the last chunk: why the source ended
}

func (h *hashingReader) release(c *chunk) {
	if c.refs.Add(-1) == 0 && c.b != nil {
		h.free <- c.b[:cap(c.b)]
	}
}

func newHashingReader(r io.Reader, hashes ...hash.Hash) *hashingReader {
	h := &hashingReader{out: make(chan *chunk, hashChunks), free: make(chan []byte, hashChunks), done: make(chan struct{})}
	feeds := make([]chan *chunk, len(hashes))
	for i, x := range hashes {
		feeds[i] = make(chan *chunk, hashChunks)
		h.hashers.Add(1)
		go func() {
			defer h.hashers.Done()
			for c := range feeds[i] {
				x.Write(c.b)
				h.release(c)
			}
		}()
	}
	go func() {
		defer func() {
			for _, f := range feeds {
				close(f)
			}
		}()
		// Buffers are made as the source proves long: 64 kB first, then
		// four times larger up to hashChunk, at most hashChunks at a time.
		// A print file of a few kB must not cost megabytes of zeroed memory.
		made, size := 0, firstChunk
		take := func(b []byte) []byte {
			if cap(b) < size { // outgrown: make a larger one
				made--
				return nil
			}
			return b[:cap(b)]
		}
		for {
			var b []byte
			for b == nil {
				select {
				case got := <-h.free:
					b = take(got)
					continue
				default:
				}
				if made < hashChunks {
					b, made, size = make([]byte, size), made+1, min(size*4, hashChunk)
					continue
				}
				select {
				case got := <-h.free:
					b = take(got)
				case <-h.done:
					return
				}
			}
			n, err := io.ReadFull(r, b)
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			c := &chunk{b: b[:n], err: err}
			if n == 0 {
				c.b = nil
				h.free <- b
			} else {
				c.refs.Store(int32(len(feeds) + 1))
				for _, f := range feeds {
					f <- c
				}
			}
			select {
			case h.out <- c:
			case <-h.done:
				h.release(c)
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return h
}

func (h *hashingReader) Read(p []byte) (int, error) {
	for h.cur == nil || h.off == len(h.cur.b) {
		if h.cur != nil {
			if h.cur.err != nil {
				h.err = h.cur.err
			}
			h.release(h.cur)
			h.cur = nil
		}
		if h.err != nil {
			return 0, h.err
		}
		h.cur, h.off = <-h.out, 0
	}
	n := copy(p, h.cur.b[h.off:])
	h.off += n
	return n, nil
}

// Close stops reading ahead and waits for the hashes: they are complete
// after it when the source was read to its end.
func (h *hashingReader) Close() {
	if h.closed {
		return
	}
	h.closed = true
	close(h.done)
	if h.cur != nil {
		h.release(h.cur)
		h.cur = nil
	}
	// Drain what was read ahead so the hashers can finish.
	for {
		select {
		case c := <-h.out:
			h.release(c)
			continue
		default:
		}
		break
	}
	h.hashers.Wait()
}
