package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/order"
)

const orderColumns = `number, reseller_id, customer_id, own_id, released, tracking_token, type, stage, status, payment, reference,
	order_date, expires_at, document, version, created_at, updated_at`

func scanOrder(row interface{ Scan(...any) error }) (*order.Order, error) {
	var o order.Order
	var customer sql.NullInt64
	var released int
	var expires sql.NullString
	var doc, created, updated string
	if err := row.Scan(&o.Number, &o.ResellerID, &customer, &o.OwnID, &released, &o.TrackingToken, &o.Type, &o.Stage, &o.Status, &o.Payment,
		&o.Reference, &o.OrderDate, &expires, &doc, &o.Version, &created, &updated); err != nil {
		return nil, err
	}
	o.CustomerID, o.Released = customer.Int64, released != 0
	if expires.Valid {
		t := parseTime(expires.String)
		o.ExpiresAt = &t
	}
	o.CreatedAt, o.UpdatedAt = parseTime(created), parseTime(updated)
	if err := order.DecodeDocument(&o, []byte(doc)); err != nil {
		return nil, fmt.Errorf("order %d: %w", o.Number, err)
	}
	return &o, nil
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateOrder stores an order, its items and first event in one transaction.
func (db *DB) CreateOrder(ctx context.Context, o *order.Order, ev *order.Event, idem *pressroom.IdempotencyAnswer, jobs ...pressroom.Job) error {
	enc, err := order.Encode(o, true)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.insertOrder(ctx, tx, o, enc, ev); err != nil {
			return err
		}
		for _, j := range jobs {
			if a, ok := j.Args.(pressroom.OrderJobArgs); ok {
				a.SetOrder(o.Number)
			}
		}
		if err := db.insertJobs(ctx, tx, jobs); err != nil {
			return err
		}
		if idem != nil {
			status, ctype, body, err := idem.Render(o)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE reseller_id = ? AND key = ?`,
				status, ctype, body, o.ResellerID, idem.Key); err != nil {
				return mapError(err, "Idempotency key")
			}
		}
		return nil
	})
}

// insertOrder writes a new order (enc: its encoding), its items and first
// event in tx.
func (db *DB) insertOrder(ctx context.Context, tx *sql.Tx, o *order.Order, enc order.Encoded, ev *order.Event) error {
	now := db.now()
	o.CreatedAt, o.UpdatedAt, o.Version = now, now, 1
	err := tx.QueryRowContext(ctx, `INSERT INTO orders (reseller_id, customer_id, own_id, released, tracking_token, type, stage, status, payment,
		reference, address_name, order_date, expires_at, document, files, version, created_at, updated_at)
		VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING number`,
		o.ResellerID, nullInt(o.CustomerID), o.OwnID, o.TrackingToken, o.Type, o.Stage, o.Status, o.Payment, o.Reference,
		o.Delivery.Address.SearchName(), o.OrderDate, nullTime(o.ExpiresAt), enc.Document, enc.Files, formatTime(now), formatTime(now)).Scan(&o.Number)
	if err != nil {
		if pressroom.ErrorCode(mapError(err, "Order")) == pressroom.ECONFLICT {
			var existing int64
			if qerr := tx.QueryRowContext(ctx, `SELECT number FROM orders WHERE reseller_id = ? AND own_id = ? AND released = 0`,
				o.ResellerID, o.OwnID).Scan(&existing); qerr == nil {
				return pressroom.Errorf(pressroom.ECONFLICT, "Order id %q is in use by order %d.", o.OwnID, existing)
			}
		}
		return mapError(err, "Order")
	}
	if err := insertItems(ctx, tx, o, enc.Items); err != nil {
		return err
	}
	ev.OrderNumber = o.Number
	return db.insertEvents(ctx, tx, []*order.Event{ev}, now)
}

// itemChunk bounds the rows of one item insert: each count up to it is one
// statement in the connection's cache.
const itemChunk = 8

// itemInserts[n] inserts n items and returns their ids by position.
var itemInserts = func() (q [itemChunk + 1]string) {
	for n := 1; n <= itemChunk; n++ {
		q[n] = `INSERT INTO order_items (id, order_number, position, document) VALUES (?, ?, ?, ?)` +
			strings.Repeat(`, (?, ?, ?, ?)`, n-1) + ` RETURNING id, position`
	}
	return q
}()

// insertItems writes an order's items (docs: their encodings), up to
// itemChunk in a statement, and gives each its position and id.
func insertItems(ctx context.Context, tx *sql.Tx, o *order.Order, docs []string) error {
	args := make([]any, 0, 4*min(len(o.Items), itemChunk))
	for start := 0; start < len(o.Items); start += itemChunk {
		part := o.Items[start:min(start+itemChunk, len(o.Items))]
		args = args[:0]
		for k, it := range part {
			it.OrderNumber, it.Position = o.Number, start+k+1
			args = append(args, nullInt(it.ID), o.Number, it.Position, docs[start+k])
		}
		rows, err := tx.QueryContext(ctx, itemInserts[len(part)], args...)
		if err != nil {
			return mapError(err, "Order item")
		}
		if err := scanItemIDs(rows, o.Items, len(part)); err != nil {
			return mapError(err, "Order item")
		}
	}
	return nil
}

// scanItemIDs reads the ids a multi-row insert returns (in no set order,
// so by position) and checks that every row came back.
func scanItemIDs(rows *sql.Rows, items []*order.Item, want int) error {
	defer rows.Close()
	got := 0
	for rows.Next() {
		var id int64
		var pos int
		if err := rows.Scan(&id, &pos); err != nil {
			return err
		}
		if pos < 1 || pos > len(items) {
			return fmt.Errorf("insert returned position %d of %d items", pos, len(items))
		}
		items[pos-1].ID = id
		got++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("insert returned %d of %d items", got, want)
	}
	return nil
}

// insertEvents writes events and their callbacks (the outbox), queueing a
// delivery job for each callback, all in tx.
func (db *DB) insertEvents(ctx context.Context, tx *sql.Tx, evs []*order.Event, now time.Time) error {
	for _, ev := range evs {
		if ev.At.IsZero() {
			ev.At = now
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO order_events (order_number, at, actor, kind, from_state, to_state, reason, data, by_name)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, ev.OrderNumber, formatTime(ev.At), ev.Actor, ev.Kind, ev.From, ev.To, ev.Reason,
			string(ev.Data), ev.By).Scan(&ev.ID); err != nil {
			return mapError(err, "Order event")
		}
		for _, cb := range ev.Callbacks {
			cb.EventID, cb.OrderNumber, cb.OccurredAt = ev.ID, ev.OrderNumber, ev.At
			if err := db.insertCallback(ctx, tx, cb, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// insertCallback writes one outbox row with the next sequence number of its
// order and URL, and queues its delivery.
func (db *DB) insertCallback(ctx context.Context, tx *sql.Tx, cb *order.Callback, now time.Time) error {
	if cb.OrderNumber != 0 {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(sequence), 0) + 1 FROM callbacks WHERE order_number = ? AND url = ?`,
			cb.OrderNumber, cb.URL).Scan(&cb.Sequence); err != nil {
			return mapError(err, "Callback")
		}
	} else {
		cb.Sequence = 1
	}
	cb.Status, cb.CreatedAt = order.CallbackPending, now
	if cb.Render != nil {
		p, err := cb.Render()
		if err != nil {
			return err
		}
		cb.Payload = p
	}
	if cb.Format == "" {
		cb.Format = "native"
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO callbacks (reseller_id, order_number, event_id, url, sequence, type, format, payload,
		occurred_at, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		cb.ResellerID, nullInt(cb.OrderNumber), nullInt(cb.EventID), cb.URL, cb.Sequence, cb.Type, cb.Format, string(cb.Payload),
		formatTime(cb.OccurredAt), cb.Status, formatTime(now)).Scan(&cb.ID); err != nil {
		return mapError(err, "Callback")
	}
	return db.insertJobs(ctx, tx, []pressroom.Job{{Args: pressroom.CallbackJobArgs{ID: cb.ID}}})
}

const callbackColumns = `id, reseller_id, COALESCE(order_number, 0), COALESCE(event_id, 0), url, sequence, type, format, payload, occurred_at,
	status, attempts, first_attempt_at, next_attempt_at, last_status, last_error, created_at, finished_at`

func scanCallback(row interface{ Scan(...any) error }, extra ...any) (*order.Callback, error) {
	var cb order.Callback
	var payload, occurred, created string
	var first, next, finished sql.NullString
	if err := row.Scan(append([]any{&cb.ID, &cb.ResellerID, &cb.OrderNumber, &cb.EventID, &cb.URL, &cb.Sequence, &cb.Type, &cb.Format, &payload, &occurred,
		&cb.Status, &cb.Attempts, &first, &next, &cb.LastStatus, &cb.LastError, &created, &finished}, extra...)...); err != nil {
		return nil, err
	}
	cb.Payload, cb.OccurredAt, cb.CreatedAt = []byte(payload), parseTime(occurred), parseTime(created)
	cb.FirstAttemptAt, cb.NextAttemptAt, cb.FinishedAt = optTime(first), optTime(next), optTime(finished)
	return &cb, nil
}

func optTime(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseTime(s.String)
	return &t
}

// CreateCallback stores a callback of no order event (a test) and queues it.
func (db *DB) CreateCallback(ctx context.Context, cb *order.Callback) error {
	return db.tx(ctx, func(tx *sql.Tx) error { return db.insertCallback(ctx, tx, cb, db.now()) })
}

// FindCallback returns a callback with its attempts.
func (db *DB) FindCallback(ctx context.Context, resellerID, id int64) (*order.Callback, []*order.CallbackAttempt, error) {
	q, args := `SELECT `+callbackColumns+` FROM callbacks WHERE id = ?`, []any{id}
	if resellerID != 0 {
		q, args = q+` AND reseller_id = ?`, append(args, resellerID)
	}
	cb, err := scanCallback(db.read.QueryRowContext(ctx, q, args...))
	if err != nil {
		return nil, nil, mapError(err, fmt.Sprintf("Callback %d", id))
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, callback_id, at, status, error, response, duration_ms FROM callback_attempts
		WHERE callback_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, nil, mapError(err, "Callback attempts")
	}
	defer rows.Close()
	var out []*order.CallbackAttempt
	for rows.Next() {
		var a order.CallbackAttempt
		var at string
		var ms int64
		if err := rows.Scan(&a.ID, &a.CallbackID, &at, &a.Status, &a.Error, &a.Response, &ms); err != nil {
			return nil, nil, mapError(err, "Callback attempts")
		}
		a.At, a.Duration = parseTime(at), time.Duration(ms)*time.Millisecond
		out = append(out, &a)
	}
	return cb, out, mapError(rows.Err(), "Callback attempts")
}

// DeleteOldCallbacks deletes a batch of callbacks finished before the time.
func (db *DB) DeleteOldCallbacks(ctx context.Context, before time.Time, limit int) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM callbacks WHERE id IN (
		SELECT c.id FROM callbacks c WHERE c.finished_at IS NOT NULL AND c.finished_at < ? AND c.status IN ('delivered', 'failed')
			AND (c.order_number IS NULL OR EXISTS (SELECT 1 FROM callbacks n
				WHERE n.order_number = c.order_number AND n.url = c.url AND n.sequence > c.sequence))
		LIMIT ?)`, formatTime(before), limit)
	if err != nil {
		return 0, mapError(err, "Callbacks")
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// listedBy is the WHERE of a list of callbacks or reprints: a reseller's,
// an order's, in a status, each when given.
func listedBy(resellerID, orderNumber int64, status string) (string, []any) {
	where, args := ` WHERE 1 = 1`, []any{}
	if resellerID != 0 {
		where, args = where+` AND reseller_id = ?`, append(args, resellerID)
	}
	if orderNumber != 0 {
		where, args = where+` AND order_number = ?`, append(args, orderNumber)
	}
	if status != "" {
		where, args = where+` AND status = ?`, append(args, status)
	}
	return where, args
}

// ListCallbacks returns a page of callbacks, newest first.
func (db *DB) ListCallbacks(ctx context.Context, f pressroom.CallbackFilter) ([]*order.Callback, int, error) {
	where, args := listedBy(f.ResellerID, f.OrderNumber, string(f.Status))
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM callbacks`+where, args...).Scan(&total); err != nil {
		return nil, 0, mapError(err, "Callbacks")
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+callbackColumns+` FROM callbacks`+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, mapError(err, "Callbacks")
	}
	defer rows.Close()
	out := []*order.Callback{}
	for rows.Next() {
		cb, err := scanCallback(rows)
		if err != nil {
			return nil, 0, mapError(err, "Callbacks")
		}
		out = append(out, cb)
	}
	return out, total, mapError(rows.Err(), "Callbacks")
}

