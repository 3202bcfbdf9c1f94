package app

import (
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
	"github.com/pressroom/pressroom/store/sqlite"
)

// cmdBackup copies a SQLite store and its print files into a folder,
// safely beside a running server: the database as one consistent snapshot,
// then the print files (which never change once stored: a file already in
// the folder at its size is not copied again). The folder is a data
// directory: pressroom serve --data FOLDER runs on it.
func (p *Program) cmdBackup(ctx context.Context, args []string) error {
	var out string
	return p.withStoreConfig(ctx, "backup", args, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "the folder to back up into (made if missing; run again to bring it up to date)")
	}, func(cfg *Config, s pressroom.Store, rest []string) error {
		if out == "" || len(rest) > 0 {
			return usageError("backup takes --out FOLDER and no arguments")
		}
		db, ok := s.(*sqlite.DB)
		if !ok {
			return errors.New("the store is PostgreSQL: back it up with pg_dump or the server's own backups; pressroom backup copies a SQLite store")
		}
		if err := os.MkdirAll(out, 0o750); err != nil {
			return err
		}
		dbPath := filepath.Join(out, "pressroom.db")
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
		src := cfg.Blob
		if src == "" {
			src = filepath.Join(cfg.Data, "artwork")
		}
		copied, there, size, err := copyFiles(ctx, src, filepath.Join(out, "artwork"))
		if err != nil {
			return err
		}
		fmt.Fprintf(p.Stdout, "print files: %d copied (%.1f MB), %d already there\n", copied, float64(size)/(1<<20), there)
		return nil
	})
}

// copyFiles copies the files below src to dst that dst lacks (or holds at
// another size), each written whole, synced and renamed into place. A file
// that goes while it runs (a purge) is passed over; a file still being
// stored (a folder store's temporary ".upload-*") is not copied.
func copyFiles(ctx context.Context, src, dst string) (copied, there int, size int64, err error) {
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
		if d.IsDir() || !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".upload-") {
			return nil
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		if have, err := os.Stat(target); err == nil && have.Size() == info.Size() {
			there++
			return nil
		}
		in, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		defer in.Close()
		// The backup's folder is a folder store: written whole, synced, renamed.
		n, err := artwork.Folder{Dir: dst}.Put(ctx, filepath.ToSlash(rel), in)
		if err != nil {
			return fmt.Errorf("copy %s: %w", rel, err)
		}
		copied++
		size += n
		return nil
	})
	return copied, there, size, err
}
