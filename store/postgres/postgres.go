// Package postgres implements pressroom.Store on PostgreSQL (pgx v5).
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/jobparams"
	"github.com/pressroom/pressroom/store/gomigrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the PostgreSQL store.
type DB struct {
	pool *pgxpool.Pool
	now  func() time.Time
	// jobs inserts River jobs inside the store's own transactions.
	jobs *river.Client[pgx.Tx]
	// Callback deliveries read and record in batches.
	toDeliver *batcher[int64, deliverable]
	attempts  *batcher[outcome, int64]
}

var _ pressroom.Store = (*DB)(nil)

// Open connects to the database at dsn and migrates it. Several nodes may
// open the same database at once: migrations hold an advisory lock.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres dsn: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	db := &DB{pool: pool, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if db.jobs, err = river.NewClient(riverpgxv5.New(pool), &river.Config{}); err != nil {
		pool.Close()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	db.toDeliver = newBatcher(db.loadDeliverables)
	db.attempts = newBatcher(db.recordOutcomes)
	return db, nil
}

// Pool is the connection pool, for the job queue's workers.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// insertJobs queues jobs in tx.
func (db *DB) insertJobs(ctx context.Context, tx pgx.Tx, jobs []pressroom.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	params := jobparams.Of(jobs)
	// One statement for all (River's insert takes arrays), not one each.
	if _, err := db.jobs.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("queue %d job(s): %w", len(jobs), err)
	}
	return nil
}

// QueueTx queues jobs in tx with River's own insert parameters (a copy of
// another store's waiting work, with the options it had there).
func (db *DB) QueueTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	if _, err := db.jobs.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("queue %d job(s): %w", len(params), err)
	}
	return nil
}

func (db *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return err
	}
	sqldb := stdlib.OpenDBFromPool(db.pool)
	defer sqldb.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqldb, sub, goose.WithSessionLocker(locker), goose.WithGoMigrations(gomigrate.SearchNames(`UPDATE orders SET address_name = $1 WHERE number = $2`)))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate postgres: %w", err)
	}
	// The job queue's own tables, by River's migrator, one node at a time.
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	defer conn.Release()
	const lockKey = 7_244_619_001 // pressroom's job queue migrations
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockKey)
	m, err := rivermigrate.New(riverpgxv5.New(db.pool), nil)
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	return nil
}

// Close closes the pool.
func (db *DB) Close() error {
	db.toDeliver.close()
	db.attempts.close()
	db.pool.Close()
	return nil
}

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// mapError turns driver errors into domain errors: the one place that knows
// PostgreSQL's codes.
func mapError(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return pressroom.Errorf(pressroom.ENOTFOUND, "%s not found.", what)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return pressroom.Errorf(pressroom.ECONFLICT, "%s exists already.", what)
		case "23503":
			return pressroom.Errorf(pressroom.ENOTFOUND, "%s refers to something that does not exist.", what)
		}
	}
	if unavailable(err) {
		return errUnavailable(err)
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// unavailable reports whether err says the database cannot be reached (it
// is down, restarting, or cut the connection): the request may succeed
// later, so it answers 503, not 500.
func unavailable(err error) bool {
	var ce *pgconn.ConnectError
	var pe *pgconn.PgError
	var ne net.Error
	switch {
	case errors.As(err, &pe):
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") || pe.Code == "53300"
	case errors.As(err, &ce), errors.As(err, &ne):
		return true
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, pgconn.ErrConnClosed) ||
		pgconn.SafeToRetry(err) || pgconn.Timeout(err)
}

// errUnavailable is the answer while the database cannot be reached; the
// cause goes to the log with the request, not to the caller.
func errUnavailable(err error) error {
	return &unavailableError{cause: err}
}

type unavailableError struct{ cause error }

func (e *unavailableError) Error() string { return "postgres unavailable: " + e.cause.Error() }
func (e *unavailableError) Unwrap() []error {
	return []error{pressroom.Errorf(pressroom.EUNAVAILABLE, "The database is unavailable; try again shortly."), e.cause}
}

// tx runs fn in a transaction and commits it.
func (db *DB) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		if unavailable(err) {
			return errUnavailable(err)
		}
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(ctx)
	if err := fn(tx); err != nil {
		var pe *pressroom.Error
		if !errors.As(err, &pe) && unavailable(err) { // e.g. a job insert cut off by a shutdown
			return errUnavailable(err)
		}
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		if unavailable(err) {
			return errUnavailable(err)
		}
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}
