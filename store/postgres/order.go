package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/order"
)

const orderColumns = `number, reseller_id, customer_id, own_id, released, tracking_token, type, stage, status, payment, reference,
	order_date::text, expires_at, document, version, created_at, updated_at`

func scanOrder(row pgx.Row) (*order.Order, error) {
	var o order.Order
	var customer *int64
	var expires *time.Time
	var doc string
	if err := row.Scan(&o.Number, &o.ResellerID, &customer, &o.OwnID, &o.Released, &o.TrackingToken, &o.Type, &o.Stage, &o.Status, &o.Payment,
		&o.Reference, &o.OrderDate, &expires, &doc, &o.Version, &o.CreatedAt, &o.UpdatedAt); err != nil {
		return nil, err
	}
	if customer != nil {
		o.CustomerID = *customer
	}
	if expires != nil {
		t := expires.UTC()
		o.ExpiresAt = &t
	}
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	if err := order.DecodeDocument(&o, []byte(doc)); err != nil {
		return nil, fmt.Errorf("order %d: %w", o.Number, err)
	}
	return &o, nil
}

func nullInt(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

// CreateOrder stores an order, its items and first event in one transaction.
func (db *DB) CreateOrder(ctx context.Context, o *order.Order, ev *order.Event, idem *pressroom.IdempotencyAnswer, jobs ...pressroom.Job) error {
	enc, err := order.Encode(o, true)
	if err != nil {
		return err
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		deliveries, err := db.insertOrder(ctx, tx, o, enc, ev)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			if a, ok := j.Args.(pressroom.OrderJobArgs); ok {
				a.SetOrder(o.Number)
			}
		}
		// The order's jobs and its callbacks' deliveries: one statement.
		if err := db.insertJobs(ctx, tx, append(deliveries, jobs...)); err != nil {
			return err
		}
		if idem != nil {
			status, ctype, body, err := idem.Render(o)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE idempotency_keys SET status = $1, content_type = $2, body = $3 WHERE reseller_id = $4 AND key = $5`,
				status, ctype, body, o.ResellerID, idem.Key); err != nil {
				return mapError(err, "Idempotency key")
			}
		}
		return nil
	})
	return db.nameConflict(ctx, o, err)
}

// nameConflict turns a duplicate own id into an error naming the order that has it.
func (db *DB) nameConflict(ctx context.Context, o *order.Order, err error) error {
	if pressroom.ErrorCode(err) == pressroom.ECONFLICT {
		var existing int64
		if qerr := db.pool.QueryRow(ctx, `SELECT number FROM orders WHERE reseller_id = $1 AND own_id = $2 AND NOT released`,
			o.ResellerID, o.OwnID).Scan(&existing); qerr == nil {
			return pressroom.Errorf(pressroom.ECONFLICT, "Order id %q is in use by order %d.", o.OwnID, existing)
		}
	}
	return err
}

// insertNewOrder writes an order, its items and its first event in one
// statement (one round trip, not one each): it returns the order's number,
// the event's id and the items' ids by position.
const insertNewOrder = `WITH o AS (
	INSERT INTO orders (reseller_id, customer_id, own_id, released, tracking_token, type, stage, status, payment,
		reference, address_name, order_date, expires_at, document, files, version, created_at, updated_at)
	VALUES ($1, $2, $3, false, $14, $4, $5, $6, $7, $8, $9, $10::date, $11, $12, $23, 1, $13, $13) RETURNING number
), i AS (
	INSERT INTO order_items (order_number, position, document)
	SELECT o.number, d.position, d.document FROM o, unnest($15::text[]) WITH ORDINALITY AS d(document, position)
	RETURNING id, position
), e AS (
	INSERT INTO order_events (order_number, at, actor, kind, from_state, to_state, reason, data, by_name)
	SELECT o.number, $16, $17, $18, $19, $20, $21, $22, $24 FROM o RETURNING id
)
SELECT o.number, e.id, COALESCE((SELECT array_agg(id ORDER BY position) FROM i), '{}') FROM o, e`

// insertOrder writes a new order (enc: its encoding), its items and first
// event in tx, and the event's callbacks; it returns the callbacks'
// delivery jobs for the caller to queue with its own.
func (db *DB) insertOrder(ctx context.Context, tx pgx.Tx, o *order.Order, enc order.Encoded, ev *order.Event) ([]pressroom.Job, error) {
	now := db.now().Truncate(time.Microsecond)
	o.CreatedAt, o.UpdatedAt, o.Version = now, now, 1
	if ev.At.IsZero() {
		ev.At = now
	}
	var ids []int64
	err := tx.QueryRow(ctx, insertNewOrder,
		o.ResellerID, nullInt(o.CustomerID), o.OwnID, o.Type, o.Stage, o.Status, o.Payment, o.Reference,
		o.Delivery.Address.SearchName(), o.OrderDate, o.ExpiresAt, enc.Document, now, o.TrackingToken, enc.Items,
		ev.At, ev.Actor, ev.Kind, ev.From, ev.To, ev.Reason, string(ev.Data), string(enc.Files), ev.By).Scan(&o.Number, &ev.ID, &ids)
	if err != nil {
		return nil, mapError(err, "Order")
	}
	if len(ids) != len(o.Items) {
		return nil, fmt.Errorf("order %d: %d item ids for %d items", o.Number, len(ids), len(o.Items))
	}
	for i, it := range o.Items {
		it.ID, it.OrderNumber, it.Position = ids[i], o.Number, i+1
	}
	ev.OrderNumber = o.Number
	// A new order has no callbacks yet: each URL's sequence starts at 1.
	seq := map[string]int64{}
	var deliveries []pressroom.Job
	for _, cb := range ev.Callbacks {
		cb.EventID, cb.OrderNumber, cb.OccurredAt = ev.ID, ev.OrderNumber, ev.At
		seq[cb.URL]++
		cb.Sequence = seq[cb.URL]
		if err := db.insertCallbackRow(ctx, tx, cb, now); err != nil {
			return nil, err
		}
		deliveries = append(deliveries, pressroom.Job{Args: pressroom.CallbackJobArgs{ID: cb.ID}})
	}
	return deliveries, nil
}

// insertItems writes an order's items (docs: their encodings) in one round
// trip and gives each its position and id.
func insertItems(ctx context.Context, tx pgx.Tx, o *order.Order, docs []string) error {
	var b pgx.Batch
	for i, it := range o.Items {
		it.OrderNumber, it.Position = o.Number, i+1
		q := `INSERT INTO order_items (order_number, position, document) VALUES ($1, $2, $3) RETURNING id`
		args := []any{o.Number, it.Position, docs[i]}
		if it.ID != 0 {
			q = `INSERT INTO order_items (id, order_number, position, document) VALUES ($4, $1, $2, $3) RETURNING id`
			args = append(args, it.ID)
		}
		b.Queue(q, args...).QueryRow(func(row pgx.Row) error { return row.Scan(&it.ID) })
	}
	if b.Len() == 0 {
		return nil
	}
	return mapError(tx.SendBatch(ctx, &b).Close(), "Order item")
}

// insertEvents writes events and their callbacks (the outbox), queueing a
// delivery job for each callback, all in tx.
func (db *DB) insertEvents(ctx context.Context, tx pgx.Tx, evs []*order.Event, now time.Time) error {
	for _, ev := range evs {
		if ev.At.IsZero() {
			ev.At = now
		}
		if err := tx.QueryRow(ctx, `INSERT INTO order_events (order_number, at, actor, kind, from_state, to_state, reason, data, by_name)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, ev.OrderNumber, ev.At, ev.Actor, ev.Kind, ev.From, ev.To, ev.Reason,
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
// order and URL (the order row is locked by the change), and queues its delivery.
func (db *DB) insertCallback(ctx context.Context, tx pgx.Tx, cb *order.Callback, now time.Time) error {
	cb.Sequence = 1
	if cb.OrderNumber != 0 {
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(sequence), 0) + 1 FROM callbacks WHERE order_number = $1 AND url = $2`,
			cb.OrderNumber, cb.URL).Scan(&cb.Sequence); err != nil {
			return mapError(err, "Callback")
		}
	}
	if err := db.insertCallbackRow(ctx, tx, cb, now); err != nil {
		return err
	}
	return db.insertJobs(ctx, tx, []pressroom.Job{{Args: pressroom.CallbackJobArgs{ID: cb.ID}}})
}

// insertCallbackRow writes the outbox row of cb, its sequence given.
func (db *DB) insertCallbackRow(ctx context.Context, tx pgx.Tx, cb *order.Callback, now time.Time) error {
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
	if err := tx.QueryRow(ctx, `INSERT INTO callbacks (reseller_id, order_number, event_id, url, sequence, type, format, payload,
		occurred_at, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		cb.ResellerID, nullInt(cb.OrderNumber), nullInt(cb.EventID), cb.URL, cb.Sequence, cb.Type, cb.Format, string(cb.Payload),
		cb.OccurredAt, string(cb.Status), now).Scan(&cb.ID); err != nil {
		return mapError(err, "Callback")
	}
	return nil
}

const callbackColumns = `id, reseller_id, COALESCE(order_number, 0), COALESCE(event_id, 0), url, sequence, type, format, payload, occurred_at,
	status, attempts, first_attempt_at, next_attempt_at, last_status, last_error, created_at, finished_at`

func scanCallback(row pgx.Row, extra ...any) (*order.Callback, error) {
	var cb order.Callback
	var payload string
	if err := row.Scan(append([]any{&cb.ID, &cb.ResellerID, &cb.OrderNumber, &cb.EventID, &cb.URL, &cb.Sequence, &cb.Type, &cb.Format, &payload, &cb.OccurredAt,
		&cb.Status, &cb.Attempts, &cb.FirstAttemptAt, &cb.NextAttemptAt, &cb.LastStatus, &cb.LastError, &cb.CreatedAt, &cb.FinishedAt}, extra...)...); err != nil {
		return nil, err
	}
	cb.Payload, cb.OccurredAt, cb.CreatedAt = []byte(payload), cb.OccurredAt.UTC(), cb.CreatedAt.UTC()
	cb.FirstAttemptAt, cb.NextAttemptAt, cb.FinishedAt = utc(cb.FirstAttemptAt), utc(cb.NextAttemptAt), utc(cb.FinishedAt)
	return &cb, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// CreateCallback stores a callback of no order event (a test) and queues it.
func (db *DB) CreateCallback(ctx context.Context, cb *order.Callback) error {
	return db.tx(ctx, func(tx pgx.Tx) error { return db.insertCallback(ctx, tx, cb, db.now().Truncate(time.Microsecond)) })
}

// FindCallback returns a callback with its attempts.
func (db *DB) FindCallback(ctx context.Context, resellerID, id int64) (*order.Callback, []*order.CallbackAttempt, error) {
	q, args := `SELECT `+callbackColumns+` FROM callbacks WHERE id = $1`, []any{id}
	if resellerID != 0 {
		q, args = q+` AND reseller_id = $2`, append(args, resellerID)
	}
	cb, err := scanCallback(db.pool.QueryRow(ctx, q, args...))
	if err != nil {
		return nil, nil, mapError(err, fmt.Sprintf("Callback %d", id))
	}
	rows, err := db.pool.Query(ctx, `SELECT id, callback_id, at, status, error, response, duration_ms FROM callback_attempts
		WHERE callback_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, nil, mapError(err, "Callback attempts")
	}
	defer rows.Close()
	var out []*order.CallbackAttempt
	for rows.Next() {
		var a order.CallbackAttempt
		var ms int64
		if err := rows.Scan(&a.ID, &a.CallbackID, &a.At, &a.Status, &a.Error, &a.Response, &ms); err != nil {
			return nil, nil, mapError(err, "Callback attempts")
		}
		a.At, a.Duration = a.At.UTC(), time.Duration(ms)*time.Millisecond
		out = append(out, &a)
	}
	return cb, out, mapError(rows.Err(), "Callback attempts")
}

// DeleteOldCallbacks deletes a batch of callbacks finished before the time.
func (db *DB) DeleteOldCallbacks(ctx context.Context, before time.Time, limit int) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM callbacks WHERE id IN (
		SELECT c.id FROM callbacks c WHERE c.finished_at < $1 AND c.status IN ('delivered', 'failed')
			AND (c.order_number IS NULL OR EXISTS (SELECT 1 FROM callbacks n
				WHERE n.order_number = c.order_number AND n.url = c.url AND n.sequence > c.sequence))
		LIMIT $2)`, before.UTC(), limit)
	if err != nil {
		return 0, mapError(err, "Callbacks")
	}
	return tag.RowsAffected(), nil
}

// listedBy is the WHERE of a list of callbacks or reprints: a reseller's,
// an order's, in a status, each when given.
func listedBy(resellerID, orderNumber int64, status string) (string, []any) {
	where, args := ` WHERE true`, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where += fmt.Sprintf(cond, len(args))
	}
	if resellerID != 0 {
		add(` AND reseller_id = $%d`, resellerID)
	}
	if orderNumber != 0 {
		add(` AND order_number = $%d`, orderNumber)
	}
	if status != "" {
		add(` AND status = $%d`, status)
	}
	return where, args
}

// ListCallbacks returns a page of callbacks, newest first.
func (db *DB) ListCallbacks(ctx context.Context, f pressroom.CallbackFilter) ([]*order.Callback, int, error) {
	where, args := listedBy(f.ResellerID, f.OrderNumber, string(f.Status))
	var total int
	if err := db.pool.QueryRow(ctx, `SELECT COUNT(*) FROM callbacks`+where, args...).Scan(&total); err != nil {
		return nil, 0, mapError(err, "Callbacks")
	}
	n := len(args)
	rows, err := db.pool.Query(ctx, fmt.Sprintf(`SELECT `+callbackColumns+` FROM callbacks`+where+` ORDER BY id DESC LIMIT $%d OFFSET $%d`, n+1, n+2),
		append(args, f.Limit, f.Offset)...)
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
// in one read that concurrent deliveries share (see batcher).
func (db *DB) CallbackToDeliver(ctx context.Context, id int64) (*order.Callback, bool, *pressroom.Reseller, error) {
	d, err := db.toDeliver.do(ctx, id)
	if err != nil {
		return nil, false, nil, err
	}
	return d.cb, d.earlier, d.secrets, nil
}

type deliverable struct {
	cb      *order.Callback
	earlier bool
	secrets *pressroom.Reseller
}

const deliverableQuery = `SELECT c.id, c.reseller_id, COALESCE(c.order_number, 0), COALESCE(c.event_id, 0), c.url, c.sequence, c.type, c.format, c.payload, c.occurred_at,
	c.status, c.attempts, c.first_attempt_at, c.next_attempt_at, c.last_status, c.last_error, c.created_at, c.finished_at,
	c.order_number IS NOT NULL AND EXISTS (SELECT 1 FROM callbacks e WHERE e.order_number = c.order_number AND e.url = c.url
		AND e.sequence < c.sequence AND e.status = 'pending'),
	r.id, r.webhook_secret, r.webhook_secret_previous, r.webhook_previous_until
	FROM callbacks c JOIN resellers r ON r.id = c.reseller_id WHERE c.id = ANY($1)`

// loadDeliverables reads a batch of callbacks to deliver.
func (db *DB) loadDeliverables(ctx context.Context, ids []int64) ([]deliverable, []error) {
	out, errs := make([]deliverable, len(ids)), make([]error, len(ids))
	found := make(map[int64]deliverable, len(ids))
	rows, err := db.pool.Query(ctx, deliverableQuery, ids)
	if err == nil {
		for rows.Next() {
			var d deliverable
			r := &pressroom.Reseller{}
			if d.cb, err = scanCallback(rows, &d.earlier, &r.ID, &r.WebhookSecret, &r.PreviousSecret, &r.PreviousUntil); err != nil {
				break
			}
			r.PreviousUntil = utc(r.PreviousUntil)
			d.secrets = r
			found[d.cb.ID] = d
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	for i, id := range ids {
		d, ok := found[id]
		switch {
		case err != nil:
			errs[i] = mapError(err, "Callbacks")
		case !ok:
			errs[i] = pressroom.Errorf(pressroom.ENOTFOUND, "Callback %d not found.", id)
		default:
			out[i] = d
		}
	}
	return out, errs
}

// RecordCallbackAttempt stores an attempt and the callback's new state: a
// delivery's only write, made in one statement with those of the
// deliveries that end at the same time (see batcher).
func (db *DB) RecordCallbackAttempt(ctx context.Context, cb *order.Callback, a *order.CallbackAttempt) error {
	id, err := db.attempts.do(ctx, outcome{cb, a})
	if err == nil {
		a.ID = id
	}
	return err
}

type outcome struct {
	cb *order.Callback
	a  *order.CallbackAttempt
}

// recordOutcomes writes a batch of delivery outcomes in one statement;
// should it fail (a callback deleted with its order meanwhile), each is
// written alone so that only the one at fault fails.
func (db *DB) recordOutcomes(ctx context.Context, outs []outcome) ([]int64, []error) {
	ids, errs := make([]int64, len(outs)), make([]error, len(outs))
	if len(outs) > 1 {
		if db.recordOutcomesTogether(ctx, outs, ids) == nil {
			return ids, errs
		}
	}
	for i, o := range outs {
		errs[i] = mapError(db.pool.QueryRow(ctx, `WITH a AS (INSERT INTO callback_attempts (callback_id, at, status, error, response, duration_ms)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING id)
			UPDATE callbacks SET status = $7, attempts = $8, first_attempt_at = $9, next_attempt_at = $10, last_status = $3,
				last_error = $11, finished_at = $12 WHERE id = $1 RETURNING (SELECT id FROM a)`,
			o.cb.ID, o.a.At, o.a.Status, o.a.Error, o.a.Response, o.a.Duration.Milliseconds(),
			string(o.cb.Status), o.cb.Attempts, o.cb.FirstAttemptAt, o.cb.NextAttemptAt, o.cb.LastError, o.cb.FinishedAt).Scan(&ids[i]), "Callback attempt")
	}
	return ids, errs
}

func (db *DB) recordOutcomesTogether(ctx context.Context, outs []outcome, ids []int64) error {
	n := len(outs)
	var (
		cbIDs, durations                = make([]int64, n), make([]int64, n)
		ats                             = make([]time.Time, n)
		statuses, attempts              = make([]int32, n), make([]int32, n)
		errTexts, responses, cbStatuses = make([]string, n), make([]string, n), make([]string, n)
		lastErrors                      = make([]string, n)
		firstAts, nextAts, finishedAts  = make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n)
		index                           = make(map[int64]int, n)
	)
	for i, o := range outs {
		if _, dup := index[o.cb.ID]; dup {
			return errors.New("a callback twice in one batch")
		}
		index[o.cb.ID] = i
		cbIDs[i], ats[i], statuses[i], errTexts[i], responses[i], durations[i] = o.cb.ID, o.a.At, int32(o.a.Status), o.a.Error, o.a.Response, o.a.Duration.Milliseconds()
		cbStatuses[i], attempts[i], firstAts[i], nextAts[i], lastErrors[i], finishedAts[i] = string(o.cb.Status), int32(o.cb.Attempts), o.cb.FirstAttemptAt, o.cb.NextAttemptAt, o.cb.LastError, o.cb.FinishedAt
	}
	rows, err := db.pool.Query(ctx, `WITH v AS (
			SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::int[], $4::text[], $5::text[], $6::bigint[],
				$7::text[], $8::int[], $9::timestamptz[], $10::timestamptz[], $11::text[], $12::timestamptz[])
			AS v(callback_id, at, status, error, response, duration_ms, cb_status, attempts, first_attempt_at, next_attempt_at, last_error, finished_at)),
		a AS (INSERT INTO callback_attempts (callback_id, at, status, error, response, duration_ms)
			SELECT callback_id, at, status, error, response, duration_ms FROM v RETURNING id, callback_id),
		u AS (UPDATE callbacks c SET status = v.cb_status, attempts = v.attempts, first_attempt_at = v.first_attempt_at,
			next_attempt_at = v.next_attempt_at, last_status = v.status, last_error = v.last_error, finished_at = v.finished_at
			FROM v WHERE c.id = v.callback_id)
		SELECT callback_id, id FROM a`,
		cbIDs, ats, statuses, errTexts, responses, durations, cbStatuses, attempts, firstAts, nextAts, lastErrors, finishedAts)
	if err != nil {
		return err
	}
	defer rows.Close()
	got := 0
	for rows.Next() {
		var cbID, id int64
		if err := rows.Scan(&cbID, &id); err != nil {
			return err
		}
		ids[index[cbID]] = id
		got++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if got != n {
		return fmt.Errorf("%d of %d attempts written", got, n)
	}
	return nil
}

// RedeliverCallback makes a finished callback pending again and queues it.
func (db *DB) RedeliverCallback(ctx context.Context, resellerID, id int64) (*order.Callback, error) {
	var cb *order.Callback
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var err error
		if cb, err = scanCallback(tx.QueryRow(ctx, `SELECT `+callbackColumns+` FROM callbacks WHERE id = $1 AND reseller_id = $2 FOR UPDATE`, id, resellerID)); err != nil {
			return mapError(err, fmt.Sprintf("Callback %d", id))
		}
		if cb.Status == order.CallbackPending {
			return pressroom.Errorf(pressroom.ECONFLICT, "Callback %d is still being delivered.", id)
		}
		if _, err := tx.Exec(ctx, `UPDATE callbacks SET status = 'pending', first_attempt_at = NULL, next_attempt_at = NULL, finished_at = NULL
			WHERE id = $1`, id); err != nil {
			return mapError(err, "Callback")
		}
		cb.Status, cb.FirstAttemptAt, cb.NextAttemptAt, cb.FinishedAt = order.CallbackPending, nil, nil, nil
		return db.insertJobs(ctx, tx, []pressroom.Job{{Args: pressroom.CallbackJobArgs{ID: id}}})
	})
	return cb, err
}

// FindOrder returns an order with its items.
func (db *DB) FindOrder(ctx context.Context, resellerID, number int64) (*order.Order, error) {
	q := `SELECT ` + orderColumns + ` FROM orders WHERE number = $1`
	args := []any{number}
	if resellerID != 0 {
		q += ` AND reseller_id = $2`
		args = append(args, resellerID)
	}
	o, err := scanOrder(db.pool.QueryRow(ctx, q, args...))
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
	rows, err := db.pool.Query(ctx, `SELECT order_number, id, position, document FROM order_items
		WHERE order_number = ANY($1) ORDER BY order_number, position`, numbers)
	if err != nil {
		return mapError(err, "Order items")
	}
	defer rows.Close()
	return mapError(items.Read(rows), "Order items")
}

// FindOrderByTrackingToken returns the order of a tracking page.
func (db *DB) FindOrderByTrackingToken(ctx context.Context, token string) (*order.Order, error) {
	o, err := scanOrder(db.pool.QueryRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE tracking_token = $1`, token))
	return o, mapError(err, "Order")
}

// ListOrders returns a page of orders.
func (db *DB) ListOrders(ctx context.Context, f pressroom.OrderFilter) ([]*order.Order, int, error) {
	where, args := orderWhere(f)
	var total int
	if err := db.pool.QueryRow(ctx, `SELECT COUNT(*) FROM orders`+where, args...).Scan(&total); err != nil {
		return nil, 0, mapError(err, "Orders")
	}
	if total == 0 || f.Offset >= total {
		return []*order.Order{}, total, nil // the count has answered: no page to read
	}
	dir := "DESC"
	if f.Ascending {
		dir = "ASC"
	}
	n := len(args)
	rows, err := db.pool.Query(ctx, fmt.Sprintf(`SELECT `+orderColumns+` FROM orders`+where+` ORDER BY number `+dir+` LIMIT $%d OFFSET $%d`, n+1, n+2),
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

func orderWhere(f pressroom.OrderFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.ResellerID != 0 {
		add("reseller_id = $%d", f.ResellerID)
	}
	if f.Status != "" {
		add("status = $%d", string(f.Status))
	}
	if f.Files != "" {
		add("files = $%d", string(f.Files))
	}
	if f.Stage != "" {
		add("stage = $%d", string(f.Stage))
	}
	if f.ExcludeStatus != "" {
		add("status <> $%d", string(f.ExcludeStatus))
	}
	if len(f.AnyStatus) > 0 {
		any := make([]string, len(f.AnyStatus))
		for i, st := range f.AnyStatus {
			any[i] = string(st)
		}
		add("status = ANY($%d)", any)
	}
	if f.Type != "" {
		add("type = $%d", string(f.Type))
	}
	if f.OwnID != "" {
		add("own_id = $%d", f.OwnID)
	}
	if f.Reference != "" {
		add("reference = $%d", f.Reference)
	}
	if f.CustomerID != 0 {
		add("customer_id = $%d", f.CustomerID)
	}
	if f.AddressName != "" {
		add("strpos(address_name, $%d) > 0", strings.ToLower(f.AddressName))
	}
	if f.From != "" {
		add("order_date >= $%d::date", f.From)
	}
	if f.To != "" {
		add("order_date <= $%d::date", f.To)
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
	var replace func(tx pgx.Tx) error
	if items {
		replace = func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `DELETE FROM order_items WHERE order_number = $1`, o.Number); err != nil {
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
	return db.updateOrder(ctx, o, enc, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE order_items SET document = $1 WHERE id = $2 AND order_number = $3`, enc.Items[0], it.ID, o.Number)
		if err != nil {
			return mapError(err, "Order item")
		}
		if tag.RowsAffected() == 0 {
			return pressroom.Errorf(pressroom.ENOTFOUND, "Order %d has no item %d.", o.Number, it.ID)
		}
		return nil
	}, evs, nil, jobs)
}

// updateOrder writes the order's row at version o.Version, then its items
// (items, when not nil), events, packages and jobs, in one transaction.
func (db *DB) updateOrder(ctx context.Context, o *order.Order, enc order.Encoded, items func(tx pgx.Tx) error, evs []*order.Event, pkgs []*order.Package, jobs []pressroom.Job) error {
	now := db.now().Truncate(time.Microsecond)
	return db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE orders SET customer_id = $1, released = $2, type = $3, stage = $4, status = $5, payment = $6,
			reference = $7, address_name = $8, order_date = $9::date, expires_at = $10, document = $11,
			files = COALESCE(NULLIF($15::text, ''), files), version = version + 1, updated_at = $12
			WHERE number = $13 AND version = $14`,
			nullInt(o.CustomerID), o.Released, o.Type, o.Stage, o.Status, o.Payment, o.Reference,
			o.Delivery.Address.SearchName(), o.OrderDate, o.ExpiresAt, enc.Document, now, o.Number, o.Version, string(enc.Files))
		if err != nil {
			return mapError(err, "Order")
		}
		if tag.RowsAffected() == 0 {
			var v int64
			if err := tx.QueryRow(ctx, `SELECT version FROM orders WHERE number = $1`, o.Number).Scan(&v); errors.Is(err, pgx.ErrNoRows) {
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
			if err := tx.QueryRow(ctx, `INSERT INTO order_packages (order_number, carrier, tracking_code, tracking_url, created_at)
				VALUES ($1, $2, $3, $4, $5) RETURNING id`, o.Number, p.Carrier, p.TrackingCode, p.TrackingURL, now).Scan(&p.ID); err != nil {
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
	return db.tx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM orders WHERE number = $1`, ev.OrderNumber).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
			return pressroom.Errorf(pressroom.ENOTFOUND, "Order %d does not exist.", ev.OrderNumber)
		} else if err != nil {
			return mapError(err, "Order")
		}
		return db.insertEvents(ctx, tx, []*order.Event{ev}, now)
	})
}

