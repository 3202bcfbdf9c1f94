package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Program is one run of the pressroom command.
type Program struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Listening, when set, is told the address the server listens on.
	Listening func(addr string)
}

const usage = `pressroom: the order platform of a print company and its resellers.

Usage:
  pressroom serve [--addr 127.0.0.1:8080] [--data DIR] [--db DSN]
  pressroom resellers create --name NAME [--edition standard|free] [--callback-url URL]
                             [--markup 2.5] [--country CC] [--vat-id ID] [--shop-name NAME] [--shop-url URL]
  pressroom resellers update --id ID [--edition E] [--callback-url URL] [--markup M] [--country CC] [--vat-id ID]
                             [--shop-name NAME] [--shop-url URL]
  pressroom resellers list
  pressroom resellers add-customer --reseller ID --name NAME [--email E] [--reference R]
  pressroom keys create --reseller ID [--name NAME]
  pressroom keys create --operator --name NAME   (a staff member's own operator key)
  pressroom keys list --reseller ID | --operator
  pressroom keys revoke KEY_ID
  pressroom catalog validate FILE
  pressroom catalog import FILE [--note TEXT]
  pressroom catalog export [--version N]
  pressroom catalog schema
  pressroom orders list [--reseller ID] [--status S] [--files ready|waiting|failed] [--limit N]
  pressroom orders show NUMBER
  pressroom orders advance NUMBER --status S [--track-and-trace CODE] [--carrier C] [--tracking-url URL] [--by NAME]
  pressroom orders note NUMBER --text TEXT [--by NAME]   (a note for staff; resellers never see it)
  pressroom orders files NUMBER [--out DIR]   (the print files and documents, to print from)
  pressroom orders upload NUMBER --item ID FILE [--by NAME]   (an item's file from staff: checked as an upload)
  pressroom orders erase NUMBER [--by NAME]   (a delivered or cancelled order's personal data, on its reseller's request)
  pressroom reprints list [--status requested|approved|rejected|all] [--reseller ID] [--limit N]
  pressroom reprints approve ID [--note TEXT] [--production-time HOURS] [--by NAME]   (a new order at no charge)
  pressroom reprints reject ID [--note TEXT] [--by NAME]
  pressroom backup --out DIR   (SQLite: a snapshot of the database and a copy of the print files)
  pressroom store copy --to postgres://...   (a SQLite store into an empty PostgreSQL database)
  pressroom files copy --to s3://bucket?endpoint=...   (the print files into S3 under the same keys)
  pressroom version   (the build: version, commit, Go)

Every command but catalog validate, catalog schema and version takes --data and
--db (env PRESSROOM_DATA, PRESSROOM_DB) and works on the store directly, safely
beside a running server (one that makes a new store says so).
`

// Main runs the command in args (without the program name) and returns the
// exit code.
func (p *Program) Main(ctx context.Context, args []string) int {
	if p.Getenv == nil {
		p.Getenv = os.Getenv
	}
	if len(args) == 0 {
		fmt.Fprint(p.Stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = p.cmdServe(ctx, args[1:])
	case "resellers":
		err = p.cmdResellers(ctx, args[1:])
	case "keys":
		err = p.cmdKeys(ctx, args[1:])
	case "catalog":
		err = p.cmdCatalog(ctx, args[1:])
	case "orders":
		err = p.cmdOrders(ctx, args[1:])
	case "reprints":
		err = p.cmdReprints(ctx, args[1:])
	case "backup":
		err = p.cmdBackup(ctx, args[1:])
	case "store":
		err = p.cmdStore(ctx, args[1:])
	case "files":
		err = p.cmdFiles(ctx, args[1:])
	case "version", "--version":
		fmt.Fprintln(p.Stdout, Build())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(p.Stdout, usage)
		return 0
	default:
		fmt.Fprintf(p.Stderr, "unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintln(p.Stderr, ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(p.Stderr, "error:", err)
	return 1
}

type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

func usageError(format string, args ...any) error {
	return exitError{code: 2, msg: fmt.Sprintf(format, args...) + "\n\n" + usage}
}

func (p *Program) cmdServe(ctx context.Context, args []string) error {
	cfg := &Config{}
	fs := newFlagSet("serve", p.Stderr)
	fs.StringVar(&cfg.Addr, "addr", envOr(p.Getenv, "PRESSROOM_ADDR", "127.0.0.1:8080"), "address to listen on (env PRESSROOM_ADDR)")
	storeFlags(fs, cfg, p.Getenv)
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("serve takes no arguments, got %q", rest)
	}
	if err := cfg.loadEnv(p.Getenv); err != nil {
		return err
	}
	return p.serve(ctx, cfg)
}
