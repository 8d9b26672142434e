package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/prometheus/client_golang/prometheus"
)

// retrier retries a stage of the pipeline with capped exponential backoff
// and jitter until it succeeds, returns a permanent error
// (backoff.Permanent), or ctx ends: it never gives up while ctx lives, so
// nothing is dropped, and every wait listens to ctx. Each retry is counted
// by stage and logged.
type retrier struct {
	initial time.Duration // the first wait
	max     time.Duration // the longest wait
	retries *prometheus.CounterVec
	log     *slog.Logger
}

// retryInitialInterval is the first wait after a failure.
const retryInitialInterval = 100 * time.Millisecond

// do runs op until it succeeds; the error, if any, names stage.
func (r retrier) do(ctx context.Context, stage string, op func() error) error {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = r.initial
	bo.MaxInterval = r.max
	_, err := backoff.Retry(ctx, func() (struct{}, error) { return struct{}{}, op() },
		backoff.WithBackOff(bo),
		backoff.WithMaxElapsedTime(0), // never give up while ctx lives: nothing is dropped
		backoff.WithNotify(func(err error, next time.Duration) {
			r.retries.WithLabelValues(stage).Inc()
			r.log.Warn("ingest stage failed; retrying", "stage", stage, "err", err, "retry_in", next)
		}))
	if err != nil {
		return fmt.Errorf("ingest %s: %w", stage, err)
	}
	return nil
}
