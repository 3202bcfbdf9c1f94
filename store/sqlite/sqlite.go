// Package sqlite implements pressroom.Store on an embedded SQLite database
// (modernc.org/sqlite, WAL, full durability).
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/jobparams"
	"github.com/pressroom/pressroom/store/gomigrate"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

const timeFormat = "2006-01-02T15:04:05.000000Z"

// DB is the SQLite store. Writes go through one connection (SQLite has one
// writer anyway) with immediate transactions; reads use a pool.
type DB struct {
	path  string
	write *sql.DB
	read  *sql.DB
	now   func() time.Time
	// jobs inserts River jobs inside the store's own transactions.
	jobs *river.Client[*sql.Tx]
	// writes feed the group committer (see tx); quit ends it.
	groupOnce sync.Once
	writes    chan *write
	// batch collects the jobs the writes of one commit group queue, to be
	// inserted in one statement before the group commits (River's insert
	// is most of a write's cost when made per job). Only the committer
	// goroutine touches it: every store write runs there (see tx).
	batch    []river.InsertManyParams
	batching bool
	// commits and committed count the groups committed and the writes
	// they carried (see CommitStats).
	commits, committed atomic.Uint64
	quit               chan struct{}
	closeOnce          sync.Once
}

var _ pressroom.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and migrates it.
func Open(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	dsn := func(txlock string) string {
		q := url.Values{}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous(FULL)")
		// Savepoint and statement journals (each write of a commit group
		// runs in a savepoint) in memory instead of a temp file: they only
		// undo a statement or savepoint inside a transaction and play no
		// part in crash recovery, which is the WAL's.
		q.Add("_pragma", "temp_store(MEMORY)")
		q.Set("_txlock", txlock)
		return "file:" + path + "?" + q.Encode()
	}
	db := &DB{path: path, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }, quit: make(chan struct{})}
	var err error
	db.write = openCaching(dsn("immediate"))
	db.write.SetMaxOpenConns(1)
	db.read = openCaching(dsn("deferred"))
	db.read.SetMaxOpenConns(8)
	// database/sql keeps 2 idle by default: reopening a SQLite connection
	// costs more than most queries.
	db.read.SetMaxIdleConns(8)
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.jobs, err = river.NewClient(riversqlite.New(db.write), &river.Config{}); err != nil {
		db.Close()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return db, nil
}

// JobDB is the connection the job queue's workers use: the writer, as
// River's SQLite driver wants one connection.
func (db *DB) JobDB() *sql.DB { return db.write }

// insertJobs queues jobs in tx: inside a commit group it adds them to
// the group's batch, inserted before the group commits.
func (db *DB) insertJobs(ctx context.Context, tx *sql.Tx, jobs []pressroom.Job) error {
	params := jobparams.Of(jobs)
	if db.batching {
		db.batch = append(db.batch, params...)
		return nil
	}
	return db.flushJobs(ctx, tx, params)
}

// flushJobs inserts queued jobs in one statement.
func (db *DB) flushJobs(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	if _, err := db.jobs.InsertManyFastTx(ctx, tx, params); err != nil {
		return fmt.Errorf("queue %d job(s): %w", len(params), err)
	}
	return nil
}

func (db *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.write, sub, goose.WithGoMigrations(gomigrate.SearchNames(`UPDATE orders SET address_name = ? WHERE number = ?`)))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	// Another process (a CLI command beside the server) may migrate at the
	// same moment; the loser sees the winner's work on its next try.
	for attempt := 0; ; attempt++ {
		_, err = p.Up(ctx)
		if err == nil || attempt == 3 {
			break
		}
		time.Sleep(time.Duration(100*(attempt+1)) * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("migrate sqlite: %w", err)
	}
	// The job queue's own tables, by River's migrator.
	m, err := rivermigrate.New(riversqlite.New(db.write), nil)
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	for attempt := 0; ; attempt++ {
		_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err == nil || attempt == 3 {
			break
		}
		time.Sleep(time.Duration(100*(attempt+1)) * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.quit) })
	var errs []error
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// mapError turns driver errors into domain errors: the one place that knows
// SQLite's codes.
func mapError(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return pressroom.Errorf(pressroom.ENOTFOUND, "%s not found.", what)
	}
	var se *sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3lib.SQLITE_CONSTRAINT_UNIQUE, sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY:
			return pressroom.Errorf(pressroom.ECONFLICT, "%s exists already.", what)
		case sqlite3lib.SQLITE_CONSTRAINT_FOREIGNKEY:
			return pressroom.Errorf(pressroom.ENOTFOUND, "%s refers to something that does not exist.", what)
		}
	}
	return storeErr(what, err)
}

