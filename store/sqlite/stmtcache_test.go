package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// TestStatementCache: a cached statement whose rows are still open is not
// reused under them (the same query nested in a transaction reads all its
// rows twice); past the bound, statements are evicted and still work; a
// schema change reaches a cached statement.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	db := openCaching("file:" + filepath.Join(t.TempDir(), "c.db") + "?_pragma=journal_mode(WAL)")
	db.SetMaxOpenConns(1)
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if _, err := db.ExecContext(ctx, `INSERT INTO t (x) VALUES (?)`, i); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	outer, err := tx.QueryContext(ctx, `SELECT x FROM t ORDER BY x`)
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for outer.Next() {
		var a int
		outer.Scan(&a)
		inner, err := tx.QueryContext(ctx, `SELECT x FROM t ORDER BY x`)
		if err != nil {
			t.Fatal(err)
		}
		for inner.Next() {
			var b int
			inner.Scan(&b)
			pairs = append(pairs, fmt.Sprint(a, b))
		}
		inner.Close()
	}
	outer.Close()
	tx.Commit()
	if len(pairs) != 9 || pairs[0] != "1 1" || pairs[8] != "3 3" {
		t.Errorf("nested reads: %v", pairs)
	}
	for i := range maxCachedStmts + 20 {
		var n int
		if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) + %d FROM t`, i)).Scan(&n); err != nil || n != 3+i {
			t.Fatalf("statement %d: %d %v", i, n, err)
		}
	}
	columns := func() []string {
		rows, err := db.QueryContext(ctx, `SELECT * FROM t`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		return cols
	}
	if cols := columns(); len(cols) != 1 {
		t.Fatalf("columns %v", cols)
	}
	if _, err := db.ExecContext(ctx, `ALTER TABLE t ADD COLUMN y TEXT DEFAULT 'y'`); err != nil {
		t.Fatal(err)
	}
	if cols := columns(); len(cols) != 2 {
		t.Errorf("after the schema change: columns %v", cols)
	}
}
