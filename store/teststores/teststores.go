// Package teststores runs a test on both stores, a new SQLite file and a
// new database of the throwaway PostgreSQL cluster (internal/pgtest), for
// the tests of packages built on the store (not of the stores themselves,
// which import storetest instead).
package teststores

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/pgtest"
	"github.com/pressroom/pressroom/store/postgres"
	"github.com/pressroom/pressroom/store/sqlite"
)

// Each runs fn as a subtest on each store, closed when it ends. The
// package's TestMain must stop the cluster: os.Exit(pgtest.Main(m)).
func Each(t *testing.T, fn func(t *testing.T, s pressroom.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		db, err := postgres.Open(context.Background(), pgtest.NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, db)
	})
}
