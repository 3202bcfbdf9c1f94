package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/pgtest"
	"github.com/pressroom/pressroom/store/postgres"
	"github.com/pressroom/pressroom/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) pressroom.Store { return openDB(t) })
}

// Several nodes opening one empty database at once migrate it once.
func TestConcurrentOpen(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			db, err := postgres.Open(context.Background(), dsn)
			if err == nil {
				db.Close()
			}
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Errorf("Open: %v", err)
		}
	}
}

// openDB is a store on a throwaway cluster's database of its own.
func openDB(tb testing.TB) pressroom.Store {
	db, err := postgres.Open(context.Background(), pgtest.NewDatabase(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkCreateOrder: see storetest.BenchmarkCreateOrder, on a
// throwaway cluster's database.
func BenchmarkCreateOrder(b *testing.B) {
	storetest.BenchmarkCreateOrder(b, openDB, nil)
}

// BenchmarkFindOrders: see storetest.BenchmarkFindOrders.
func BenchmarkFindOrders(b *testing.B) {
	storetest.BenchmarkFindOrders(b, openDB)
}

// BenchmarkListCallbacks: see storetest.BenchmarkListCallbacks.
func BenchmarkListCallbacks(b *testing.B) {
	storetest.BenchmarkListCallbacks(b, openDB)
}

// BenchmarkPurges: see storetest.BenchmarkPurges.
func BenchmarkPurges(b *testing.B) {
	storetest.BenchmarkPurges(b, openDB)
}

func TestJobs(t *testing.T) {
	db, err := postgres.Open(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.Jobs(t, db, func(kind string) int {
		var n int
		if err := db.Pool().QueryRow(context.Background(), `SELECT COUNT(*) FROM river_job WHERE kind = $1`, kind).Scan(&n); err != nil {
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
	dsn := pgtest.NewDatabase(t)
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	o := storetest.MustCreateContactOrder(t, db)
	// As a build before the migration stored it, and had it not run yet
	// (nor those after it: 21's indexes).
	for _, q := range []string{`UPDATE orders SET address_name = 'probo sign'`, `DROP INDEX reprints_status`, `DROP INDEX reprints_reseller`,
		`DELETE FROM goose_db_version WHERE version_id >= 20`} {
		if _, err := db.Pool().Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if db, err = postgres.Open(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.WantFoundByContact(t, db, o)
}