// CallbackToDeliver returns a callback, whether an earlier one of its
// order to its URL is still pending, and its reseller's signing secrets,
// in one read.
func (db *DB) CallbackToDeliver(ctx context.Context, id int64) (*order.Callback, bool, *pressroom.Reseller, error) {
	var earlier bool
	var r pressroom.Reseller
	var prev sql.NullString
	cb, err := scanCallback(db.read.QueryRowContext(ctx, `SELECT c.id, c.reseller_id, COALESCE(c.order_number, 0), COALESCE(c.event_id, 0), c.url, c.sequence, c.type, c.format, c.payload, c.occurred_at,
	c.status, c.attempts, c.first_attempt_at, c.next_attempt_at, c.last_status, c.last_error, c.created_at, c.finished_at, c.order_number IS NOT NULL AND EXISTS (SELECT 1 FROM callbacks e WHERE e.order_number = c.order_number AND e.url = c.url
		AND e.sequence < c.sequence AND e.status = 'pending'),
		r.id, r.webhook_secret, r.webhook_secret_previous, r.webhook_previous_until
		FROM callbacks c JOIN resellers r ON r.id = c.reseller_id WHERE c.id = ?`, id), &earlier, &r.ID, &r.WebhookSecret, &r.PreviousSecret, &prev)
	if err != nil {
		return nil, false, nil, mapError(err, fmt.Sprintf("Callback %d", id))
	}
	r.PreviousUntil = optTime(prev)
	return cb, earlier, &r, nil
}

