package chstore

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/parcelcast/parcelcast/schemas"
)

// Webhooks reads and writes webhook_subscriptions and
// webhook_dead_letters. Each change is a new row; the latest version of a
// key is its state.
type Webhooks struct {
	conn driver.Conn
	last atomic.Int64 // the last version written, so two changes within a clock tick still order
}

// NewWebhooks returns the webhook store of a migrated database.
func NewWebhooks(db *DB) *Webhooks { return &Webhooks{conn: db.conn} }

// version is a version greater than every one this store wrote before.
func (w *Webhooks) version(at time.Time) uint64 {
	for {
		last, v := w.last.Load(), at.UnixNano()
		if v <= last {
			v = last + 1
		}
		if w.last.CompareAndSwap(last, v) {
			return uint64(v)
		}
	}
}

const insertSubscription = `INSERT INTO webhook_subscriptions (id, url, event_types, carriers, order_refs, secret,
previous_secret, previous_until, disabled, disabled_reason, deleted, created_at, updated_at, version)`

// PutSubscription writes a subscription as it is now: a later write of
// the same id replaces it.
func (w *Webhooks) PutSubscription(ctx context.Context, s schemas.WebhookSubscription) error {
	batch, err := w.conn.PrepareBatch(ctx, insertSubscription)
	if err != nil {
		return fmt.Errorf("prepare webhook_subscriptions insert: %w", err)
	}
	if err := batch.Append(s.ID, s.URL, nonNil(s.EventTypes), nonNil(s.Carriers), nonNil(s.OrderRefs), s.Secret,
		s.PreviousSecret, s.PreviousUntil.UTC(), boolByte(s.Disabled), s.DisabledReason, boolByte(s.Deleted),
		s.CreatedAt.UTC(), s.UpdatedAt.UTC(), w.version(s.UpdatedAt)); err != nil {
		_ = batch.Abort()
		return fmt.Errorf("append webhook_subscriptions row: %w", err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send webhook_subscriptions row: %w", err)
	}
	return nil
}

// latestSubscriptions is every subscription's latest row.
const latestSubscriptions = `SELECT id, url, event_types, carriers, order_refs, secret, previous_secret,
previous_until, disabled, disabled_reason, deleted, created_at, updated_at
FROM webhook_subscriptions %s ORDER BY id, version DESC LIMIT 1 BY id`

// Subscriptions returns every subscription not deleted, by id.
func (w *Webhooks) Subscriptions(ctx context.Context) ([]schemas.WebhookSubscription, error) {
	subs, err := w.querySubscriptions(ctx, "")
	if err != nil {
		return nil, err
	}
	out := subs[:0]
	for _, s := range subs {
		if !s.Deleted {
			out = append(out, s)
		}
	}
	return out, nil
}

// Subscription returns one subscription, or false when there is none of
// the id or it was deleted.
func (w *Webhooks) Subscription(ctx context.Context, id string) (schemas.WebhookSubscription, bool, error) {
	subs, err := w.querySubscriptions(ctx, "WHERE id = ?", id)
	if err != nil || len(subs) == 0 || subs[0].Deleted {
		return schemas.WebhookSubscription{}, false, err
	}
	return subs[0], true, nil
}

// Disable marks a subscription disabled for reason.
func (w *Webhooks) Disable(ctx context.Context, id, reason string, at time.Time) error {
	s, ok, err := w.Subscription(ctx, id)
	if err != nil || !ok {
		return err
	}
	s.Disabled, s.DisabledReason, s.UpdatedAt = true, reason, at
	return w.PutSubscription(ctx, s)
}

func (w *Webhooks) querySubscriptions(ctx context.Context, where string, args ...any) ([]schemas.WebhookSubscription, error) {
	rows, err := w.conn.Query(ctx, fmt.Sprintf(latestSubscriptions, where), args...)
	if err != nil {
		return nil, fmt.Errorf("query webhook_subscriptions: %w", err)
	}
	defer rows.Close()
	var out []schemas.WebhookSubscription
	for rows.Next() {
		var s schemas.WebhookSubscription
		var disabled, deleted uint8
		if err := rows.Scan(&s.ID, &s.URL, &s.EventTypes, &s.Carriers, &s.OrderRefs, &s.Secret, &s.PreviousSecret,
			&s.PreviousUntil, &disabled, &s.DisabledReason, &deleted, &s.CreatedAt, &s.UpdatedAt); err != nil {
			return nil, fmt.Errorf("scan webhook_subscriptions: %w", err)
		}
		s.Disabled, s.Deleted = disabled != 0, deleted != 0
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read webhook_subscriptions: %w", err)
	}
	return out, nil
}

const insertDeadLetter = `INSERT INTO webhook_dead_letters (subscription_id, message_id, event_id, event_type, body,
attempts, last_status, last_error, state, at, version)`

// PutDeadLetter writes a dead letter in its state.
func (w *Webhooks) PutDeadLetter(ctx context.Context, dl schemas.WebhookDeadLetter) error {
	return w.putDeadLetters(ctx, []schemas.WebhookDeadLetter{dl})
}

func (w *Webhooks) putDeadLetters(ctx context.Context, dls []schemas.WebhookDeadLetter) error {
	if len(dls) == 0 {
		return nil
	}
	batch, err := w.conn.PrepareBatch(ctx, insertDeadLetter)
	if err != nil {
		return fmt.Errorf("prepare webhook_dead_letters insert: %w", err)
	}
	for _, dl := range dls {
		if err := batch.Append(dl.SubscriptionID, dl.MessageID, dl.EventID, dl.EventType, string(dl.Body),
			uint32(max(dl.Attempts, 0)), int32(dl.LastStatus), dl.LastError, dl.State, dl.At.UTC(), w.version(dl.At)); err != nil {
			_ = batch.Abort()
			return fmt.Errorf("append webhook_dead_letters row: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send webhook_dead_letters rows: %w", err)
	}
	return nil
}

const latestDeadLetters = `SELECT subscription_id, message_id, event_id, event_type, body, attempts, last_status,
last_error, toString(state), at
FROM webhook_dead_letters %s ORDER BY subscription_id, message_id, version DESC LIMIT 1 BY subscription_id, message_id`

// DeadLetters returns a subscription's dead letters in their latest
// state.
func (w *Webhooks) DeadLetters(ctx context.Context, subscriptionID string) ([]schemas.WebhookDeadLetter, error) {
	return w.queryDeadLetters(ctx, "WHERE subscription_id = ?", subscriptionID)
}

// QueuedReplays returns every dead letter a replay re-queued and the
// notifier has not delivered yet.
func (w *Webhooks) QueuedReplays(ctx context.Context) ([]schemas.WebhookDeadLetter, error) {
	all, err := w.queryDeadLetters(ctx, "WHERE (subscription_id, message_id) IN (SELECT subscription_id, message_id FROM webhook_dead_letters WHERE state = 'queued')")
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, dl := range all {
		if dl.State == schemas.DeadLetterQueued {
			out = append(out, dl)
		}
	}
	return out, nil
}

// Replay re-queues a subscription's dead letters and returns how many.
func (w *Webhooks) Replay(ctx context.Context, subscriptionID string, at time.Time) (int, error) {
	dls, err := w.DeadLetters(ctx, subscriptionID)
	if err != nil {
		return 0, err
	}
	queued := dls[:0]
	for _, dl := range dls {
		if dl.State == schemas.DeadLetterDead {
			dl.State, dl.At = schemas.DeadLetterQueued, at
			queued = append(queued, dl)
		}
	}
	return len(queued), w.putDeadLetters(ctx, queued)
}

func (w *Webhooks) queryDeadLetters(ctx context.Context, where string, args ...any) ([]schemas.WebhookDeadLetter, error) {
	rows, err := w.conn.Query(ctx, fmt.Sprintf(latestDeadLetters, where), args...)
	if err != nil {
		return nil, fmt.Errorf("query webhook_dead_letters: %w", err)
	}
	defer rows.Close()
	var out []schemas.WebhookDeadLetter
	for rows.Next() {
		var dl schemas.WebhookDeadLetter
		var body string
		var attempts uint32
		var status int32
		if err := rows.Scan(&dl.SubscriptionID, &dl.MessageID, &dl.EventID, &dl.EventType, &body, &attempts, &status,
			&dl.LastError, &dl.State, &dl.At); err != nil {
			return nil, fmt.Errorf("scan webhook_dead_letters: %w", err)
		}
		dl.Body, dl.Attempts, dl.LastStatus = []byte(body), int(attempts), int(status)
		out = append(out, dl)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read webhook_dead_letters: %w", err)
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