// storeErr wraps an error of the database; a full disk (or a failing
// one) is EUNAVAILABLE, 503: nothing was written, and the request may
// succeed once there is room.
func storeErr(what string, err error) error {
	var se *sqlite3.Error
	if (errors.As(err, &se) && (se.Code()&0xff == sqlite3lib.SQLITE_FULL || se.Code()&0xff == sqlite3lib.SQLITE_IOERR)) || errors.Is(err, syscall.ENOSPC) {
		return &unavailableError{cause: fmt.Errorf("sqlite: %s: %w", what, err)}
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}

type unavailableError struct{ cause error }

func (e *unavailableError) Error() string { return e.cause.Error() }
func (e *unavailableError) Unwrap() []error {
	return []error{pressroom.Errorf(pressroom.EUNAVAILABLE, "The server's storage is full or failing; nothing was written. Try again shortly."), e.cause}
}

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

// tx runs fn in a write transaction and commits it.
//
// Transactions are committed in groups: whatever writes wait while one
// group commits form the next group, each in a savepoint of one
// transaction with one fsync. A write that fails rolls back its savepoint
// alone; a group that fails to commit fails every write in it. So the
// commit rate of the disk bounds groups, not writes.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	w := &write{ctx: ctx, fn: fn, done: make(chan error, 1)}
	db.groupOnce.Do(func() {
		db.writes = make(chan *write, maxGroup)
		go db.commitGroups()
	})
	select {
	case db.writes <- w:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.quit:
		return errors.New("sqlite: the store is closed")
	}
	// Wait for the group even if ctx ends: the write may be committed, and
	// the caller must not be told otherwise.
	err := <-w.done
	var pe *pressroom.Error
	if err != nil && !errors.As(err, &pe) {
		if mapped := storeErr("write", err); pressroom.ErrorCode(mapped) == pressroom.EUNAVAILABLE {
			return mapped // a full disk met inside the write, e.g. queueing its jobs
		}
	}
	return err
}

// CommitStats are the commit groups committed since the store opened and
// the writes they carried; each group is one durable commit (one fsync of
// the WAL), so committed/commits is how many writes an fsync serves. The
// job queue's own transactions (fetching and finishing jobs) are not
// counted.
func (db *DB) CommitStats() (commits, committed uint64) {
	return db.commits.Load(), db.committed.Load()
}

// maxGroup bounds the writes of one group.
const maxGroup = 128

// write is one transaction's work, waiting for its group.
type write struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	done chan error
}

// commitGroups runs for the life of the store.
func (db *DB) commitGroups() {
	for {
		var first *write
		select {
		case first = <-db.writes:
		case <-db.quit:
			return
		}
		group := []*write{first}
	more:
		for len(group) < maxGroup {
			select {
			case w := <-db.writes:
				group = append(group, w)
			default:
				break more
			}
		}
		db.commitGroup(group)
	}
}

func (db *DB) commitGroup(group []*write) {
	errs := make([]error, len(group))
	fail := func(err error) {
		for _, w := range group {
			w.done <- err
		}
	}
	db.batching, db.batch = true, db.batch[:0]
	defer func() { db.batching = false; clear(db.batch) }()
	if len(group) == 1 { // no savepoint needed
		w := group[0]
		tx, err := db.write.BeginTx(w.ctx, nil)
		if err != nil {
			fail(storeErr("begin", err))
			return
		}
		if err := w.fn(tx); err != nil {
			tx.Rollback()
			w.done <- err
			return
		}
		if err := db.flushJobs(w.ctx, tx, db.batch); err != nil {
			tx.Rollback()
			w.done <- err
			return
		}
		if err := tx.Commit(); err != nil {
			w.done <- storeErr("commit", err)
			return
		}
		db.commits.Add(1)
		db.committed.Add(1)
		w.done <- nil
		return
	}
	tx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		fail(storeErr("begin", err))
		return
	}
	defer tx.Rollback()
	for i, w := range group {
		if err := w.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if _, err := tx.ExecContext(w.ctx, "SAVEPOINT w"); err != nil {
			errs[i] = storeErr("savepoint", err)
			continue
		}
		queued := len(db.batch)
		if errs[i] = w.fn(tx); errs[i] != nil {
			db.batch = db.batch[:queued] // the failed write's jobs go with it
			if _, err := tx.ExecContext(context.Background(), "ROLLBACK TO w"); err != nil {
				fail(storeErr("roll back a failed write", err))
				return
			}
		}
		if _, err := tx.ExecContext(context.Background(), "RELEASE w"); err != nil {
			fail(storeErr("release savepoint", err))
			return
		}
	}
	// The group's jobs in one insert; if it fails, no write of the group
	// is committed.
	if err := db.flushJobs(context.Background(), tx, db.batch); err != nil {
		for i, w := range group {
			w.done <- cmp.Or(errs[i], err)
		}
		return
	}
	if err := tx.Commit(); err != nil {
		fail(storeErr("commit", err))
		return
	}
	db.commits.Add(1)
	for i, w := range group {
		if errs[i] == nil {
			db.committed.Add(1)
		}
		w.done <- errs[i]
	}
}