// RecordCallbackAttempt stores an attempt and the callback's new state.
func (db *DB) RecordCallbackAttempt(ctx context.Context, cb *order.Callback, a *order.CallbackAttempt) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO callback_attempts (callback_id, at, status, error, response, duration_ms)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, cb.ID, formatTime(a.At), a.Status, a.Error, a.Response, a.Duration.Milliseconds()).Scan(&a.ID); err != nil {
			return mapError(err, "Callback attempt")
		}
		_, err := tx.ExecContext(ctx, `UPDATE callbacks SET status = ?, attempts = ?, first_attempt_at = ?, next_attempt_at = ?, last_status = ?,
			last_error = ?, finished_at = ? WHERE id = ?`, cb.Status, cb.Attempts, nullTime(cb.FirstAttemptAt), nullTime(cb.NextAttemptAt),
			cb.LastStatus, cb.LastError, nullTime(cb.FinishedAt), cb.ID)
		return mapError(err, "Callback")
	})
}

// RedeliverCallback makes a finished callback pending again and queues it.
func (db *DB) RedeliverCallback(ctx context.Context, resellerID, id int64) (*order.Callback, error) {
	var cb *order.Callback
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if cb, err = scanCallback(tx.QueryRowContext(ctx, `SELECT `+callbackColumns+` FROM callbacks WHERE id = ? AND reseller_id = ?`, id, resellerID)); err != nil {
			return mapError(err, fmt.Sprintf("Callback %d", id))
		}
		if cb.Status == order.CallbackPending {
			return pressroom.Errorf(pressroom.ECONFLICT, "Callback %d is still being delivered.", id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE callbacks SET status = 'pending', first_attempt_at = NULL, next_attempt_at = NULL, finished_at = NULL
			WHERE id = ?`, id); err != nil {
			return mapError(err, "Callback")
		}
		cb.Status, cb.FirstAttemptAt, cb.NextAttemptAt, cb.FinishedAt = order.CallbackPending, nil, nil, nil
		return db.insertJobs(ctx, tx, []pressroom.Job{{Args: pressroom.CallbackJobArgs{ID: id}}})
	})
	return cb, err
}

// FindOrder returns an order with its items.
func (db *DB) FindOrder(ctx context.Context, resellerID, number int64) (*order.Order, error) {
	q := `SELECT ` + orderColumns + ` FROM orders WHERE number = ?`
	args := []any{number}
	if resellerID != 0 {
		q += ` AND reseller_id = ?`
		args = append(args, resellerID)
	}
	o, err := scanOrder(db.read.QueryRowContext(ctx, q, args...))
	if err != nil {
		return nil, mapError(err, fmt.Sprintf("Order %d", number))
	}
	if err := db.readItems(ctx, []*order.Order{o}); err != nil {
		return nil, err
	}
	return o, nil
}

// readItems reads the items of orders, in one query.
func (db *DB) readItems(ctx context.Context, orders []*order.Order) error {
	if len(orders) == 0 {
		return nil
	}
	items, numbers := order.NewItemRows(orders)
	args := make([]any, len(numbers))
	for i, n := range numbers {
		args[i] = n
	}
	q := `SELECT order_number, id, position, document FROM order_items WHERE order_number = ? ORDER BY position`
	if len(orders) > 1 {
		q = `SELECT order_number, id, position, document FROM order_items
		WHERE order_number IN (?` + strings.Repeat(", ?", len(orders)-1) + `) ORDER BY order_number, position`
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return mapError(err, "Order items")
	}
	defer rows.Close()
	return mapError(items.Read(rows), "Order items")
}

// FindOrderByTrackingToken returns the order of a tracking page.
func (db *DB) FindOrderByTrackingToken(ctx context.Context, token string) (*order.Order, error) {
	o, err := scanOrder(db.read.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE tracking_token = ?`, token))
	return o, mapError(err, "Order")
}

