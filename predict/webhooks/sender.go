package webhooks

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// outcome is how one attempt ended.
type outcome int

const (
	sent   outcome = iota // a 2xx
	failed                // to be retried
	gone                  // 410: the endpoint is to be disabled
)

// attempt is the result of one delivery attempt.
type attempt struct {
	outcome    outcome
	status     int
	retryAfter time.Duration
	err        error
}

// send makes one signed attempt of body to sub under message id.
func send(ctx context.Context, client *http.Client, sub Subscription, id string, now time.Time, body []byte) attempt {
	h, err := Sign(SigningSecrets(sub, now), id, now, body)
	if err != nil {
		return attempt{outcome: failed, err: fmt.Errorf("sign for %s: %w", sub.ID, err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(body))
	if err != nil {
		return attempt{outcome: failed, err: fmt.Errorf("request to %s: %w", sub.ID, err)}
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "parcelcast-webhooks/1")
	resp, err := client.Do(req)
	if err != nil {
		return attempt{outcome: failed, err: fmt.Errorf("deliver to %s: %w", sub.ID, err)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	a := attempt{status: resp.StatusCode}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		a.outcome = sent
	case resp.StatusCode == http.StatusGone:
		a.outcome = gone
	default:
		a.outcome = failed
		a.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
		a.err = fmt.Errorf("deliver to %s: status %d", sub.ID, resp.StatusCode)
	}
	return a
}
