package webhooks

import (
	"slices"
	"time"
)

// Subscription is an endpoint and what it asked for.
type Subscription struct {
	ID         string
	URL        string
	EventTypes []string
	// Carriers and OrderRefs filter the events: empty takes every one.
	Carriers  []string
	OrderRefs []string
	Secret    string
	// PreviousSecret still signs until PreviousUntil, after a rotation.
	PreviousSecret string
	PreviousUntil  time.Time
	Disabled       bool
	DisabledReason string
	Deleted        bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Matches says whether the subscription wants ev.
func (s Subscription) Matches(ev Event) bool {
	if s.Disabled || s.Deleted || !slices.Contains(s.EventTypes, ev.Type) {
		return false
	}
	if len(s.Carriers) > 0 && !slices.Contains(s.Carriers, ev.Carrier) {
		return false
	}
	return len(s.OrderRefs) == 0 || slices.Contains(s.OrderRefs, ev.OrderRef)
}

// Secrets are the secrets that sign a delivery at now: the current, and
// the previous during its grace period.
func (s Subscription) Secrets(now time.Time) []string {
	out := []string{s.Secret}
	if s.PreviousSecret != "" && now.Before(s.PreviousUntil) {
		out = append(out, s.PreviousSecret)
	}
	return out
}