// ListOrders returns a page of orders.
func (db *DB) ListOrders(ctx context.Context, f pressroom.OrderFilter) ([]*order.Order, int, error) {
	where, args := orderWhere(f, "order_date")
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders`+where, args...).Scan(&total); err != nil {
		return nil, 0, mapError(err, "Orders")
	}
	if total == 0 || f.Offset >= total {
		return []*order.Order{}, total, nil
	}
	// A page of many matches reads the orders newest first and stops when
	// it has them: a date range must not lead SQLite to the date index
	// instead, which would sort every order in the range for the page (the
	// unary + keeps it off that index). A few matches are found fastest by
	// that index, and sorting them is cheap.
	if total > fewOrders {
		where, args = orderWhere(f, "+order_date")
	}
	dir := "DESC"
	if f.Ascending {
		dir = "ASC"
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders`+where+` ORDER BY number `+dir+` LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, mapError(err, "Orders")
	}
	defer rows.Close()
	out := []*order.Order{}
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, 0, mapError(err, "Orders")
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, mapError(err, "Orders")
	}
	rows.Close()
	if f.WithItems {
		if err := db.readItems(ctx, out); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// fewOrders is the most matches of a listing that SQLite is let sort.
const fewOrders = 1000

// orderWhere is a listing's WHERE clause and arguments; date names the
// order date in it ("order_date", or "+order_date" to keep SQLite off its
// index).
func orderWhere(f pressroom.OrderFilter, date string) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) { conds = append(conds, cond); args = append(args, v) }
	if f.ResellerID != 0 {
		add("reseller_id = ?", f.ResellerID)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.Files != "" {
		add("files = ?", f.Files)
	}
	if f.Stage != "" {
		add("stage = ?", f.Stage)
	}
	if f.ExcludeStatus != "" {
		add("status <> ?", f.ExcludeStatus)
	}
	if len(f.AnyStatus) > 0 {
		conds = append(conds, "status IN (?"+strings.Repeat(", ?", len(f.AnyStatus)-1)+")")
		for _, st := range f.AnyStatus {
			args = append(args, st)
		}
	}
	if f.Type != "" {
		add("type = ?", f.Type)
	}
	if f.OwnID != "" {
		add("own_id = ?", f.OwnID)
	}
	if f.Reference != "" {
		add("reference = ?", f.Reference)
	}
	if f.CustomerID != 0 {
		add("customer_id = ?", f.CustomerID)
	}
	if f.AddressName != "" {
		add("instr(address_name, ?) > 0", strings.ToLower(f.AddressName))
	}
	if f.From != "" {
		add(date+" >= ?", f.From)
	}
	if f.To != "" {
		add(date+" <= ?", f.To)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// UpdateOrder stores a change made at version o.Version.
func (db *DB) UpdateOrder(ctx context.Context, o *order.Order, items bool, evs []*order.Event, pkgs []*order.Package, jobs ...pressroom.Job) error {
	enc, err := order.Encode(o, items)
	if err != nil {
		return err
	}
	var replace func(tx *sql.Tx) error
	if items {
		replace = func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM order_items WHERE order_number = ?`, o.Number); err != nil {
				return mapError(err, "Order items")
			}
			return insertItems(ctx, tx, o, enc.Items)
		}
	}
	return db.updateOrder(ctx, o, enc, replace, evs, pkgs, jobs)
}

