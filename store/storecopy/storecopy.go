// Package storecopy copies a SQLite store into an empty PostgreSQL one,
// for a print company that outgrows one machine: every table row for row
// (numbers, ids, keys, secrets and times as they were), then the work still
// waiting (River's unfinished jobs: downloads, checks, callback deliveries,
// draft expiries) queued again on PostgreSQL. All of it lands in one
// transaction, or nothing does.
package storecopy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/riverqueue/river"

	"github.com/pressroom/pressroom/store/postgres"
	"github.com/pressroom/pressroom/store/sqlite"
)

// Tables are the store's tables in an order that puts every row after the
// rows it refers to. Both stores have the same tables and columns; a
// table of the PostgreSQL schema missing here fails the copy (see Copy).
var Tables = []string{
	"resellers", "customers", "api_keys", "catalog_versions", "id_sequences", "calculations", "api_products",
	"orders", "order_items", "order_events", "order_packages", "reprints", "idempotency_keys",
	"callbacks", "callback_attempts", "artwork", "projects", "upload_sessions", "dropped_blobs",
}

// Report says what a copy carried.
type Report struct {
	Rows map[string]int64 // by table
	Jobs int              // unfinished jobs queued again
}

// Copy copies from into to, which must hold no pressroom data yet. The
// source is read in one read transaction: a consistent whole even beside
// a running server, though what that server writes afterwards is not
// carried (stop it first).
func Copy(ctx context.Context, from *sqlite.DB, to *postgres.DB) (*Report, error) {
	rep := &Report{Rows: map[string]int64{}}
	pool := to.Pool()
	var n int64
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM resellers) + (SELECT count(*) FROM orders) + (SELECT count(*) FROM catalog_versions)`).Scan(&n); err != nil {
		return nil, fmt.Errorf("read the target: %w", err)
	}
	if n > 0 {
		return nil, errors.New("the PostgreSQL database already holds pressroom data (resellers, orders or a catalog); copy into an empty one")
	}
	types, identity, err := schema(ctx, to)
	if err != nil {
		return nil, err
	}
	for t := range types {
		if !slices.Contains(Tables, t) && !strings.HasPrefix(t, "river_") && t != "goose_db_version" {
			return nil, fmt.Errorf("storecopy: table %s is not in storecopy.Tables", t)
		}
	}
	err = from.ReadTx(ctx, func(src *sql.Tx) error {
		return pgx.BeginFunc(ctx, pool, func(dst pgx.Tx) error {
			for _, t := range Tables {
				n, err := copyTable(ctx, src, dst, t, types[t])
				if err != nil {
					return fmt.Errorf("copy %s: %w", t, err)
				}
				rep.Rows[t] = n
			}
			for _, c := range identity {
				// The next id, order number, ... goes on after the copied ones.
				if _, err := dst.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'), m) FROM (SELECT max(%s) AS m FROM %s) x WHERE m IS NOT NULL`,
					c[0], c[1], pgx.Identifier{c[1]}.Sanitize(), pgx.Identifier{c[0]}.Sanitize())); err != nil {
					return fmt.Errorf("sequence of %s.%s: %w", c[0], c[1], err)
				}
			}
			jobs, err := waitingJobs(ctx, src)
			if err != nil {
				return err
			}
			rep.Jobs = len(jobs)
			params := make([]river.InsertManyParams, len(jobs))
			for i, j := range jobs {
				params[i] = river.InsertManyParams{Args: j, InsertOpts: j.insertOpts()}
			}
			if err := to.QueueTx(ctx, dst, params); err != nil {
				return err
			}
			return keepAttempts(ctx, dst, jobs)
		})
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

type column struct{ name, typ string }

