package webhooks

import (
	"slices"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// Subscription is an endpoint and what it asked for.
type Subscription = schemas.WebhookSubscription

// Matches says whether the subscription s wants ev.
func Matches(s Subscription, ev Event) bool {
	if s.Disabled || s.Deleted || !slices.Contains(s.EventTypes, ev.Type) {
		return false
	}
	if len(s.Carriers) > 0 && !slices.Contains(s.Carriers, ev.Carrier) {
		return false
	}
	return len(s.OrderRefs) == 0 || slices.Contains(s.OrderRefs, ev.OrderRef)
}

// SigningSecrets are the secrets that sign a delivery to s at now: the
// current, and the previous during its grace period.
func SigningSecrets(s Subscription, now time.Time) []string {
	out := []string{s.Secret}
	if s.PreviousSecret != "" && now.Before(s.PreviousUntil) {
		out = append(out, s.PreviousSecret)
	}
	return out
}
