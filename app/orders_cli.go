package app

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/pricing"
)

func (p *Program) cmdOrders(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError("orders needs a subcommand: list, show, advance, note, files, upload or erase")
	}
	switch args[0] {
	case "list":
		var reseller int64
		var status, files string
		var limit int
		return p.onStore(ctx, args[1:], storeCommand{name: "orders list", flags: func(fs *flag.FlagSet) {
			fs.Int64Var(&reseller, "reseller", 0, "only this reseller's orders")
			fs.StringVar(&status, "status", "", "only orders in this status")
			fs.StringVar(&files, "files", "", "only orders whose print files are ready (all passed, or none needed), waiting or failed")
			fs.IntVar(&limit, "limit", 50, "at most this many, newest first")
		}, check: func(rest []string) error {
			if len(rest) > 0 || limit < 1 || limit > 10000 {
				return usageError("orders list takes only flags; --limit from 1 to 10000")
			}
			if status != "" && !order.Status(status).Valid() {
				return badStatus(status)
			}
			if f := order.FilesSummary(files); f != "" && f != order.FilesReady && f != order.FilesWaiting && f != order.FilesFailed {
				return usageError("--files is ready, waiting or failed, not %q", files)
			}
			return nil
		}, run: func(_ *Config, s pressroom.Store, _ []string) error {
			list, total, err := s.ListOrders(ctx, pressroom.OrderFilter{ResellerID: reseller, Status: order.Status(status), Files: order.FilesSummary(files), Limit: limit})
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(p.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NUMBER\tRESELLER\tID\tTYPE\tSTAGE\tSTATUS\tTOTAL\tCREATED")
			for _, o := range list {
				fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s %s\t%s\n", o.Number, o.ResellerID, o.OwnID, o.Type, o.Stage, o.Status,
					pricing.Round(o.Totals.Total.Incl).StringFixed(2), o.Currency, o.CreatedAt.Format(time.RFC3339))
			}
			tw.Flush()
			fmt.Fprintf(p.Stdout, "%d of %d order(s)\n", len(list), total)
			return nil
		}})
	case "show":
		var n int64
		return p.onStore(ctx, args[1:], storeCommand{name: "orders show", check: func(rest []string) (err error) {
			n, err = numberArg(rest)
			return err
		}, run: func(_ *Config, s pressroom.Store, _ []string) error {
			o, err := s.FindOrder(ctx, 0, n)
			if err != nil {
				return describe(err)
			}
			evs, err := s.ListOrderEvents(ctx, n)
			if err != nil {
				return err
			}
			pkgs, err := s.ListOrderPackages(ctx, n)
			if err != nil {
				return err
			}
			rps, _, err := s.ListReprints(ctx, pressroom.ReprintFilter{OrderNumber: n})
			if err != nil {
				return err
			}
			p.showOrder(o, evs, pkgs, rps)
			return nil
		}})
	case "note":
		var text, by string
		var number int64
		return p.onStore(ctx, args[1:], storeCommand{name: "orders note", flags: func(fs *flag.FlagSet) {
			fs.StringVar(&text, "text", "", "the note, for staff only")
			fs.StringVar(&by, "by", p.commandLineUser(), "who writes it")
		}, check: func(rest []string) (err error) {
			if number, err = numberArg(rest); err != nil {
				return err
			}
			if strings.TrimSpace(text) == "" {
				return usageError("orders note needs --text")
			}
			return nil
		}, run: func(_ *Config, s pressroom.Store, _ []string) error {
			svc := cliOrders(s)
			if _, err := svc.AddNote(ctx, number, text, order.Staff(by)); err != nil {
				return describe(err)
			}
			fmt.Fprintf(p.Stdout, "note added to order %d\n", number)
			return nil
		}})
	case "advance":
		var status, code, carrier, url, reason, by string
		var number int64
		return p.onStore(ctx, args[1:], storeCommand{name: "orders advance", flags: func(fs *flag.FlagSet) {
			fs.StringVar(&status, "status", "", "the new status")
			fs.StringVar(&code, "track-and-trace", "", "a tracking code: adds a package")
			fs.StringVar(&carrier, "carrier", "", "the package's carrier")
			fs.StringVar(&url, "tracking-url", "", "the package's tracking URL")
			fs.StringVar(&reason, "reason", "", "why, for the order's events")
			fs.StringVar(&by, "by", p.commandLineUser(), "who makes the change, for the order's events (staff see it, resellers do not)")
		}, check: func(rest []string) (err error) {
			if number, err = numberArg(rest); err != nil {
				return err
			}
			if status == "" {
				return usageError("orders advance needs --status")
			}
			if !order.Status(status).Valid() {
				return badStatus(status)
			}
			return nil
		}, run: func(_ *Config, s pressroom.Store, _ []string) error {
			svc := cliOrders(s)
			o, err := svc.Advance(ctx, number, orders.StatusChange{Status: order.Status(status), TrackingCode: code, Carrier: carrier,
				TrackingURL: url, Reason: reason}, order.Staff(by))
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(p.Stdout, "order %d is %s\n", o.Number, o.Status)
			return nil
		}})
	case "files":
		var out string
		var n int64
		return p.onStore(ctx, args[1:], storeCommand{name: "orders files", flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "out", ".", "the folder to write the files into")
		}, check: func(rest []string) (err error) {
			n, err = numberArg(rest)
			return err
		}, run: func(cfg *Config, s pressroom.Store, _ []string) error {
			blobs, err := p.openBlobs(ctx, cfg)
			if err != nil {
				return err
			}
			return p.orderFiles(ctx, s, blobs, n, out)
		}})
	case "erase":
		var n int64
		var by string
		return p.onStore(ctx, args[1:], storeCommand{name: "orders erase", flags: func(fs *flag.FlagSet) {
			fs.StringVar(&by, "by", p.commandLineUser(), "who erases, for the order's events (staff see it, resellers do not)")
		}, check: func(rest []string) (err error) {
			n, err = numberArg(rest)
			return err
		}, run: func(_ *Config, s pressroom.Store, _ []string) error {
			if _, err := cliOrders(s).ErasePersonalData(ctx, n, order.Staff(by)); err != nil {
				return describe(err)
			}
			fmt.Fprintf(p.Stdout, "order %d keeps no personal data: its addresses (but their country) and e-mail addresses are erased\n", n)
			return nil
		}})
	case "upload":
		var n, item int64
		var by, file string
		return p.onStore(ctx, args[1:], storeCommand{name: "orders upload", flags: func(fs *flag.FlagSet) {
			fs.Int64Var(&item, "item", 0, "the item's id (orders show lists them)")
			fs.StringVar(&by, "by", p.commandLineUser(), "who sends the file, for the order's events (staff see it, resellers do not)")
		}, check: func(rest []string) (err error) {
			if len(rest) != 2 {
				return usageError("orders upload takes an order number and a file: orders upload 1000042 --item 7 fixed.pdf")
			}
			if n, err = numberArg(rest[:1]); err != nil {
				return err
			}
			if item < 1 {
				return usageError("orders upload needs --item, the id of the item the file is for")
			}
			file = rest[1]
			return nil
		}, run: func(cfg *Config, s pressroom.Store, _ []string) error {
			limit, err := maxFileMB(p.Getenv)
			if err != nil {
				return err
			}
			f, err := os.Open(file)
			if err != nil {
				return err
			}
			defer f.Close()
			blobs, err := p.openBlobs(ctx, cfg)
			if err != nil {
				return err
			}
			art := &artwork.Service{Store: s, Orders: cliOrders(s), Blobs: blobs, Limit: limit << 20, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
			a, err := art.UploadBy(ctx, 0, n, item, f, order.Staff(by))
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(p.Stdout, "item %d of order %d has the file %s (%s, %d bytes, md5 %s); a running server checks it now\n",
				item, n, filepath.Base(file), a.ContentType, a.Size, a.MD5)
			return nil
		}})
	}
	return usageError("unknown orders subcommand %q", args[0])
}

