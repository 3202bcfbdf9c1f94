package artwork

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/pricing"
)

// Service gets files in and checks them.
type Service struct {
	Store   pressroom.Store
	Orders  *orders.Service
	Catalog *catalog.Service
	Blobs   Blobs
	// Fetcher opens the files named by URL (outbound.Fetcher: over HTTP,
	// with the SSRF guard and bounded redirects).
	Fetcher Fetcher
	// Limit is the largest file taken, in bytes.
	Limit  int64
	Logger *slog.Logger
	// Scratch is a folder for the copy a preflight reads (blobs may be remote).
	Scratch string
	// Stall ends a download whose body sends nothing for this long (0: 60 s).
	Stall time.Duration
	// Isolate runs each preflight in a child process; nil checks in process
	// (tests of the checks themselves).
	Isolate *Isolated
}

// Fetcher opens the print files resellers name by URL.
type Fetcher interface {
	// Fetch opens the file at url for reading; the caller closes it. Its
	// error is a *Problem when the URL will not do (refused, not there,
	// larger than limit: the file fails) and a *Transient when a later try
	// may work (no answer, the server's own trouble).
	Fetch(ctx context.Context, url string, limit int64) (io.ReadCloser, error)
}

// Transient is a download failure worth retrying (a timeout, a refused
// connection, a 5xx); everything else ends the file with a finding.
type Transient struct{ Reason string }

func (t *Transient) Error() string { return t.Reason }

// Download fetches the files of an order's item at position. A transient
// failure is returned so that the job retries it with backoff, unless last
// is set: then it ends the file as failed with the reason.
func (s *Service) Download(ctx context.Context, number int64, position int, last bool) error {
	o, err := s.Store.FindOrder(ctx, 0, number)
	if pressroom.ErrorCode(err) == pressroom.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if position < 1 || position > len(o.Items) || o.Status == order.Cancelled {
		return nil
	}
	it := o.Items[position-1]
	if it.FileState != order.FileDownloading {
		return nil
	}
	done, err := s.Store.ListArtwork(ctx, number, it.ID)
	if err != nil {
		return err
	}
	for i, f := range it.Files {
		var have *order.Artwork
		for _, d := range done {
			if d.Index == i {
				have = d
			}
		}
		if have != nil && have.State != order.FileDownloading && have.Source == "url" && have.URL == f.URL {
			continue // fetched on an earlier run
		}
		a := &order.Artwork{OrderNumber: number, ItemID: it.ID, Index: i, Source: "url", URL: f.URL, ExpectedMD5: f.MD5, State: order.FileDownloading}
		ferr := s.fetch(ctx, a)
		var tr *Transient
		if errors.As(ferr, &tr) && !last {
			a.Error = tr.Reason + " (retrying)"
			if err := s.Store.SaveArtwork(ctx, a); err != nil {
				return err
			}
			return ferr
		}
		if ferr != nil {
			a.State, a.Error = order.FileFailed, ferr.Error()
			code := "download_failed"
			var p *Problem
			if errors.As(ferr, &p) {
				code = p.Code
			}
			a.Findings = []order.Finding{{Code: code, Severity: "error", Message: ferr.Error()}}
			if errors.As(ferr, &tr) {
				a.Error = "gave up: " + tr.Reason
				a.Findings[0].Message = a.Error
			}
		} else {
			a.State = order.FileChecking
		}
		if err := s.Store.SaveArtwork(ctx, a); err != nil {
			return err
		}
		if a.State == order.FileFailed {
			_, err := s.Orders.SetFileState(ctx, number, it.ID, order.FileFailed, fmt.Sprintf("file %d: %s", i+1, a.Error))
			return err
		}
	}
	if _, err := s.Orders.SetFileState(ctx, number, it.ID, order.FileChecking, "downloaded"); err != nil {
		return err
	}
	return s.Preflight(ctx, number, it.ID)
}