// ListOrderEvents returns an order's events, oldest first.
func (db *DB) ListOrderEvents(ctx context.Context, number int64) ([]*order.Event, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, order_number, at, actor, kind, from_state, to_state, reason, data, by_name
		FROM order_events WHERE order_number = $1 ORDER BY id`, number)
	if err != nil {
		return nil, mapError(err, "Order events")
	}
	defer rows.Close()
	out := []*order.Event{}
	for rows.Next() {
		var ev order.Event
		var data string
		if err := rows.Scan(&ev.ID, &ev.OrderNumber, &ev.At, &ev.Actor, &ev.Kind, &ev.From, &ev.To, &ev.Reason, &data, &ev.By); err != nil {
			return nil, mapError(err, "Order events")
		}
		ev.At = ev.At.UTC()
		if data != "" {
			ev.Data = []byte(data)
		}
		out = append(out, &ev)
	}
	return out, mapError(rows.Err(), "Order events")
}

// ListOrderPackages returns an order's packages, oldest first.
func (db *DB) ListOrderPackages(ctx context.Context, number int64) ([]*order.Package, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, order_number, carrier, tracking_code, tracking_url, created_at
		FROM order_packages WHERE order_number = $1 ORDER BY id`, number)
	if err != nil {
		return nil, mapError(err, "Packages")
	}
	defer rows.Close()
	out := []*order.Package{}
	for rows.Next() {
		var p order.Package
		if err := rows.Scan(&p.ID, &p.OrderNumber, &p.Carrier, &p.TrackingCode, &p.TrackingURL, &p.CreatedAt); err != nil {
			return nil, mapError(err, "Packages")
		}
		p.CreatedAt = p.CreatedAt.UTC()
		out = append(out, &p)
	}
	return out, mapError(rows.Err(), "Packages")
}