// orderFiles writes an order's stored print files and documents into a
// folder, for production (named by artwork.FileName), each checked
// against its SHA-256 as it is written. Files not stored are listed with their state.
func (p *Program) orderFiles(ctx context.Context, s pressroom.Store, blobs artwork.Blobs, number int64, dir string) error {
	o, err := s.FindOrder(ctx, 0, number)
	if err != nil {
		return describe(err)
	}
	files, err := s.ListArtwork(ctx, number, 0)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	position := map[int64]int{}
	for i, it := range o.Items {
		position[it.ID] = i + 1
	}
	tw := tabwriter.NewWriter(p.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tSTATE\tSIZE\tSHA-256")
	written, missing, lost := 0, 0, 0
	for _, a := range files {
		name := artwork.FileName(number, position[a.ItemID], a)
		if a.BlobKey == "" {
			missing++
			why := "not stored: " + cmp.Or(a.Error, "yet")
			if artwork.Deleted(a) {
				why = "deleted: " + artwork.DeletedWhy(o)
			}
			fmt.Fprintf(tw, "%s\t%s\t-\t%s\n", strings.TrimSuffix(name, ".bin"), a.State, why)
			continue
		}
		if err := copyBlob(ctx, blobs, a, filepath.Join(dir, name)); errors.Is(err, fs.ErrNotExist) {
			lost++
			fmt.Fprintf(tw, "%s\t%s\t-\tmissing from storage (key %s)\n", name, a.State, a.BlobKey)
			continue
		} else if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		written++
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", name, a.State, a.Size, a.SHA256)
	}
	tw.Flush()
	fmt.Fprintf(p.Stdout, "%d file(s) written to %s, %d not stored\n", written, dir, missing)
	if lost > 0 {
		return fmt.Errorf("%d stored file(s) of order %d are missing from storage", lost, number)
	}
	return nil
}

// copyBlob writes a stored file to path, whole or not at all, and fails
// when its bytes do not hash to the SHA-256 taken with them.
func copyBlob(ctx context.Context, blobs artwork.Blobs, a *order.Artwork, path string) error {
	rc, err := blobs.Open(ctx, a.BlobKey)
	if err != nil {
		return fmt.Errorf("open the stored file: %w", err)
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pressroom-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(tmp, h), rc)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); a.SHA256 != "" && got != a.SHA256 {
		return fmt.Errorf("the stored file's SHA-256 is %s, not the %s it had when taken: the copy in storage is damaged", got, a.SHA256)
	}
	return os.Rename(tmp.Name(), path)
}

