package webhooks

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Dispatcher delivers events to the subscriptions that match them, with
// retries, and dead-letters what it gives up on.
type Dispatcher struct {
	cfg    Config
	store  Store
	client *http.Client
	log    *slog.Logger
	now    func() time.Time
	m      metrics

	mu        sync.Mutex
	subs      []Subscription
	fetchedAt time.Time
	// failingSince is when each endpoint's deliveries began to fail
	// without a success since.
	failingSince map[string]time.Time
}

// NewDispatcher returns a dispatcher over store; reg (may be nil) gets
// its metrics.
func NewDispatcher(store Store, cfg Config, log *slog.Logger, reg prometheus.Registerer) *Dispatcher {
	cfg = cfg.WithDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{cfg: cfg, store: store, client: cfg.Safety.Client(cfg.Timeout), log: log,
		now: time.Now, m: newMetrics(reg), failingSince: map[string]time.Time{}}
}

// subscriptions returns the cached subscriptions, read again once older
// than the refresh interval (or when fresh is set).
func (d *Dispatcher) subscriptions(ctx context.Context, fresh bool) ([]Subscription, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !fresh && d.subs != nil && d.now().Sub(d.fetchedAt) < d.cfg.Refresh {
		return d.subs, nil
	}
	subs, err := d.store.Subscriptions(ctx)
	if err != nil {
		return nil, fmt.Errorf("read subscriptions: %w", err)
	}
	if subs == nil {
		subs = []Subscription{}
	}
	d.subs, d.fetchedAt = subs, d.now()
	return subs, nil
}

// Deliver delivers ev to every subscription that matches it and returns
// once each delivery succeeded or was dead-lettered: only then may the
// event's offset be committed. It returns an error when ctx ends first
// or the store fails; the event must then be read again.
func (d *Dispatcher) Deliver(ctx context.Context, ev Event) error {
	subs, err := d.subscriptions(ctx, false)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(subs))
	for _, sub := range subs {
		if !Matches(sub, ev) {
			continue
		}
		wg.Go(func() {
			if _, err := d.deliverOne(ctx, sub, ev.ID, ev.Type, ev.Body, ev.Detected); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// deliverOne tries one event on one endpoint until it succeeds, the
// schedule runs out, the endpoint answers 410 or has failed for too long;
// it says whether the event was delivered (false: dead-lettered).
func (d *Dispatcher) deliverOne(ctx context.Context, sub Subscription, eventID, eventType string, body []byte, detected time.Time) (bool, error) {
	id := MessageID(eventID, sub.ID)
	backlog := d.m.backlog.WithLabelValues(sub.ID)
	backlog.Inc()
	defer backlog.Dec()
	dl := DeadLetter{MessageID: id, SubscriptionID: sub.ID, EventID: eventID, EventType: eventType, Body: body, State: DeadLetterDead}
	for n := 0; ; n++ {
		a := send(ctx, d.client, sub, id, d.now(), body)
		dl.Attempts, dl.LastStatus = n+1, a.status
		if a.err != nil {
			dl.LastError = a.err.Error()
		}
		switch a.outcome {
		case sent:
			d.m.outcomes.WithLabelValues(sub.ID, "delivered").Inc()
			if !detected.IsZero() {
				d.m.latency.WithLabelValues(sub.ID).Observe(d.now().Sub(detected).Seconds())
			}
			d.mu.Lock()
			delete(d.failingSince, sub.ID)
			d.mu.Unlock()
			return true, nil
		case gone:
			d.m.outcomes.WithLabelValues(sub.ID, "gone").Inc()
			dl.LastError = "endpoint answered 410 Gone"
			return false, d.giveUp(ctx, sub, dl, "410 Gone")
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		d.m.outcomes.WithLabelValues(sub.ID, "failed").Inc()
		d.log.Debug("webhook delivery failed", "endpoint", sub.ID, "id", id, "attempt", n+1, "err", a.err)
		if d.failingTooLong(sub.ID) {
			return false, d.giveUp(ctx, sub, dl, fmt.Sprintf("every delivery failed for %s", d.cfg.DisableAfter))
		}
		if n >= len(d.cfg.Schedule) {
			return false, d.giveUp(ctx, sub, dl, "")
		}
		wait := backoff(d.cfg.Schedule, n, d.cfg.Jitter, a.retryAfter, d.cfg.MaxRetryAfter)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		case <-t.C:
		}
		cur, ok := d.current(ctx, sub.ID)
		if !ok {
			return false, d.giveUp(ctx, sub, dl, "")
		}
		sub = cur
	}
}

// current returns the subscription as now stored, or false when it was
// deleted or disabled meanwhile.
func (d *Dispatcher) current(ctx context.Context, id string) (Subscription, bool) {
	subs, err := d.subscriptions(ctx, false)
	if err != nil {
		return Subscription{}, false
	}
	for _, s := range subs {
		if s.ID == id {
			return s, !s.Disabled && !s.Deleted
		}
	}
	return Subscription{}, false
}

// failingTooLong notes a failure of the endpoint and says whether it has
// failed without a success for longer than DisableAfter.
func (d *Dispatcher) failingTooLong(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	since, ok := d.failingSince[id]
	if !ok {
		d.failingSince[id] = now
		return false
	}
	return now.Sub(since) >= d.cfg.DisableAfter
}

// giveUp dead-letters a delivery and, with a reason, disables its
// endpoint.
func (d *Dispatcher) giveUp(ctx context.Context, sub Subscription, dl DeadLetter, disable string) error {
	dl.At = d.now()
	if err := d.store.PutDeadLetter(ctx, dl); err != nil {
		return fmt.Errorf("dead-letter %s: %w", dl.MessageID, err)
	}
	d.m.outcomes.WithLabelValues(sub.ID, "dead_lettered").Inc()
	d.log.Warn("webhook delivery dead-lettered", "endpoint", sub.ID, "id", dl.MessageID, "attempts", dl.Attempts, "err", dl.LastError)
	if disable == "" {
		return nil
	}
	if err := d.store.Disable(ctx, sub.ID, disable, d.now()); err != nil {
		return fmt.Errorf("disable %s: %w", sub.ID, err)
	}
	d.m.outcomes.WithLabelValues(sub.ID, "disabled").Inc()
	d.log.Warn("webhook endpoint disabled", "endpoint", sub.ID, "reason", disable)
	_, _ = d.subscriptions(ctx, true)
	return nil
}

// Replay delivers the dead letters a replay re-queued, each once through
// the retry schedule, and records each as delivered or dead again.
func (d *Dispatcher) Replay(ctx context.Context) error {
	queued, err := d.store.QueuedReplays(ctx)
	if err != nil {
		return fmt.Errorf("read queued replays: %w", err)
	}
	for _, dl := range queued {
		sub, ok := d.current(ctx, dl.SubscriptionID)
		if !ok {
			continue
		}
		// deliverOne dead-letters a failure again itself.
		ok, err := d.deliverOne(ctx, sub, dl.EventID, dl.EventType, dl.Body, time.Time{})
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := d.markReplayed(ctx, dl); err != nil {
			return err
		}
	}
	return nil
}

// markReplayed records a replayed dead letter as delivered.
func (d *Dispatcher) markReplayed(ctx context.Context, dl DeadLetter) error {
	dl.State, dl.At = DeadLetterDelivered, d.now()
	if err := d.store.PutDeadLetter(ctx, dl); err != nil {
		return fmt.Errorf("mark replayed %s: %w", dl.MessageID, err)
	}
	return nil
}
