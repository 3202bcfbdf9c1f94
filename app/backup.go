package app

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/store/postgres"
	"github.com/pressroom/pressroom/store/sqlite"
	"github.com/pressroom/pressroom/store/storecopy"
)

// cmdBackup copies a SQLite store and its print files into a folder,
// safely beside a running server: the database as one consistent snapshot,
// then the print files (which never change once stored: a file already in
// the folder at its size is not copied again). The folder is a data
// directory: pressroom serve --data FOLDER runs on it.
func (p *Program) cmdBackup(ctx context.Context, args []string) error {
	var out string
	return p.onStore(ctx, args, storeCommand{name: "backup", flags: func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "the folder to back up into (made if missing; run again to bring it up to date)")
	}, check: func(rest []string) error {
		if out == "" || len(rest) > 0 {
			return usageError("backup takes --out FOLDER and no arguments")
		}
		return nil
	}, run: func(cfg *Config, s pressroom.Store, _ []string) error {
		db, ok := s.(*sqlite.DB)
		if !ok {
			return errors.New("the store is PostgreSQL: back it up with pg_dump or the server's own backups; pressroom backup copies a SQLite store")
		}
		if err := os.MkdirAll(out, 0o750); err != nil {
			return err
		}
		dbPath := filepath.Join(out, "pressroom.db")
		if a, err := os.Stat(dbPath); err == nil {
			if b, err := os.Stat(db.Path()); err == nil && os.SameFile(a, b) {
				return fmt.Errorf("--out %s holds the store's own database; back up into another folder", out)
			}
		}
		if err := db.Snapshot(ctx, dbPath); err != nil {
			return err
		}
		st, err := os.Stat(dbPath)
		if err != nil {
			return err
		}
		fmt.Fprintf(p.Stdout, "database: %s (%.1f MB), as it stood when the backup began\n", dbPath, float64(st.Size())/(1<<20))
		if strings.HasPrefix(cfg.Blob, "s3://") {
			fmt.Fprintf(p.Stdout, "print files: kept in %s; keep that bucket's own versioning or replication\n", strings.SplitN(cfg.Blob, "?", 2)[0])
			return nil
		}
		src := cmp.Or(cfg.Blob, filepath.Join(cfg.Data, "artwork"))
		copied, there, size, err := copyFiles(ctx, src, artwork.Folder{Dir: filepath.Join(out, "artwork")})
		if err != nil {
			return err
		}
		fmt.Fprintf(p.Stdout, "print files: %d copied (%.1f MB), %d already there\n", copied, float64(size)/(1<<20), there)
		return nil
	}})
}

// copyFiles copies the files below the folder src into dst under the same
// keys, each one dst lacks (or holds at another size), written whole. A
// file that goes while it runs (a purge) is passed over; a file still
// being stored (a folder store's temporary ".upload-*") is not copied.
func copyFiles(ctx context.Context, src string, dst artwork.Blobs) (copied, there int, size int64, err error) {
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() || !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		if have, err := dst.Size(ctx, key); err == nil && have == info.Size() {
			there++
			return nil
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("look for %s: %w", key, err)
		}
		in, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		defer in.Close()
		n, err := dst.Put(ctx, key, in)
		if err != nil {
			return fmt.Errorf("copy %s: %w", key, err)
		}
		copied++
		size += n
		return nil
	})
	return copied, there, size, err
}

// cmdFiles: pressroom files copy --to DEST copies the print files of the
// folder store into S3-compatible storage (or another folder) under the
// same keys, for a company that moves them off the machine.
func (p *Program) cmdFiles(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "copy" {
		return usageError("files needs a subcommand: copy")
	}
	cfg := &Config{Blob: p.Getenv("PRESSROOM_BLOB")}
	var to string
	flags := newFlagSet("files copy", p.Stderr)
	storeFlags(flags, cfg, p.Getenv)
	flags.StringVar(&to, "to", "", "where to copy the print files: s3://bucket[/prefix]?endpoint=...&region=... (with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) or a folder")
	rest, err := parseArgs(flags, args[1:])
	if err != nil {
		return err
	}
	if to == "" || len(rest) > 0 {
		return usageError("files copy takes --to DEST and no arguments")
	}
	if strings.HasPrefix(cfg.Blob, "s3://") {
		return errors.New("the print files are in S3 already (PRESSROOM_BLOB); copy between buckets with the storage's own tools")
	}
	src := cmp.Or(cfg.Blob, filepath.Join(cfg.Data, "artwork"))
	var dst artwork.Blobs = artwork.Folder{Dir: to}
	if strings.HasPrefix(to, "s3://") {
		s3, err := artwork.OpenS3(ctx, to, p.Getenv)
		if err != nil {
			return err
		}
		dst = s3
	}
	copied, there, size, err := copyFiles(ctx, src, dst)
	if err != nil {
		return err
	}
	fmt.Fprintf(p.Stdout, "print files: %d copied (%.1f MB), %d already there\n", copied, float64(size)/(1<<20), there)
	fmt.Fprintln(p.Stdout, "set PRESSROOM_BLOB to the new place on every node; files stored meanwhile are copied by running this again")
	return nil
}

// cmdStore: pressroom store copy --to DSN copies a SQLite store into an
// empty PostgreSQL database, for a company that moves to several nodes.
func (p *Program) cmdStore(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "copy" {
		return usageError("store needs a subcommand: copy")
	}
	var to string
	return p.onStore(ctx, args[1:], storeCommand{name: "store copy", flags: func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "the PostgreSQL database to copy into (a postgres:// DSN; it must hold no pressroom data)")
	}, check: func(rest []string) error {
		if len(rest) > 0 || !(strings.HasPrefix(to, "postgres://") || strings.HasPrefix(to, "postgresql://")) {
			return usageError("store copy takes --to postgres://... and no arguments")
		}
		return nil
	}, run: func(_ *Config, s pressroom.Store, _ []string) error {
		from, ok := s.(*sqlite.DB)
		if !ok {
			return errors.New("store copy copies a SQLite store (--data or --db sqlite://...) into PostgreSQL; this store is PostgreSQL already")
		}
		target, err := postgres.Open(ctx, to)
		if err != nil {
			return fmt.Errorf("open %s: %w", redact(to), err)
		}
		defer target.Close()
		rep, err := storecopy.Copy(ctx, from, target)
		if err != nil {
			return err
		}
		var rows int64
		var each []string
		for _, t := range storecopy.Tables {
			rows += rep.Rows[t]
			if rep.Rows[t] > 0 {
				each = append(each, fmt.Sprintf("%s %d", t, rep.Rows[t]))
			}
		}
		fmt.Fprintf(p.Stdout, "copied %d rows (%d orders, %d resellers) and %d waiting jobs into %s\n  %s\n",
			rows, rep.Rows["orders"], rep.Rows["resellers"], rep.Jobs, redact(to), strings.Join(each, ", "))
		fmt.Fprintln(p.Stdout, "start the servers with --db set to it; the print files stay where PRESSROOM_BLOB (or --data) keeps them")
		return nil
	}})
}
