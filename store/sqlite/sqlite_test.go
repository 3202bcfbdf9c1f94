package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/store/sqlite"
	"github.com/pressroom/pressroom/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) pressroom.Store {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "pressroom.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

// Reopening a file keeps what was written and does not migrate twice.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pressroom.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	r := storetest.MustCreateReseller(t, db, "kept")
	db.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, err := db.FindResellerByID(ctx, r.ID); err != nil || got.Name != "kept" {
		t.Fatalf("after reopen: %v, %v", got, err)
	}
}

func TestJobs(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "pressroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.Jobs(t, db, func(kind string) int {
		var n int
		if err := db.JobDB().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = ?`, kind).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	})
}

// Migration 20 rewrites the address names that were stored before it (the
// company alone) as the company and the person, so a search by the person
// finds those orders too.
func TestMigrationSearchesTheContact(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pressroom.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	o := storetest.MustCreateContactOrder(t, db)
	// As a build before the migration stored it, and had it not run yet
	// (nor those after it: 21's indexes).
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE orders SET address_name = 'probo sign'; DROP INDEX reprints_status; DROP INDEX reprints_reseller; DELETE FROM goose_db_version WHERE version_id >= 20`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db.Close()
	if db, err = sqlite.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.WantFoundByContact(t, db, o)
}
