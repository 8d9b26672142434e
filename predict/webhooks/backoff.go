package webhooks

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// backoff is the wait before retry n (0-based) of the schedule, spread
// by the jitter, and at least what the endpoint's Retry-After asked
// (capped by maxAfter).
func backoff(schedule []time.Duration, n int, jitter float64, retryAfter, maxAfter time.Duration) time.Duration {
	d := schedule[min(n, len(schedule)-1)]
	if jitter > 0 {
		d = time.Duration(float64(d) * (1 + jitter*(2*rand.Float64()-1)))
	}
	if retryAfter > maxAfter {
		retryAfter = maxAfter
	}
	return max(d, retryAfter)
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(min(secs, int64(365*24*3600))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