// fetch downloads one file into the blobs.
func (s *Service) fetch(ctx context.Context, a *order.Artwork) error {
	stall := s.Stall
	if stall <= 0 {
		stall = 60 * time.Second
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	rc, err := s.Fetcher.Fetch(ctx, a.URL, s.Limit)
	if err != nil {
		var p *Problem
		var tr *Transient
		if errors.As(err, &p) || errors.As(err, &tr) {
			return err
		}
		return &Transient{err.Error()}
	}
	defer rc.Close()
	a.BlobKey = NewKey(a.OrderNumber, a.ItemID)
	body := &idleReader{r: rc, d: stall, t: time.AfterFunc(stall, func() { cancel(errStalled) })}
	defer body.t.Stop()
	info, err := Ingest(ctx, s.Blobs, a.BlobKey, body, s.Limit, a.ExpectedMD5)
	if err != nil {
		if context.Cause(ctx) == errStalled {
			a.BlobKey = ""
			return &Transient{fmt.Sprintf("the file server sent nothing for %s", stall)}
		}
		var p *Problem
		if errors.As(err, &p) {
			a.BlobKey = ""
			return err
		}
		a.BlobKey = ""
		return &Transient{"the download broke off: " + err.Error()}
	}
	a.Size, a.MD5, a.SHA256, a.ContentType = info.Size, info.MD5, info.SHA256, info.Type
	return nil
}

// Upload stores a file sent for a reseller's item, replacing the item's
// files, and queues its preflight.
func (s *Service) Upload(ctx context.Context, resellerID, number, itemID int64, r io.Reader) (*order.Artwork, error) {
	return s.UploadBy(ctx, resellerID, number, itemID, r, order.Who{Actor: order.ActorSystem})
}

// UploadBy is Upload for a file who sent: staff, for any reseller's order
// (resellerID 0), with a file fixed in prepress or one the reseller sent
// another way. The item's file event names them.
func (s *Service) UploadBy(ctx context.Context, resellerID, number, itemID int64, r io.Reader, who order.Who) (*order.Artwork, error) {
	if err := s.Uploadable(ctx, resellerID, number, itemID); err != nil {
		return nil, err
	}
	key := NewKey(number, itemID)
	info, err := s.Take(ctx, key, r)
	if err != nil {
		return nil, err
	}
	reason := "uploaded"
	if who.Actor == order.ActorOperator {
		reason = "uploaded by staff"
	}
	a, err := s.attach(ctx, number, itemID, key, info, reason, who)
	if err != nil {
		s.Discard(ctx, key)
	}
	return a, err
}

// Uploadable reports whether a reseller's order item may take a new file
// now: ENOTFOUND for no such item, ECONFLICT with the reason otherwise.
func (s *Service) Uploadable(ctx context.Context, resellerID, number, itemID int64) error {
	o, err := s.Store.FindOrder(ctx, resellerID, number)
	if err != nil {
		return err
	}
	var it *order.Item
	for _, x := range o.Items {
		if x.ID == itemID {
			it = x
		}
	}
	if it == nil {
		return pressroom.Errorf(pressroom.ENOTFOUND, "Order %d has no item %d.", number, itemID)
	}
	return Replaceable(o, it)
}

// Replaceable reports whether an order's item may take a new file now:
// nil, or ECONFLICT with the reason.
func Replaceable(o *order.Order, it *order.Item) error {
	number, itemID := o.Number, it.ID
	switch {
	case it.FileState == order.FileNone:
		return pressroom.Errorf(pressroom.ECONFLICT, "Item %d needs no print file.", itemID)
	case o.Status != order.Accepted && o.Status != order.Hold && o.Status != order.Draft:
		return pressroom.Errorf(pressroom.ECONFLICT, "Order %d is %s; its files can no longer change.", number, o.Status)
	case it.FileState == order.FileDownloading || it.FileState == order.FileChecking:
		return pressroom.Errorf(pressroom.ECONFLICT, "Item %d's file is being %s; wait for its result.", itemID, map[order.FileState]string{order.FileDownloading: "downloaded", order.FileChecking: "checked"}[it.FileState])
	}
	return nil
}

// Take streams a file into storage under key: hashed, typed by its bytes,
// within the limit. What is refused is EINVALID (ETOOLARGE over the limit)
// with the reason at /artwork.
func (s *Service) Take(ctx context.Context, key string, r io.Reader) (Info, error) {
	info, err := Ingest(ctx, s.Blobs, key, r, s.Limit, "")
	if err != nil {
		var p *Problem
		if errors.As(err, &p) {
			code := pressroom.EINVALID
			if p.Code == "file_too_large" {
				code = pressroom.ETOOLARGE
			}
			return info, &pressroom.Error{Code: code, Message: "The file was not taken: " + p.Message + ".",
				Fields: []pressroom.FieldError{{Pointer: "/artwork", Code: p.Code, Detail: p.Message}}}
		}
		return info, err
	}
	return info, nil
}

// Attach makes a stored file (Take) an item's file and queues its check.
func (s *Service) Attach(ctx context.Context, number, itemID int64, key string, info Info) (*order.Artwork, error) {
	return s.attach(ctx, number, itemID, key, info, "uploaded", order.Who{Actor: order.ActorSystem})
}

func (s *Service) attach(ctx context.Context, number, itemID int64, key string, info Info, reason string, who order.Who) (*order.Artwork, error) {
	a := &order.Artwork{OrderNumber: number, ItemID: itemID, Index: 0, Source: "upload", BlobKey: key,
		Size: info.Size, MD5: info.MD5, SHA256: info.SHA256, ContentType: info.Type, State: order.FileChecking}
	// The upload replaces the item's files: a URL's file that failed must
	// not fail the item again, nor be printed beside it.
	if err := s.Store.ReplaceArtwork(ctx, number, itemID, a); err != nil {
		return nil, err
	}
	job := pressroom.Job{Args: orders.PreflightArgs{Number: number, ItemID: itemID}}
	if _, err := s.Orders.SetFileStateBy(ctx, number, itemID, order.FileChecking, reason, who, job); err != nil {
		return nil, err
	}
	return a, nil
}

// Preflight checks an item's files and sets the item passed or failed.
func (s *Service) Preflight(ctx context.Context, number, itemID int64) error {
	o, err := s.Store.FindOrder(ctx, 0, number)
	if pressroom.ErrorCode(err) == pressroom.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	var it *order.Item
	for _, x := range o.Items {
		if x.ID == itemID {
			it = x
		}
	}
	if it == nil || it.FileState != order.FileChecking {
		return nil
	}
	files, err := s.Store.ListArtwork(ctx, number, itemID)
	if err != nil {
		return err
	}
	spec := s.spec(o, it)
	failed, why := false, ""
	for _, a := range files {
		if a.State != order.FileChecking {
			failed = failed || a.State == order.FileFailed
			continue
		}
		fs := spec
		if a.Source == "url" && a.Index < len(it.Files) {
			fs.Fill = it.Files[a.Index].Fill
		}
		if a.Source == "url" && a.Index < len(it.Files) && it.Files[a.Index].Page > 0 {
			fs.Page, fs.Pages = it.Files[a.Index].Page, 0 // one page of the file is printed
		} else if len(files) > 1 {
			fs.Pages = 0 // the pages are spread over the files
		}
		findings, err := s.check(ctx, a, fs)
		if err != nil {
			return err
		}
		a.Findings, a.State = findings, order.FilePassed
		if Failed(findings) {
			a.State, failed = order.FileFailed, true
			for _, f := range findings {
				if f.Severity == "error" && why == "" {
					why = f.Message
				}
			}
		}
		if err := s.Store.SaveArtwork(ctx, a); err != nil {
			return err
		}
	}
	state, reason := order.FilePassed, "preflight passed"
	if failed {
		state, reason = order.FileFailed, "preflight found problems"
		if why != "" {
			reason += ": " + why
		}
	}
	_, err = s.Orders.SetFileState(ctx, number, itemID, state, reason)
	return err
}

// check copies the file to a scratch file (preflight needs to seek) and checks it.
func (s *Service) check(ctx context.Context, a *order.Artwork, spec Spec) ([]order.Finding, error) {
	rc, err := s.Blobs.Open(ctx, a.BlobKey)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if f, ok := rc.(*os.File); ok {
		// A blob of the local folder is checked where it lies: blobs are
		// never rewritten, and a copy would cost its size in writes.
		if s.Isolate != nil {
			return s.Isolate.Check(ctx, f.Name(), a.ContentType, spec)
		}
		return Check(f, a.ContentType, spec), nil
	}
	// Others (S3) are fetched to a scratch file first: the checker
	// seeks, and a child reads it by name (through the page cache: it
	// needs no fsync).
	if err := os.MkdirAll(s.Scratch, 0o750); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(s.Scratch, "preflight-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := io.Copy(tmp, rc); err != nil {
		return nil, err
	}
	if s.Isolate != nil {
		return s.Isolate.Check(ctx, tmp.Name(), a.ContentType, spec)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return Check(tmp, a.ContentType, spec), nil
}

// spec is what the item's files must fit: its configuration's uploader.
func (s *Service) spec(o *order.Order, it *order.Item) Spec {
	p := s.Catalog.Current().Product(it.Product)
	if p == nil {
		return Spec{}
	}
	sels, err := pricing.ParseOptions(it.Options)
	if err != nil {
		return Spec{}
	}
	return SpecOf(p, p.Configure(sels, ""))
}

// SpecOf is what the files of a product's configuration must fit: its
// uploader's size, bleed, pages and resolution; for a box, its flat blank
// in either orientation. An incomplete configuration asks nothing.
func SpecOf(p *catalog.CompiledProduct, cfg *catalog.Configuration) Spec {
	var sp Spec
	if !cfg.CanOrder || len(cfg.Uploaders) == 0 {
		return sp
	}
	u := cfg.Uploaders[0]
	if u.Amount.IsInteger() && u.Amount.IsPositive() && u.Amount.LessThan(decimal.NewFromInt(100_000)) {
		sp.Pages = int(u.Amount.IntPart()) // pieces: one design, or one per piece
	}
	mmOf := func(typ string) decimal.Decimal {
		unit := "cm"
		if in := p.Input(typ); in != nil && in.Unit != "" {
			unit = in.Unit
		}
		f := map[string]decimal.Decimal{"mm": decimal.NewFromInt(1), "cm": decimal.NewFromInt(10), "m": decimal.NewFromInt(1000)}[strings.ToLower(unit)]
		if f.IsZero() {
			f = decimal.NewFromInt(10)
		}
		return f
	}
	if p.Input(catalog.TypeDepth) != nil {
		// A box prints on its flat blank (its die), in either orientation,
		// with the uploader's bleed around it.
		if u.MinimalDPI != nil {
			sp.MinDPI = *u.MinimalDPI
		}
		if p.Pricing != nil && p.Pricing.Blank != nil {
			w, d, h := cfg.Width.Mul(mmOf(catalog.TypeWidth)), cfg.Depth.Mul(mmOf(catalog.TypeDepth)), cfg.Height.Mul(mmOf(catalog.TypeHeight))
			sp.WidthMM, _ = p.Pricing.Blank.Length.Eval(w, d, h).Float64()
			sp.HeightMM, _ = p.Pricing.Blank.Width.Eval(w, d, h).Float64()
			sp.Reversible = true
			if u.Bleed != nil {
				sp.BleedMM, _ = u.Bleed.Top.Mul(mmOf(catalog.TypeWidth)).Float64()
			}
		}
		return sp
	}
	toMM := mmOf(catalog.TypeWidth)
	sp.WidthMM, _ = u.Width.Mul(toMM).Float64()
	sp.HeightMM, _ = u.Height.Mul(toMM).Float64()
	if r := p.Input(catalog.TypeWidth); r != nil && r.Reversible != nil {
		sp.Reversible = *r.Reversible
	}
	if u.Bleed != nil {
		b, _ := u.Bleed.Top.Mul(toMM).Float64()
		sp.BleedMM = b
	}
	if u.MinimalDPI != nil {
		sp.MinDPI = *u.MinimalDPI
	}
	return sp
}

var errStalled = errors.New("download stalled")

// idleReader restarts its timer on every read that brings bytes: the timer
// firing means the body stalled.
type idleReader struct {
	r io.Reader
	d time.Duration
	t *time.Timer
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.t.Reset(r.d)
	}
	return n, err
}
