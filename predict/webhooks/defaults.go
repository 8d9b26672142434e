package webhooks

import "time"

// Config tunes delivery; zero fields take Defaults.
type Config struct {
	// Timeout bounds one delivery attempt: connection, TLS, answer.
	Timeout time.Duration
	// Schedule is the wait before each retry; its length is the number
	// of retries after the first attempt.
	Schedule []time.Duration
	// Jitter spreads each wait by up to this fraction either way.
	Jitter float64
	// MaxRetryAfter caps how long a Retry-After answer may hold a
	// delivery back.
	MaxRetryAfter time.Duration
	// DisableAfter disables an endpoint that has failed every delivery for
	// this long.
	DisableAfter time.Duration
	// Refresh is how old the cached subscriptions may grow.
	Refresh time.Duration
	// MaxPending bounds the events in delivery at once: past it the
	// notifier reads no further and so holds its commits back.
	MaxPending int
	// RotationGrace is how long a rotated-out secret still signs.
	RotationGrace time.Duration
	// ReplayInterval is how often the notifier looks for dead letters a
	// replay re-queued.
	ReplayInterval time.Duration
	// Safety is what endpoints may be called.
	Safety Safety
}

// Defaults are the delivery settings: retries after 5 s, 5 min, 30 min,
// 2 h, 5 h, 10 h and 10 h, about a day and a quarter in all.
var Defaults = Config{
	Timeout:        10 * time.Second,
	Schedule:       []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour},
	Jitter:         0.2,
	MaxRetryAfter:  24 * time.Hour,
	DisableAfter:   5 * 24 * time.Hour,
	Refresh:        5 * time.Second,
	MaxPending:     1024,
	RotationGrace:  24 * time.Hour,
	ReplayInterval: 10 * time.Second,
}

// WithDefaults fills c's zero fields from Defaults.
func (c Config) WithDefaults() Config {
	d := Defaults
	if c.Timeout <= 0 {
		c.Timeout = d.Timeout
	}
	if c.Schedule == nil {
		c.Schedule = d.Schedule
	}
	if c.Jitter <= 0 {
		c.Jitter = d.Jitter
	}
	if c.MaxRetryAfter <= 0 {
		c.MaxRetryAfter = d.MaxRetryAfter
	}
	if c.DisableAfter <= 0 {
		c.DisableAfter = d.DisableAfter
	}
	if c.Refresh <= 0 {
		c.Refresh = d.Refresh
	}
	if c.MaxPending <= 0 {
		c.MaxPending = d.MaxPending
	}
	if c.RotationGrace <= 0 {
		c.RotationGrace = d.RotationGrace
	}
	if c.ReplayInterval <= 0 {
		c.ReplayInterval = d.ReplayInterval
	}
	return c
}
