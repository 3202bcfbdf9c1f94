package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"reflect"
)

// The SQLite driver parses every statement that database/sql runs without
// an explicit Prepare, each time: for the job queue's per-job statements
// and our own short reads that parse was 40 % of a callback node's CPU.
// A connection here keeps its statements prepared, keyed by their text,
// and reuses them; SQLite re-prepares a statement itself when the schema
// changes under it.

// maxCachedStmts bounds a connection's prepared statements.
const maxCachedStmts = 256

// connector opens connections of the SQLite driver that cache statements.
type connector struct {
	dsn string
	d   driver.Driver
}

// openCaching opens a database of connections that cache statements.
func openCaching(dsn string) *sql.DB {
	probe, _ := sql.Open("sqlite", "") // the registered driver, as sql.Open uses it
	d := probe.Driver()
	probe.Close()
	return sql.OpenDB(connector{dsn: dsn, d: d})
}

func (c connector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.d.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: conn, stmts: map[string]*cachedStmt{}}, nil
}

func (c connector) Driver() driver.Driver { return c.d }

type cachedStmt struct {
	st   driver.Stmt
	busy bool // its rows are open: a second use prepares afresh
}

// cachingConn is a driver connection that reuses prepared statements.
// database/sql uses a connection from one goroutine at a time.
type cachingConn struct {
	driver.Conn
	stmts map[string]*cachedStmt
}

// stmt returns the cached statement for query, preparing it on first use;
// nil when it is in use by open rows (the caller then runs it uncached).
func (c *cachingConn) stmt(ctx context.Context, query string) (*cachedStmt, error) {
	if s := c.stmts[query]; s != nil {
		if s.busy {
			return nil, nil
		}
		return s, nil
	}
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(c.stmts) >= maxCachedStmts {
		for k, old := range c.stmts { // evict one idle statement
			if !old.busy {
				old.st.Close()
				delete(c.stmts, k)
				break
			}
		}
	}
	s := &cachedStmt{st: st}
	c.stmts[query] = s
	return s, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	s.busy = true
	defer func() { s.busy = false }()
	return s.st.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	s.busy = true
	rows, err := s.st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		s.busy = false
		return nil, err
	}
	return &cachedRows{rows: rows, s: s}, nil
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *cachingConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

func (c *cachingConn) Close() error {
	for k, s := range c.stmts {
		s.st.Close()
		delete(c.stmts, k)
	}
	return c.Conn.Close()
}

// cachedRows frees its statement for the next use when closed.
type cachedRows struct {
	rows   driver.Rows
	s      *cachedStmt
	closed bool
}

func (r *cachedRows) Columns() []string              { return r.rows.Columns() }
func (r *cachedRows) Next(dest []driver.Value) error { return r.rows.Next(dest) }

func (r *cachedRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.rows.Close() // resets the statement, keeping it prepared
	r.s.busy = false
	return err
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypeNullable(i int) (bool, bool) {
	if t, ok := r.rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}
