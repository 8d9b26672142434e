package predict

import (
	"time"

	"golang.org/x/time/rate"
)

// Limits bound what the API does for one request and for all of them.
// A zero field takes its default (DefaultLimits); a negative one turns
// that limit off.
type Limits struct {
	// MaxInFlight is how many API requests are handled at once; beyond
	// it a request gets 503 with Retry-After at once rather than queueing.
	MaxInFlight int
	// RatePerKey is each API key's sustained requests per second, Burst
	// how many it may make at once; beyond them a request gets 429 with
	// Retry-After. Without keys (Options.Keys nil) every client shares one
	// allowance.
	RatePerKey float64
	Burst      int
	// MaxBody is the largest request body in bytes (413 beyond it).
	MaxBody int64
	// MaxBatch is the most lanes one POST /v1/estimates may ask for.
	MaxBatch int
	// LookupTimeout bounds every database call of a request: past it the
	// request gets 503 with Retry-After.
	LookupTimeout time.Duration
	// MaxDBCalls caps the database calls out at once, those whose request
	// gave up on them included (they end by the driver's own timeouts);
	// beyond it a request that needs the database gets 503 at once.
	MaxDBCalls int
}

// DefaultLimits are the limits serve runs with unless told otherwise.
func DefaultLimits() Limits {
	return Limits{
		MaxInFlight:   512,
		RatePerKey:    200,
		Burst:         400,
		MaxBody:       256 << 10,
		MaxBatch:      100,
		LookupTimeout: 800 * time.Millisecond,
		MaxDBCalls:    64,
	}
}

// withDefaults fills the zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxInFlight == 0 {
		l.MaxInFlight = d.MaxInFlight
	}
	if l.RatePerKey == 0 {
		l.RatePerKey = d.RatePerKey
	}
	if l.Burst == 0 {
		l.Burst = d.Burst
	}
	if l.MaxBody == 0 {
		l.MaxBody = d.MaxBody
	}
	if l.MaxBatch == 0 {
		l.MaxBatch = d.MaxBatch
	}
	if l.LookupTimeout == 0 {
		l.LookupTimeout = d.LookupTimeout
	}
	if l.MaxDBCalls == 0 {
		l.MaxDBCalls = d.MaxDBCalls
	}
	return l
}

// limit is the rate.Limit of RatePerKey: none when it is negative.
func (l Limits) limit() rate.Limit {
	if l.RatePerKey < 0 {
		return rate.Inf
	}
	return rate.Limit(l.RatePerKey)
}

// retryAfterBusy is the Retry-After of a request refused because the
// server is at its in-flight cap or the database did not answer.
const retryAfterBusy = time.Second