// UpdateOrderItem stores a change of an order and its one item made at
// version o.Version.
func (db *DB) UpdateOrderItem(ctx context.Context, o *order.Order, it *order.Item, evs []*order.Event, jobs ...pressroom.Job) error {
	enc, err := order.EncodeWithItem(o, it)
	if err != nil {
		return err
	}
	return db.updateOrder(ctx, o, enc, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE order_items SET document = ? WHERE id = ? AND order_number = ?`, enc.Items[0], it.ID, o.Number)
		if err != nil {
			return mapError(err, "Order item")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return pressroom.Errorf(pressroom.ENOTFOUND, "Order %d has no item %d.", o.Number, it.ID)
		}
		return nil
	}, evs, nil, jobs)
}

// updateOrder writes the order's row at version o.Version, then its items
// (items, when not nil), events, packages and jobs, in one transaction.
func (db *DB) updateOrder(ctx context.Context, o *order.Order, enc order.Encoded, items func(tx *sql.Tx) error, evs []*order.Event, pkgs []*order.Package, jobs []pressroom.Job) error {
	now := db.now()
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE orders SET customer_id = ?, released = ?, type = ?, stage = ?, status = ?, payment = ?,
			reference = ?, address_name = ?, order_date = ?, expires_at = ?, document = ?, files = COALESCE(NULLIF(?, ''), files),
			version = version + 1, updated_at = ? WHERE number = ? AND version = ?`,
			nullInt(o.CustomerID), boolInt(o.Released), o.Type, o.Stage, o.Status, o.Payment, o.Reference,
			o.Delivery.Address.SearchName(), o.OrderDate, nullTime(o.ExpiresAt), enc.Document, enc.Files, formatTime(now), o.Number, o.Version)
		if err != nil {
			return mapError(err, "Order")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var v int64
			if err := tx.QueryRowContext(ctx, `SELECT version FROM orders WHERE number = ?`, o.Number).Scan(&v); errors.Is(err, sql.ErrNoRows) {
				return pressroom.Errorf(pressroom.ENOTFOUND, "Order %d does not exist.", o.Number)
			}
			return pressroom.Errorf(pressroom.ECONFLICT, "Order %d was changed meanwhile; read it again.", o.Number)
		}
		if items != nil {
			if err := items(tx); err != nil {
				return err
			}
		}
		for _, ev := range evs {
			ev.OrderNumber = o.Number
		}
		if err := db.insertEvents(ctx, tx, evs, now); err != nil {
			return err
		}
		for _, p := range pkgs {
			p.OrderNumber, p.CreatedAt = o.Number, now
			if err := tx.QueryRowContext(ctx, `INSERT INTO order_packages (order_number, carrier, tracking_code, tracking_url, created_at)
				VALUES (?, ?, ?, ?, ?) RETURNING id`, o.Number, p.Carrier, p.TrackingCode, p.TrackingURL, formatTime(now)).Scan(&p.ID); err != nil {
				return mapError(err, "Package")
			}
		}
		if err := db.insertJobs(ctx, tx, jobs); err != nil {
			return err
		}
		o.Version++
		o.UpdatedAt = now
		return nil
	})
}

