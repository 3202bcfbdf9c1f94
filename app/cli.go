package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
)

// storeCommand is a CLI command that works on the store: its flags, the
// check of its flags and arguments, and what it does. The check runs before
// the store opens, so a mistyped command touches no database (and makes no
// data folder).
type storeCommand struct {
	name  string
	flags func(*flag.FlagSet)
	check func(rest []string) error
	run   func(cfg *Config, s pressroom.Store, rest []string) error
}

// onStore parses the store flags plus the command's own, checks them, opens
// the store and runs the command on it.
func (p *Program) onStore(ctx context.Context, args []string, c storeCommand) error {
	cfg := &Config{Blob: p.Getenv("PRESSROOM_BLOB")}
	fs := newFlagSet(c.name, p.Stderr)
	storeFlags(fs, cfg, p.Getenv)
	if c.flags != nil {
		c.flags(fs)
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	check := c.check
	if check == nil {
		check = noArguments(c.name)
	}
	if err := check(rest); err != nil {
		return err
	}
	if w := newStoreWarning(cfg); w != "" {
		fmt.Fprintln(p.Stderr, w)
	}
	store, err := OpenStore(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer store.Close()
	return c.run(cfg, store, rest)
}

// noArguments is the check of a command that takes only flags.
func noArguments(name string) func([]string) error {
	return func(rest []string) error {
		if len(rest) > 0 {
			return usageError("%s takes only flags, not %q", name, rest)
		}
		return nil
	}
}

func describe(err error) error {
	if err == nil {
		return nil
	}
	var e *pressroom.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := e.Message
	for _, f := range e.Fields {
		msg += "\n  " + f.Detail
	}
	return errors.New(msg)
}

func (p *Program) cmdResellers(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError("resellers needs a subcommand: create, update, list or add-customer")
	}
	switch args[0] {
	case "create":
		var name, edition, callback, markup, country, vatID, shopName, shopURL string
		var m decimal.Decimal
		return p.onStore(ctx, args[1:], storeCommand{name: "resellers create", flags: func(fs *flag.FlagSet) {
			fs.StringVar(&shopName, "shop-name", "", "the shop its customers know, named on their tracking pages")
			fs.StringVar(&shopURL, "shop-url", "", "the shop's web address, linked from the tracking pages")
			fs.StringVar(&name, "name", "", "reseller name (unique)")
			fs.StringVar(&edition, "edition", "standard", "standard, or free (read-only)")
			fs.StringVar(&callback, "callback-url", "", "default callback URL")
			fs.StringVar(&markup, "markup", "2.5", "factor from purchase to suggested sales price")
			fs.StringVar(&country, "country", "", "ISO 3166 country of the reseller (default: the company's)")
			fs.StringVar(&vatID, "vat-id", "", "VAT number; with an EU country abroad it means reverse charge")
		}, check: func(rest []string) error {
			if len(rest) > 0 {
				return usageError("unexpected arguments %q", rest)
			}
			var err error
			if m, err = decimal.NewFromString(markup); err != nil {
				return usageError("--markup %q is not a number", markup)
			}
			return nil
		}, run: func(_ *Config, s pressroom.Store, _ []string) error {
			res, key, err := pressroom.CreateResellerWithKey(ctx, s, &pressroom.Reseller{Name: name, Edition: pressroom.Edition(edition),
				CallbackURL: callback, Markup: m, Country: country, VATID: vatID, ShopName: shopName, ShopURL: shopURL})
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(p.Stdout, "reseller %d %q created (edition %s)\napi key: %s\n(the key is shown only now)\n", res.ID, res.Name, res.Edition, key)
			return nil
		}})
	case "list":
		return p.onStore(ctx, args[1:], storeCommand{name: "resellers list", run: func(_ *Config, s pressroom.Store, _ []string) error {
			list, err := s.ListResellers(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(p.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tEDITION\tMARKUP\tCOUNTRY\tVAT ID\tCUSTOMERS\tACTIVE KEYS\tCREATED")
			for _, r := range list {
				cs, err := s.ListCustomers(ctx, r.ID)
				if err != nil {
					return err
				}
				ks, err := s.ListAPIKeys(ctx, r.ID)
				if err != nil {
					return err
				}
				active := 0
				for _, k := range ks {
					if k.RevokedAt == nil {
						active++
					}
				}
				country, vat := r.Country, r.VATID
				if country == "" {
					country = "-"
				}
				if vat == "" {
					vat = "-"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", r.ID, r.Name, r.Edition, r.Markup, country, vat, len(cs), active, r.CreatedAt.Format(time.RFC3339))
			}
			return tw.Flush()
		}})
	case "update":
		var id int64
		var edition, callback, markup, country, vatID, shopName, shopURL string
		var flags *flag.FlagSet
		var m decimal.Decimal
		set := map[string]bool{}
		return p.onStore(ctx, args[1:], storeCommand{name: "resellers update", flags: func(fs *flag.FlagSet) {
			flags = fs
			fs.Int64Var(&id, "id", 0, "reseller id")
			fs.StringVar(&edition, "edition", "", "standard, or free (read-only)")
			fs.StringVar(&callback, "callback-url", "", "default callback URL")
			fs.StringVar(&markup, "markup", "", "factor from purchase to suggested sales price")
			fs.StringVar(&country, "country", "", "ISO 3166 country of the reseller")
			fs.StringVar(&vatID, "vat-id", "", "VAT number (\"\" removes it)")
			fs.StringVar(&shopName, "shop-name", "", "the shop its customers know, named on their tracking pages (\"\" removes it)")
			fs.StringVar(&shopURL, "shop-url", "", "the shop's web address, linked from the tracking pages (\"\" removes it)")
		}, check: func(rest []string) error {
			if id == 0 || len(rest) > 0 {
				return usageError("resellers update needs --id and only flags")
			}
			flags.Visit(func(f *flag.Flag) { set[f.Name] = true })
			if set["markup"] {
				var err error
				if m, err = decimal.NewFromString(markup); err != nil || m.IsZero() {
					return usageError("--markup %q is not a factor such as 2.5", markup)
				}
			}
			return nil
		}, run: func(_ *Config, s pressroom.Store, _ []string) error {
			res, err := s.FindResellerByID(ctx, id)
			if err != nil {
				return describe(err)
			}
			if set["edition"] {
				res.Edition = pressroom.Edition(edition)
			}
			if set["callback-url"] {
				res.CallbackURL = callback
			}
			if set["markup"] {
				res.Markup = m
			}
			if set["country"] {
				res.Country = country
			}
			if set["vat-id"] {
				res.VATID = vatID
			}
			if set["shop-name"] {
				res.ShopName = shopName
			}
			if set["shop-url"] {
				res.ShopURL = shopURL
			}
			if err := s.UpdateReseller(ctx, res); err != nil {
				return describe(err)
			}
			fmt.Fprintf(p.Stdout, "reseller %d %q: edition %s, markup %s, country %q, VAT id %q, shop %q %s\n", res.ID, res.Name, res.Edition, res.Markup, res.Country, res.VATID, res.ShopName, res.ShopURL)
			return nil
		}})
	case "add-customer":
		var reseller int64
		var name, email, ref string
		return p.onStore(ctx, args[1:], storeCommand{name: "resellers add-customer", flags: func(fs *flag.FlagSet) {
			fs.Int64Var(&reseller, "reseller", 0, "reseller id")
			fs.StringVar(&name, "name", "", "customer name")
			fs.StringVar(&email, "email", "", "customer e-mail")
			fs.StringVar(&ref, "reference", "", "the reseller's own id for this customer")
		}, check: func(rest []string) error {
			if reseller == 0 || len(rest) > 0 {
				return usageError("resellers add-customer needs --reseller and only flags")
			}
			return nil
		}, run: func(_ *Config, s pressroom.Store, _ []string) error {
			c := &pressroom.Customer{ResellerID: reseller, Name: name, Email: email, Reference: ref}
			if err := s.CreateCustomer(ctx, c); err != nil {
				return describe(err)
			}
			fmt.Fprintf(p.Stdout, "customer %d %q added to reseller %d\n", c.ID, c.Name, reseller)
			return nil
		}})
	}
	return usageError("unknown resellers subcommand %q", args[0])
}

func (p *Program) cmdKeys(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError("keys needs a subcommand: create, list or revoke")
	}
	switch args[0] {
	case "create":
		var reseller int64
		var name string
		var operator bool
		return p.onStore(ctx, args[1:], storeCommand{name: "keys create", flags: func(fs *flag.FlagSet) {
			fs.Int64Var(&reseller, "reseller", 0, "reseller id")
			fs.BoolVar(&operator, "operator", false, "a staff member's own operator key (--name says who)")
			fs.StringVar(&name, "name", "", "what the key is for; for an operator key, who")
		}, check: func(rest []string) error {
			switch {
			case len(rest) > 0:
				return usageError("keys create takes only flags")
			case operator && reseller != 0:
				return usageError("keys create takes --reseller or --operator, not both")
			case operator && strings.TrimSpace(name) == "":
				return usageError("keys create --operator needs --name: who the key is for")
			case !operator && reseller == 0:
				return usageError("keys create needs --reseller (or --operator --name for staff)")
			}
			return nil
		}, run: func(_ *Config, s pressroom.Store, _ []string) error {
			if operator {
				k, key, err := pressroom.IssueOperatorKey(ctx, s, name)
				if err != nil {
					return describe(err)
				}
				fmt.Fprintf(p.Stdout, "operator key %d created for %s\noperator key: %s\n(the key is shown only now)\n", k.ID, k.Name, key)
				return nil
			}
			k, key, err := pressroom.IssueKey(ctx, s, reseller, name)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(p.Stdout, "key %d created for reseller %d\napi key: %s\n(the key is shown only now)\n", k.ID, reseller, key)
			return nil
		}})
	case "list":
		var reseller int64
		var operator bool
		return p.onStore(ctx, args[1:], storeCommand{name: "keys list", flags: func(fs *flag.FlagSet) {
			fs.Int64Var(&reseller, "reseller", 0, "reseller id (0: operator keys)")
			fs.BoolVar(&operator, "operator", false, "the staff's operator keys")
		}, check: func(rest []string) error {
			if operator && reseller != 0 {
				return usageError("keys list takes --reseller or --operator, not both")
			}
			return noArguments("keys list")(rest)
		}, run: func(_ *Config, s pressroom.Store, _ []string) error {
			if reseller != 0 { // a mistyped id lists nothing, and says why
				if _, err := s.FindResellerByID(ctx, reseller); err != nil {
					return describe(err)
				}
			}
			ks, err := s.ListAPIKeys(ctx, reseller)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(p.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tENDS WITH\tCREATED\tREVOKED")
			for _, k := range ks {
				revoked := "-"
				if k.RevokedAt != nil {
					revoked = k.RevokedAt.Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%d\t%s\t…%s\t%s\t%s\n", k.ID, k.Name, k.Hint, k.CreatedAt.Format(time.RFC3339), revoked)
			}
			return tw.Flush()
		}})
	case "revoke":
		var id int64
		return p.onStore(ctx, args[1:], storeCommand{name: "keys revoke", check: func(rest []string) error {
			if len(rest) != 1 {
				return usageError("keys revoke takes one key id")
			}
			var err error
			if id, err = strconv.ParseInt(rest[0], 10, 64); err != nil || id < 1 {
				return usageError("key id %q is not a number", rest[0])
			}
			return nil
		}, run: func(_ *Config, s pressroom.Store, _ []string) error {
			if err := s.RevokeAPIKey(ctx, id, time.Now().UTC()); err != nil {
				return describe(err)
			}
			fmt.Fprintf(p.Stdout, "key %d revoked (running servers refuse it within %s)\n", id, pressroom.DefaultAuthTTL)
			return nil
		}})
	}
	return usageError("unknown keys subcommand %q", args[0])
}

func (p *Program) cmdCatalog(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError("catalog needs a subcommand: validate, import, export or schema")
	}
	switch args[0] {
	case "validate":
		// Validation needs no store: it checks a file.
		fs := newFlagSet("catalog validate", p.Stderr)
		rest, err := parseArgs(fs, args[1:])
		if err != nil {
			return err
		}
		if len(rest) != 1 {
			return usageError("catalog validate takes one file")
		}
		c, err := p.loadCatalogFile(rest[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(p.Stdout, "%s: valid catalog with %d products\n", rest[0], len(c.Products()))
		return nil
	case "import":
		var note string
		var doc []byte
		return p.onStore(ctx, args[1:], storeCommand{name: "catalog import", flags: func(fs *flag.FlagSet) {
			fs.StringVar(&note, "note", "", "what changed, kept with the version")
		}, check: func(rest []string) error {
			if len(rest) != 1 {
				return usageError("catalog import takes one file")
			}
			var err error
			doc, err = os.ReadFile(rest[0])
			return err
		}, run: func(_ *Config, s pressroom.Store, rest []string) error {
			c, err := catalog.NewService(s, nil).Import(ctx, doc, note)
			if err != nil {
				return fmt.Errorf("%s: nothing imported: %w", rest[0], describe(err))
			}
			fmt.Fprintf(p.Stdout, "imported catalog version %d (%d products); running servers pick it up within seconds\n", c.Version, len(c.Products()))
			return nil
		}})
	case "export":
		var version int64
		return p.onStore(ctx, args[1:], storeCommand{name: "catalog export", flags: func(fs *flag.FlagSet) {
			fs.Int64Var(&version, "version", 0, "version to export (default the newest)")
		}, run: func(_ *Config, s pressroom.Store, _ []string) error {
			var v *pressroom.CatalogVersion
			var err error
			if version == 0 {
				v, err = s.LatestCatalogVersion(ctx)
			} else {
				v, err = s.FindCatalogVersion(ctx, version)
			}
			if err != nil {
				return describe(err)
			}
			_, err = p.Stdout.Write(v.Document)
			return err
		}})
	case "schema":
		_, err := p.Stdout.Write(catalog.SchemaJSON)
		return err
	}
	return usageError("unknown catalog subcommand %q", args[0])
}

// loadCatalogFile validates a file and prints every problem on failure.
func (p *Program) loadCatalogFile(path string) (*catalog.Catalog, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := catalog.Load(doc, 0, time.Now())
	var ve *catalog.ValidationError
	if errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			fmt.Fprintln(p.Stderr, pr.String())
		}
		return nil, exitError{code: 1, msg: fmt.Sprintf("%s: %d problem(s); nothing imported", path, len(ve.Problems))}
	}
	return c, err
}