// DeleteExpiredDrafts deletes a batch of expired drafts.
func (db *DB) DeleteExpiredDrafts(ctx context.Context, before time.Time, limit int) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM orders WHERE number IN (SELECT number FROM orders
		WHERE stage = 'draft' AND expires_at < $1 LIMIT $2)`, before.UTC(), limit)
	if err != nil {
		return 0, mapError(err, "Drafts")
	}
	return tag.RowsAffected(), nil
}

// BeginIdempotency claims an idempotency key.
func (db *DB) BeginIdempotency(ctx context.Context, resellerID int64, key string, hash []byte, staleAfter time.Duration) (*pressroom.Idempotency, error) {
	now := db.now().Truncate(time.Microsecond)
	var out *pressroom.Idempotency
	err := db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (reseller_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (reseller_id, key) DO NOTHING`, resellerID, key, hash, now)
		if err != nil {
			return mapError(err, "Idempotency key")
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var got pressroom.Idempotency
		var status int
		var ctype string
		var body []byte
		if err := tx.QueryRow(ctx, `SELECT request_hash, status, content_type, body, created_at FROM idempotency_keys
			WHERE reseller_id = $1 AND key = $2 FOR UPDATE`, resellerID, key).Scan(&got.RequestHash, &status, &ctype, &body, &got.CreatedAt); err != nil {
			return mapError(err, "Idempotency key")
		}
		got.Key, got.Done, got.CreatedAt = key, status != 0, got.CreatedAt.UTC()
		got.Answer = pressroom.IdempotencyAnswer{Key: key, Status: status, ContentType: ctype, Body: body}
		if !got.Done && now.Sub(got.CreatedAt) > staleAfter && bytes.Equal(got.RequestHash, hash) {
			_, err := tx.Exec(ctx, `UPDATE idempotency_keys SET created_at = $1 WHERE reseller_id = $2 AND key = $3`, now, resellerID, key)
			return mapError(err, "Idempotency key")
		}
		out = &got
		return nil
	})
	return out, err
}

