package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Snapshot writes a consistent copy of the whole database (orders, jobs,
// everything) to path while the store stays in use: SQLite's VACUUM INTO
// reads one snapshot of the file, so a copy taken beside a running server
// holds every commit before it and none after. The copy is written to a
// temporary file, synced and renamed into place: path holds a whole copy
// or what it held before. An existing file at path is replaced.
func (db *DB) Snapshot(ctx context.Context, path string) error {
	dir := filepath.Dir(path)
	tmp := filepath.Join(dir, "."+filepath.Base(path)+".partial")
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	defer os.Remove(tmp)
	if _, err := db.read.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fmt.Errorf("copy the database: %w", storeErr("snapshot", err))
	}
	// VACUUM INTO does not sync what it wrote.
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// ReadTx runs fn in one read transaction: every query in it sees the
// database as it stood at the first, whatever is written meanwhile (a copy
// into another store reads a consistent whole).
func (db *DB) ReadTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}
