// Package gomigrate holds the migrations both stores run in Go rather than
// SQL: those that compute a column the way the Go code computes it. Each
// store registers them with goose beside its SQL files, giving its own
// statements where the dialects differ.
package gomigrate

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"

	"github.com/pressroom/pressroom/order"
)

// SearchNames is migration 20: every order's address_name becomes its
// delivery address's order.Address.SearchName, the company and the person
// (it held the company alone, so a search by the contact's name found
// nothing). In Go, so the name is lower-cased as Go does it, as the
// searches are. update sets address_name (its first parameter) of an order
// number (its second).
func SearchNames(update string) *goose.Migration {
	return goose.NewGoMigration(20, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT number, document FROM orders`)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for rows.Next() {
			var number int64
			var doc string
			if err := rows.Scan(&number, &doc); err != nil {
				rows.Close()
				return err
			}
			name, err := order.DocumentSearchName([]byte(doc))
			if err != nil {
				rows.Close()
				return fmt.Errorf("order %d: %w", number, err)
			}
			names[number] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for number, name := range names {
			if _, err := tx.ExecContext(ctx, update, name, number); err != nil {
				return err
			}
		}
		return nil
	}}, nil)
}