// FinishIdempotency stores an answer that stored nothing else.
func (db *DB) FinishIdempotency(ctx context.Context, resellerID int64, key string, a pressroom.IdempotencyAnswer) error {
	_, err := db.pool.Exec(ctx, `UPDATE idempotency_keys SET status = $1, content_type = $2, body = $3 WHERE reseller_id = $4 AND key = $5`,
		a.Status, a.ContentType, a.Body, resellerID, key)
	return mapError(err, "Idempotency key")
}

// DeleteIdempotencyBefore forgets old keys.
func (db *DB) DeleteIdempotencyBefore(ctx context.Context, before time.Time, limit int) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE created_at < $1 LIMIT $2)`,
		before.UTC(), limit)
	if err != nil {
		return 0, mapError(err, "Idempotency keys")
	}
	return tag.RowsAffected(), nil
}

const reprintColumns = `id, order_number, reseller_id, status, reason, note, items, new_order, decision, created_at, decided_at`

func scanReprint(row pgx.Row) (*order.Reprint, error) {
	var rp order.Reprint
	var items string
	var newOrder *int64
	if err := row.Scan(&rp.ID, &rp.OrderNumber, &rp.ResellerID, &rp.Status, &rp.Reason, &rp.Note, &items, &newOrder, &rp.Decision, &rp.CreatedAt, &rp.DecidedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(items), &rp.Items); err != nil {
		return nil, fmt.Errorf("reprint %d: %w", rp.ID, err)
	}
	if newOrder != nil {
		rp.NewOrder = *newOrder
	}
	rp.CreatedAt = rp.CreatedAt.UTC()
	if rp.DecidedAt != nil {
		t := rp.DecidedAt.UTC()
		rp.DecidedAt = &t
	}
	return &rp, nil
}

// CreateReprint stores a reprint request unless another of its order
// came after after: the order's row is locked for the check, so that two
// nodes' requests take turns.
func (db *DB) CreateReprint(ctx context.Context, rp *order.Reprint, after int64) error {
	items, err := json.Marshal(rp.Items)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		var newest int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE((SELECT MAX(id) FROM reprints WHERE order_number = $1), 0) FROM orders WHERE number = $1 FOR UPDATE`,
			rp.OrderNumber).Scan(&newest); err != nil {
			return mapError(err, fmt.Sprintf("Order %d", rp.OrderNumber))
		}
		if newest != after {
			return pressroom.Errorf(pressroom.ECONFLICT, "Reprint %d of order %d was asked for meanwhile.", newest, rp.OrderNumber)
		}
		rp.CreatedAt = db.now().Truncate(time.Microsecond)
		err := tx.QueryRow(ctx, `INSERT INTO reprints (order_number, reseller_id, status, reason, note, items, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, rp.OrderNumber, rp.ResellerID, rp.Status, rp.Reason, rp.Note, string(items),
			rp.CreatedAt).Scan(&rp.ID)
		return mapError(err, "Reprint")
	})
}

// FindReprint returns a reprint.
func (db *DB) FindReprint(ctx context.Context, resellerID, id int64) (*order.Reprint, error) {
	q, args := `SELECT `+reprintColumns+` FROM reprints WHERE id = $1`, []any{id}
	if resellerID != 0 {
		q += ` AND reseller_id = $2`
		args = append(args, resellerID)
	}
	rp, err := scanReprint(db.pool.QueryRow(ctx, q, args...))
	return rp, mapError(err, fmt.Sprintf("Reprint %d", id))
}

// ListReprints returns a page of reprints, newest first, and their count.
func (db *DB) ListReprints(ctx context.Context, f pressroom.ReprintFilter) ([]*order.Reprint, int, error) {
	where, args := listedBy(f.ResellerID, f.OrderNumber, string(f.Status))
	var total int
	if err := db.pool.QueryRow(ctx, `SELECT COUNT(*) FROM reprints`+where, args...).Scan(&total); err != nil {
		return nil, 0, mapError(err, "Reprints")
	}
	var limit *int // NULL: no limit
	if f.Limit != 0 {
		limit = &f.Limit
	}
	n := len(args)
	rows, err := db.pool.Query(ctx, fmt.Sprintf(`SELECT `+reprintColumns+` FROM reprints`+where+` ORDER BY id DESC LIMIT $%d OFFSET $%d`, n+1, n+2),
		append(args, limit, f.Offset)...)
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
	now := db.now().Truncate(time.Microsecond)
	var enc order.Encoded
	if newOrder != nil {
		var err error
		if enc, err = order.Encode(newOrder, true); err != nil {
			return err
		}
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if newOrder != nil {
			deliveries, err := db.insertOrder(ctx, tx, newOrder, enc, created)
			if err != nil {
				return err
			}
			for _, j := range jobs {
				if a, ok := j.Args.(pressroom.OrderJobArgs); ok {
					a.SetOrder(newOrder.Number)
				}
			}
			if err := db.insertJobs(ctx, tx, append(deliveries, jobs...)); err != nil {
				return err
			}
			for _, p := range order.ReprintFiles(rp, newOrder) {
				if _, err := tx.Exec(ctx, `INSERT INTO artwork (order_number, item_id, idx, source, url, expected_md5, size, md5, sha256,
					content_type, blob_key, state, findings, error, created_at, updated_at)
					SELECT $1, $2, idx, source, url, expected_md5, size, md5, sha256, content_type, blob_key, state, findings, error, $3, $3
					FROM artwork WHERE order_number = $4 AND item_id = $5`, newOrder.Number, p.To, now, rp.OrderNumber, p.From); err != nil {
					return mapError(err, "Artwork")
				}
			}
			rp.NewOrder = newOrder.Number
		}
		tag, err := tx.Exec(ctx, `UPDATE reprints SET status = $1, new_order = $2, decision = $3, decided_at = $4 WHERE id = $5 AND status = 'requested'`,
			string(rp.Status), nullInt(rp.NewOrder), rp.Decision, now, rp.ID)
		if err != nil {
			return mapError(err, "Reprint")
		}
		if tag.RowsAffected() == 0 {
			return pressroom.Errorf(pressroom.ECONFLICT, "Reprint %d was decided meanwhile.", rp.ID)
		}
		rp.DecidedAt = &now
		ev.OrderNumber = rp.OrderNumber
		return db.insertEvents(ctx, tx, []*order.Event{ev}, now)
	})
	if newOrder != nil {
		return db.nameConflict(ctx, newOrder, err)
	}
	return err
}