// AddOrderEvent writes an event that leaves its order as it is.
func (db *DB) AddOrderEvent(ctx context.Context, ev *order.Event) error {
	now := db.now()
	return db.tx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM orders WHERE number = ?`, ev.OrderNumber).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return pressroom.Errorf(pressroom.ENOTFOUND, "Order %d does not exist.", ev.OrderNumber)
		} else if err != nil {
			return mapError(err, "Order")
		}
		return db.insertEvents(ctx, tx, []*order.Event{ev}, now)
	})
}

// ListOrderEvents returns an order's events, oldest first.
func (db *DB) ListOrderEvents(ctx context.Context, number int64) ([]*order.Event, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, order_number, at, actor, kind, from_state, to_state, reason, data, by_name
		FROM order_events WHERE order_number = ? ORDER BY id`, number)
	if err != nil {
		return nil, mapError(err, "Order events")
	}
	defer rows.Close()
	out := []*order.Event{}
	for rows.Next() {
		var ev order.Event
		var at, data string
		if err := rows.Scan(&ev.ID, &ev.OrderNumber, &at, &ev.Actor, &ev.Kind, &ev.From, &ev.To, &ev.Reason, &data, &ev.By); err != nil {
			return nil, mapError(err, "Order events")
		}
		ev.At = parseTime(at)
		if data != "" {
			ev.Data = []byte(data)
		}
		out = append(out, &ev)
	}
	return out, mapError(rows.Err(), "Order events")
}