// badStatus names the statuses a --status flag takes.
func badStatus(s string) error {
	names := make([]string, len(order.Statuses))
	for i, x := range order.Statuses {
		names[i] = string(x)
	}
	return exitError{code: 2, msg: fmt.Sprintf("--status %q is not a status; the statuses are %s", s, strings.Join(names, ", "))}
}

func numberArg(rest []string) (int64, error) {
	if len(rest) != 1 {
		return 0, usageError("give one order number")
	}
	n, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil || n < 1 {
		return 0, usageError("%q is not an order number", rest[0])
	}
	return n, nil
}

func (p *Program) showOrder(o *order.Order, evs []*order.Event, pkgs []*order.Package, rps []*order.Reprint) {
	w := p.Stdout
	fmt.Fprintf(w, "order %d (reseller %d, id %q, reference %q)\n", o.Number, o.ResellerID, o.OwnID, o.Reference)
	fmt.Fprintf(w, "  %s %s, status %s, payment %s, ordered %s\n", o.Type, o.Stage, o.Status, o.Payment, o.OrderDate)
	to := "no delivery address yet (a draft is given its address before its checkout)"
	switch a := o.Delivery.Address; {
	case a == order.Address{}:
	case a.Erased():
		to = "an address in " + a.Country + " (its personal data erased)"
	default:
		to = fmt.Sprintf("%s, %s %s, %s %s, %s", a.Name(), a.Street, a.HouseNumber, a.PostalCode, a.City, a.Country)
	}
	fmt.Fprintf(w, "  to %s by %s: ships %s, arrives %s\n", to, o.Delivery.ShippingMethod, o.Delivery.ShippingDate, o.Delivery.DeliveryDate)
	fmt.Fprintf(w, "  production time %s; total %s %s incl. VAT (%s excl.)\n", o.ProductionTime,
		pricing.Round(o.Totals.Total.Incl).StringFixed(2), o.Currency, pricing.Round(o.Totals.Total.Excl).StringFixed(2))
	for _, it := range o.Items {
		fmt.Fprintf(w, "  item %d: %s × %s, %s excl. VAT, file %s\n", it.ID, it.Amount, it.Product, pricing.Round(it.Price.Excl).StringFixed(2), it.FileState)
	}
	for _, pk := range pkgs {
		fmt.Fprintf(w, "  package %s %s %s\n", pk.Carrier, pk.TrackingCode, pk.TrackingURL)
	}
	for _, rp := range slices.Backward(rps) { // oldest first, as the events
		fmt.Fprintf(w, "  reprint %d: %s (%s), %s", rp.ID, rp.Status, rp.Reason, rp.ItemList())
		if rp.NewOrder != 0 {
			fmt.Fprintf(w, ", made as order %d", rp.NewOrder)
		}
		fmt.Fprintln(w)
	}
	for _, e := range evs {
		change := e.From + "→" + e.To
		if e.From == "" && e.To == "" { // a note, a reprint's decision: no status changed
			change = "-"
		}
		fmt.Fprintf(w, "  %s %s %s %s %s\n", e.At.Format(time.RFC3339), e.Who(), e.Kind, change, e.Reason)
	}
}

// commandLineUser names a change made with the CLI, for the order's
// events: "command line", and the system user when there is one.
func (p *Program) commandLineUser() string {
	if u := p.Getenv("USER"); u != "" {
		return "command line (" + u + ")"
	}
	return "command line"
}

// cliOrders is the orders service the CLI changes orders through: the
// store's, without the catalog or a log (it prices nothing).
func cliOrders(s pressroom.Store) *orders.Service {
	return &orders.Service{Store: s, Clock: pressroom.SystemClock{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}
