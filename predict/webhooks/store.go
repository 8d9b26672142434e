package webhooks

import (
	"context"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// Store is what delivery needs of the subscriptions' storage.
type Store interface {
	// Subscriptions returns every subscription not deleted.
	Subscriptions(ctx context.Context) ([]Subscription, error)
	// Disable stops deliveries to an endpoint, for reason.
	Disable(ctx context.Context, id, reason string, at time.Time) error
	// PutDeadLetter records a delivery given up on, or the state of a
	// replayed one.
	PutDeadLetter(ctx context.Context, dl DeadLetter) error
	// QueuedReplays returns the dead letters a replay re-queued.
	QueuedReplays(ctx context.Context) ([]DeadLetter, error)
}

// DeadLetter is a delivery given up on.
type DeadLetter = schemas.WebhookDeadLetter

// The states of a dead letter.
const (
	DeadLetterDead      = schemas.DeadLetterDead
	DeadLetterQueued    = schemas.DeadLetterQueued
	DeadLetterDelivered = schemas.DeadLetterDelivered
)