// ListOrderPackages returns an order's packages, oldest first.
func (db *DB) ListOrderPackages(ctx context.Context, number int64) ([]*order.Package, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, order_number, carrier, tracking_code, tracking_url, created_at
		FROM order_packages WHERE order_number = ? ORDER BY id`, number)
	if err != nil {
		return nil, mapError(err, "Packages")
	}
	defer rows.Close()
	out := []*order.Package{}
	for rows.Next() {
		var p order.Package
		var at string
		if err := rows.Scan(&p.ID, &p.OrderNumber, &p.Carrier, &p.TrackingCode, &p.TrackingURL, &at); err != nil {
			return nil, mapError(err, "Packages")
		}
		p.CreatedAt = parseTime(at)
		out = append(out, &p)
	}
	return out, mapError(rows.Err(), "Packages")
}

// DeleteExpiredDrafts deletes a batch of expired drafts.
func (db *DB) DeleteExpiredDrafts(ctx context.Context, before time.Time, limit int) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM orders WHERE number IN (SELECT number FROM orders
		WHERE stage = 'draft' AND expires_at IS NOT NULL AND expires_at < ? LIMIT ?)`, formatTime(before), limit)
	if err != nil {
		return 0, mapError(err, "Drafts")
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// BeginIdempotency claims an idempotency key.
func (db *DB) BeginIdempotency(ctx context.Context, resellerID int64, key string, hash []byte, staleAfter time.Duration) (*pressroom.Idempotency, error) {
	now := db.now()
	var out *pressroom.Idempotency
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var got pressroom.Idempotency
		var status int
		var ctype, created string
		var body []byte
		err := tx.QueryRowContext(ctx, `SELECT request_hash, status, content_type, body, created_at FROM idempotency_keys
			WHERE reseller_id = ? AND key = ?`, resellerID, key).Scan(&got.RequestHash, &status, &ctype, &body, &created)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (reseller_id, key, request_hash, created_at) VALUES (?, ?, ?, ?)`,
				resellerID, key, hash, formatTime(now))
			return mapError(err, "Idempotency key")
		case err != nil:
			return mapError(err, "Idempotency key")
		}
		got.Key, got.Done, got.CreatedAt = key, status != 0, parseTime(created)
		got.Answer = pressroom.IdempotencyAnswer{Key: key, Status: status, ContentType: ctype, Body: body}
		// A first request that died without an answer frees its key.
		if !got.Done && now.Sub(got.CreatedAt) > staleAfter && bytes.Equal(got.RequestHash, hash) {
			_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET created_at = ? WHERE reseller_id = ? AND key = ?`, formatTime(now), resellerID, key)
			return mapError(err, "Idempotency key")
		}
		out = &got
		return nil
	})
	return out, err
}

// FinishIdempotency stores an answer that stored nothing else.
func (db *DB) FinishIdempotency(ctx context.Context, resellerID int64, key string, a pressroom.IdempotencyAnswer) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE reseller_id = ? AND key = ?`,
			a.Status, a.ContentType, a.Body, resellerID, key)
		return err
	})
	return mapError(err, "Idempotency key")
}

// DeleteIdempotencyBefore forgets old keys.
func (db *DB) DeleteIdempotencyBefore(ctx context.Context, before time.Time, limit int) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE created_at < ? LIMIT ?)`,
		formatTime(before), limit)
	if err != nil {
		return 0, mapError(err, "Idempotency keys")
	}
	n, _ := res.RowsAffected()
	return n, nil
}

const reprintColumns = `id, order_number, reseller_id, status, reason, note, items, new_order, decision, created_at, decided_at`

func scanReprint(row interface{ Scan(...any) error }) (*order.Reprint, error) {
	var rp order.Reprint
	var items, created string
	var newOrder sql.NullInt64
	var decided sql.NullString
	if err := row.Scan(&rp.ID, &rp.OrderNumber, &rp.ResellerID, &rp.Status, &rp.Reason, &rp.Note, &items, &newOrder, &rp.Decision, &created, &decided); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(items), &rp.Items); err != nil {
		return nil, fmt.Errorf("reprint %d: %w", rp.ID, err)
	}
	rp.NewOrder, rp.CreatedAt = newOrder.Int64, parseTime(created)
	if decided.Valid {
		t := parseTime(decided.String)
		rp.DecidedAt = &t
	}
	return &rp, nil
}

