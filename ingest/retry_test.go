package ingest

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestRetrier(t *testing.T) {
	errDown := errors.New("down")
	for _, tc := range []struct {
		name     string
		initial  time.Duration
		failures int   // attempts that fail before one succeeds; -1: all
		fail     error // what they fail with
		cancel   bool  // ctx ends after the first failure
		attempts int
		retries  float64
		err      string // a part of the error; "" for none
	}{
		{"at once", time.Millisecond, 0, errDown, false, 1, 0, ""},
		{"after failures", time.Millisecond, 4, errDown, false, 5, 4, ""},
		{"permanent", time.Millisecond, -1, backoff.Permanent(errDown), false, 1, 0, "ingest insert: down"},
		{"ctx ends during a wait", time.Hour, -1, errDown, true, 1, 1, "context canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMetrics(nil)
			r := retrier{initial: tc.initial, max: tc.initial, retries: m.Retries, log: slog.New(slog.DiscardHandler)}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			attempts := 0
			start := time.Now()
			err := r.do(ctx, "insert", func() error {
				attempts++
				if tc.failures >= 0 && attempts > tc.failures {
					return nil
				}
				if tc.cancel && attempts == 1 {
					time.AfterFunc(20*time.Millisecond, cancel) // during the wait after this failure
				}
				return tc.fail
			})
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("do took %s", d)
			}
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("do = %v, want an error with %q", err, tc.err)
			}
			if attempts != tc.attempts {
				t.Errorf("%d attempts, want %d", attempts, tc.attempts)
			}
			if n := testutil.ToFloat64(m.Retries.WithLabelValues("insert")); n != tc.retries {
				t.Errorf("%v retries counted, want %v", n, tc.retries)
			}
		})
	}
}
