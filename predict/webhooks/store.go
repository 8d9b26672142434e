package webhooks

import (
	"context"
	"time"
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

// The states of a dead letter.
const (
	DeadLetterDead      = "dead"      // given up on
	DeadLetterQueued    = "queued"    // re-queued by a replay
	DeadLetterDelivered = "delivered" // delivered on replay
)

// DeadLetter is a delivery given up on: after the last retry, on a 410,
// or when its endpoint was disabled.
type DeadLetter struct {
	MessageID      string
	SubscriptionID string
	EventID        string
	EventType      string
	Body           []byte
	Attempts       int
	LastStatus     int
	LastError      string
	State          string
	At             time.Time
}