// schema reads the target's columns per table, and its identity columns.
func schema(ctx context.Context, to *postgres.DB) (map[string][]column, [][2]string, error) {
	rows, err := to.Pool().Query(ctx, `SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns
		WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, nil, fmt.Errorf("read the target's schema: %w", err)
	}
	defer rows.Close()
	types := map[string][]column{}
	var identity [][2]string
	for rows.Next() {
		var t, c, typ, ident string
		if err := rows.Scan(&t, &c, &typ, &ident); err != nil {
			return nil, nil, err
		}
		types[t] = append(types[t], column{c, typ})
		if ident == "YES" && slices.Contains(Tables, t) {
			identity = append(identity, [2]string{t, c})
		}
	}
	return types, identity, rows.Err()
}

// copyTable streams one table's rows from SQLite into PostgreSQL's COPY,
// each value turned into the target column's type.
func copyTable(ctx context.Context, src *sql.Tx, dst pgx.Tx, table string, cols []column) (int64, error) {
	if len(cols) == 0 {
		return 0, fmt.Errorf("the target has no table %s", table)
	}
	names := make([]string, len(cols))
	quoted := make([]string, len(cols))
	for i, c := range cols {
		names[i], quoted[i] = c.name, `"`+c.name+`"`
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return dst.CopyFrom(ctx, pgx.Identifier{table}, names, pgx.CopyFromFunc(func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out := make([]any, len(cols))
		for i, c := range cols {
			v, err := convert(vals[i], c.typ)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.name, err)
			}
			out[i] = v
		}
		return out, nil
	}))
}

// convert turns a SQLite value into one for a PostgreSQL column of type typ.
func convert(v any, typ string) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok && typ != "bytea" {
		v = string(b)
	}
	switch typ {
	case "boolean":
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("%v (%T) is not a SQLite boolean", v, v)
		}
		return n != 0, nil
	case "timestamp with time zone", "date":
		switch t := v.(type) {
		case time.Time:
			return t.UTC(), nil
		case string:
			if t == "" {
				return nil, nil // SQLite's "no time"
			}
			layout := time.RFC3339Nano
			if typ == "date" {
				layout = time.DateOnly
			}
			parsed, err := time.Parse(layout, t)
			if err != nil {
				return nil, err
			}
			return parsed, nil
		}
		return nil, fmt.Errorf("%v (%T) is not a time", v, v)
	case "numeric":
		var n pgtype.Numeric
		if err := n.Scan(fmt.Sprint(v)); err != nil {
			return nil, err
		}
		return n, nil
	case "jsonb", "json":
		return json.RawMessage(fmt.Sprint(v)), nil
	case "bytea":
		if s, ok := v.(string); ok {
			return []byte(s), nil
		}
	}
	return v, nil
}

// rawJob is a job as River stored it: its id, kind and JSON arguments,
// queue, attempts allowed, priority and when it is due, and the attempts
// it has had (with their errors), which the copy keeps: a download that
// failed three times has as many tries left on PostgreSQL, and waits as
// long for the next.
type rawJob struct {
	id          int64
	kind, queue string
	args        json.RawMessage
	maxAttempts int
	priority    int
	due         time.Time // zero: now
	attempt     int
	attemptedAt *time.Time
	errors      json.RawMessage // a JSON array, or nil
}

func (j rawJob) Kind() string                 { return j.kind }
func (j rawJob) MarshalJSON() ([]byte, error) { return j.args, nil }

// insertOpts are the job's options as they were; the metadata names the
// job it copies, for keepAttempts to find it.
func (j rawJob) insertOpts() *river.InsertOpts {
	return &river.InsertOpts{Queue: j.queue, MaxAttempts: j.maxAttempts, Priority: j.priority, ScheduledAt: j.due,
		Metadata: fmt.Appendf(nil, `{"copied_from":%d}`, j.id)}
}

// keepAttempts gives the copied jobs that had attempts on SQLite their
// count, time and errors again (River's insert starts every job at none).
func keepAttempts(ctx context.Context, dst pgx.Tx, jobs []rawJob) error {
	var ids []int64
	var attempts []int32
	var at []*time.Time
	var errs []*string
	for _, r := range jobs {
		if r.attempt == 0 {
			continue
		}
		ids, attempts, at = append(ids, r.id), append(attempts, int32(r.attempt)), append(at, r.attemptedAt)
		var e *string
		if len(r.errors) > 0 {
			e = new(string(r.errors))
		}
		errs = append(errs, e)
	}
	if len(ids) == 0 {
		return nil
	}
	tag, err := dst.Exec(ctx, `UPDATE river_job j SET attempt = u.attempt, attempted_at = u.at,
			errors = CASE WHEN u.errs IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements(u.errs::jsonb)) END
		FROM unnest($1::bigint[], $2::int[], $3::timestamptz[], $4::text[]) AS u(src, attempt, at, errs)
		WHERE j.metadata->>'copied_from' = u.src::text`, ids, attempts, at, errs)
	if err != nil {
		return fmt.Errorf("keep the jobs' attempts: %w", err)
	}
	if tag.RowsAffected() != int64(len(ids)) {
		return fmt.Errorf("keep the jobs' attempts: %d of %d jobs found again", tag.RowsAffected(), len(ids))
	}
	return nil
}

// waitingJobs are the source's jobs not finished: available, scheduled,
// waiting to retry, or running when the source stopped (run again).
func waitingJobs(ctx context.Context, src *sql.Tx) ([]rawJob, error) {
	// River's SQLite driver keeps the arguments as SQLite's binary JSON and
	// times as "2006-01-02 15:04:05.000" in UTC.
	rows, err := src.QueryContext(ctx, `SELECT id, kind, queue, json(args), max_attempts, priority, strftime('%Y-%m-%dT%H:%M:%fZ', scheduled_at),
			attempt, strftime('%Y-%m-%dT%H:%M:%fZ', attempted_at), json(errors)
		FROM river_job WHERE state IN ('available', 'scheduled', 'retryable', 'running', 'pending') ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read the waiting jobs: %w", err)
	}
	defer rows.Close()
	var jobs []rawJob
	for rows.Next() {
		var j rawJob
		var args []byte
		var at, attemptedAt any
		var errs sql.NullString
		if err := rows.Scan(&j.id, &j.kind, &j.queue, &args, &j.maxAttempts, &j.priority, &at, &j.attempt, &attemptedAt, &errs); err != nil {
			return nil, err
		}
		j.args = json.RawMessage(args)
		if errs.Valid && errs.String != "[]" {
			j.errors = json.RawMessage(errs.String)
		}
		if a, err := convert(attemptedAt, "timestamp with time zone"); err != nil {
			return nil, fmt.Errorf("job %s: attempted_at: %w", j.kind, err)
		} else if t, ok := a.(time.Time); ok {
			j.attemptedAt = &t
		}
		when, err := convert(at, "timestamp with time zone")
		if err != nil {
			return nil, fmt.Errorf("job %s: scheduled_at: %w", j.kind, err)
		}
		if t, ok := when.(time.Time); ok && t.After(time.Now()) {
			j.due = t
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}