// CreateReprint stores a reprint request unless another of its order
// came after after (the write is the file's only one at a time).
func (db *DB) CreateReprint(ctx context.Context, rp *order.Reprint, after int64) error {
	items, err := json.Marshal(rp.Items)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		var newest int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM reprints WHERE order_number = ?`, rp.OrderNumber).Scan(&newest); err != nil {
			return mapError(err, "Reprint")
		}
		if newest != after {
			return pressroom.Errorf(pressroom.ECONFLICT, "Reprint %d of order %d was asked for meanwhile.", newest, rp.OrderNumber)
		}
		rp.CreatedAt = db.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO reprints (order_number, reseller_id, status, reason, note, items, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, rp.OrderNumber, rp.ResellerID, rp.Status, rp.Reason, rp.Note, string(items),
			formatTime(rp.CreatedAt)).Scan(&rp.ID)
		return mapError(err, "Reprint")
	})
}

// FindReprint returns a reprint.
func (db *DB) FindReprint(ctx context.Context, resellerID, id int64) (*order.Reprint, error) {
	q, args := `SELECT `+reprintColumns+` FROM reprints WHERE id = ?`, []any{id}
	if resellerID != 0 {
		q += ` AND reseller_id = ?`
		args = append(args, resellerID)
	}
	rp, err := scanReprint(db.read.QueryRowContext(ctx, q, args...))
	return rp, mapError(err, fmt.Sprintf("Reprint %d", id))
}

// ListReprints returns a page of reprints, newest first, and their count.
func (db *DB) ListReprints(ctx context.Context, f pressroom.ReprintFilter) ([]*order.Reprint, int, error) {
	where, args := listedBy(f.ResellerID, f.OrderNumber, string(f.Status))
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM reprints`+where, args...).Scan(&total); err != nil {
		return nil, 0, mapError(err, "Reprints")
	}
	limit := f.Limit
	if limit == 0 {
		limit = -1 // SQLite's "no limit"
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+reprintColumns+` FROM reprints`+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, mapError(err, "Reprints")
	}
	defer rows.Close()
	out := []*order.Reprint{}
	for rows.Next() {
		rp, err := scanReprint(rows)
		if err != nil {
			return nil, 0, mapError(err, "Reprints")
		}
		out = append(out, rp)
	}
	return out, total, mapError(rows.Err(), "Reprints")
}

// DecideReprint approves or rejects a requested reprint.
func (db *DB) DecideReprint(ctx context.Context, rp *order.Reprint, newOrder *order.Order, created, ev *order.Event, jobs ...pressroom.Job) error {
	now := db.now()
	var enc order.Encoded
	if newOrder != nil {
		var err error
		if enc, err = order.Encode(newOrder, true); err != nil {
			return err
		}
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if newOrder != nil {
			if err := db.insertOrder(ctx, tx, newOrder, enc, created); err != nil {
				return err
			}
			for _, j := range jobs {
				if a, ok := j.Args.(pressroom.OrderJobArgs); ok {
					a.SetOrder(newOrder.Number)
				}
			}
			if err := db.insertJobs(ctx, tx, jobs); err != nil {
				return err
			}
			for _, p := range order.ReprintFiles(rp, newOrder) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO artwork (order_number, item_id, idx, source, url, expected_md5, size, md5, sha256,
					content_type, blob_key, state, findings, error, created_at, updated_at)
					SELECT ?, ?, idx, source, url, expected_md5, size, md5, sha256, content_type, blob_key, state, findings, error, ?, ?
					FROM artwork WHERE order_number = ? AND item_id = ?`, newOrder.Number, p.To, formatTime(now), formatTime(now), rp.OrderNumber, p.From); err != nil {
					return mapError(err, "Artwork")
				}
			}
			rp.NewOrder = newOrder.Number
		}
		res, err := tx.ExecContext(ctx, `UPDATE reprints SET status = ?, new_order = ?, decision = ?, decided_at = ? WHERE id = ? AND status = 'requested'`,
			rp.Status, nullInt(rp.NewOrder), rp.Decision, formatTime(now), rp.ID)
		if err != nil {
			return mapError(err, "Reprint")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return pressroom.Errorf(pressroom.ECONFLICT, "Reprint %d was decided meanwhile.", rp.ID)
		}
		rp.DecidedAt = &now
		ev.OrderNumber = rp.OrderNumber
		return db.insertEvents(ctx, tx, []*order.Event{ev}, now)
	})
}
