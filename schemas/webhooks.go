package schemas

import "time"

// WebhookSubscription is an endpoint subscribed to shipment events, as
// stored in webhook_subscriptions.
type WebhookSubscription struct {
	ID  string
	URL string
	// EventTypes are "milestone.<kind>" and "exception.<type>" names.
	EventTypes []string
	// Carriers and OrderRefs filter the events: empty takes every one.
	Carriers  []string
	OrderRefs []string
	// Secret signs every delivery; PreviousSecret signs too until
	// PreviousUntil, after a rotation.
	Secret         string
	PreviousSecret string
	PreviousUntil  time.Time
	Disabled       bool
	DisabledReason string
	Deleted        bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// The states of a webhook dead letter.
const (
	DeadLetterDead      = "dead"      // given up on
	DeadLetterQueued    = "queued"    // re-queued by a replay
	DeadLetterDelivered = "delivered" // delivered on replay
)

// WebhookDeadLetter is a delivery given up on (after the last retry, on a
// 410, or when its endpoint was disabled), as stored in
// webhook_dead_letters; a replay moves it to queued, then delivered.
type WebhookDeadLetter struct {
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
