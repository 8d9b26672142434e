package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/predict/webhooks"
	"github.com/parcelcast/parcelcast/schemas"
)

// notifyAdminAddr is notify's admin listener by default.
const notifyAdminAddr = "127.0.0.1:9466"

// defaultNotifyGroup is the consumer group every notifier joins: the
// topics' partitions are shared among its members.
const defaultNotifyGroup = "parcelcast-notify"

// notifyFlags are notify's settings.
type notifyFlags struct {
	session    time.Duration
	schedule   string
	brokers    string
	group      string
	milestones string
	exceptions string
	cfg        webhooks.Config
}

func addNotifyFlags(fs *flag.FlagSet) *notifyFlags {
	d := webhooks.Defaults
	f := &notifyFlags{cfg: d}
	fs.StringVar(&f.brokers, "kafka-brokers", "127.0.0.1:9092", "Kafka bootstrap brokers, comma-separated")
	fs.StringVar(&f.group, "group", defaultNotifyGroup, "consumer group; notifiers of one group share the topics' partitions")
	fs.DurationVar(&f.session, "session-timeout", ingest.DefaultSessionTimeout, "how long the consumer group waits for a crashed member before rebalancing")
	fs.StringVar(&f.schedule, "retry-schedule", joinDurations(d.Schedule), "waits before each retry of a delivery, comma-separated (their number is the retries)")
	fs.StringVar(&f.milestones, "milestones-topic", schemas.MilestonesTopic, "topic of the milestones (schemas.Milestone JSON)")
	fs.StringVar(&f.exceptions, "exceptions-topic", schemas.ExceptionsTopic, "topic of the exceptions (schemas.Exception JSON)")
	fs.DurationVar(&f.cfg.Timeout, "delivery-timeout", d.Timeout, "longest one delivery attempt may take: connection, TLS and answer")
	fs.DurationVar(&f.cfg.DisableAfter, "disable-after", d.DisableAfter, "disable an endpoint whose every delivery failed for this long")
	fs.DurationVar(&f.cfg.MaxRetryAfter, "max-retry-after", d.MaxRetryAfter, "longest an endpoint's Retry-After may hold a delivery back")
	fs.IntVar(&f.cfg.MaxPending, "max-pending", d.MaxPending, "events in delivery at once; past it no more are read (their offsets wait)")
	fs.DurationVar(&f.cfg.ReplayInterval, "replay-interval", d.ReplayInterval, "how often to deliver the dead letters a replay re-queued")
	fs.BoolVar(&f.cfg.Safety.AllowPrivate, "allow-private-endpoints", false, "deliver to private and loopback addresses (tests and local use only)")
	return f
}

func runNotify(ctx context.Context, args []string) error {
	fs := newFlagSet("notify", "Deliver milestones and exceptions to the webhook subscriptions (Standard Webhooks), reading "+
		schemas.MilestonesTopic+" and "+schemas.ExceptionsTopic+" in a consumer group; offsets are committed once every delivery of an event succeeded or was dead-lettered; /metrics on the admin listener.")
	ch := clickhouseFlags(fs)
	nf := addNotifyFlags(fs)
	admin := addAdminFlags(fs, notifyAdminAddr)
	newLog := logFlags(fs)
	log, conn, err := parseAndConnect(ctx, fs, args, newLog, ch)
	if err != nil {
		return err
	}
	defer conn.Close()
	if nf.cfg.Schedule, err = parseDurations(nf.schedule); err != nil {
		return fmt.Errorf("--retry-schedule: %w", err)
	}
	if nf.cfg.Safety.AllowPrivate {
		log.Warn("delivering to private and loopback addresses (--allow-private-endpoints)")
	}
	reg := newRegistry()
	d := webhooks.NewDispatcher(chstore.NewWebhooks(conn), nf.cfg, log, reg)
	g, ctx := errgroup.WithContext(ctx)
	admin.serve(ctx, g, reg, log)
	g.Go(func() error { return notifyReplays(ctx, d, nf.cfg.WithDefaults().ReplayInterval, log) })
	g.Go(func() error {
		return notifyTopics(ctx, kafka.ReaderConfig{Brokers: splitList(nf.brokers), GroupID: nf.group, SessionTimeout: nf.session},
			shipmentTopics{nf.milestones, nf.exceptions}, d, nf.cfg.WithDefaults().MaxPending, reg, log)
	})
	return g.Wait()
}

// notifyReplays delivers re-queued dead letters every interval until ctx
// ends.
func notifyReplays(ctx context.Context, d *webhooks.Dispatcher, interval time.Duration, log *slog.Logger) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := d.Replay(ctx); err != nil && ctx.Err() == nil {
			log.Warn("replaying dead letters failed", "err", err)
		}
	}
}

// shipmentTopics are the topics notify reads.
type shipmentTopics struct{ milestones, exceptions string }

// decode reads a milestone or an exception record, by its topic, into the
// event to deliver.
func (st shipmentTopics) decode(topic string, value []byte) (webhooks.Event, error) {
	switch topic {
	case st.milestones:
		var m schemas.Milestone
		if err := json.Unmarshal(value, &m); err != nil {
			return webhooks.Event{}, fmt.Errorf("decode milestone: %w", err)
		}
		if m.ID == "" || m.Kind == "" {
			return webhooks.Event{}, errors.New("milestone without id or kind")
		}
		return webhooks.MilestoneEvent(m)
	case st.exceptions:
		var e schemas.Exception
		if err := json.Unmarshal(value, &e); err != nil {
			return webhooks.Event{}, fmt.Errorf("decode exception: %w", err)
		}
		if e.ID == "" || e.Type == "" {
			return webhooks.Event{}, errors.New("exception without id or type")
		}
		return webhooks.ExceptionEvent(e)
	}
	return webhooks.Event{}, fmt.Errorf("topic %s carries no shipment events", topic)
}

// notifyTopics reads the milestone and exception topics in the consumer
// group until ctx ends. Each event is delivered in a goroutine of its own
// (at most maxPending at once), so an endpoint in a long retry holds back
// only its partition's commit, never the reading; an offset is committed
// once it and every offset before it on its partition is done.
func notifyTopics(ctx context.Context, rc kafka.ReaderConfig, topics shipmentTopics, d *webhooks.Dispatcher, maxPending int,
	reg prometheus.Registerer, log *slog.Logger) error {
	rc.GroupTopics = []string{topics.milestones, topics.exceptions}
	rc.StartOffset, rc.MaxWait, rc.CommitInterval = kafka.FirstOffset, 100*time.Millisecond, 0
	r := kafka.NewReader(rc)
	defer r.Close()
	undecodable := prometheus.NewCounter(prometheus.CounterOpts{Name: "parcelcast_notify_undecodable_total",
		Help: "Records of the shipment topics that are not an event, skipped."})
	pending := prometheus.NewGauge(prometheus.GaugeOpts{Name: "parcelcast_notify_pending_events",
		Help: "Events read and not yet committable (in delivery, or behind one in delivery)."})
	reg.MustRegister(undecodable, pending)
	tr := webhooks.NewTracker()
	slots := make(chan struct{}, maxPending)
	var wg sync.WaitGroup
	defer wg.Wait()
	done := func(msg kafka.Message) {
		upTo, ok := tr.Done(msg.Topic, msg.Partition, msg.Offset)
		pending.Set(float64(tr.Pending()))
		if !ok {
			return
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := r.CommitMessages(cctx, kafka.Message{Topic: msg.Topic, Partition: msg.Partition, Offset: upTo}); err != nil {
			log.Warn("commit failed; the events will be delivered again", "topic", msg.Topic, "partition", msg.Partition, "err", err)
		}
	}
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		msg, err := r.FetchMessage(ctx)
		if err != nil {
			<-slots
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("read shipment events: %w", err)
		}
		tr.Add(msg.Topic, msg.Partition, msg.Offset)
		pending.Set(float64(tr.Pending()))
		ev, err := topics.decode(msg.Topic, msg.Value)
		if err != nil {
			<-slots
			undecodable.Inc()
			log.Warn("skipping a record that is not a shipment event", "topic", msg.Topic, "partition", msg.Partition, "offset", msg.Offset, "err", err)
			done(msg)
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			if deliverEvent(ctx, d, ev, log) {
				done(msg)
			}
		})
	}
}

// storeRetry is the pause before an event whose delivery the store broke
// off is delivered again.
const storeRetry = 5 * time.Second

// deliverEvent delivers ev until every delivery succeeded or was
// dead-lettered (true), or ctx ends (false: its offset stays uncommitted,
// so it is read again, by this member after a restart or by another). A
// store failure starts it again after a pause: the endpoints that got it
// get it again under the same webhook-id.
func deliverEvent(ctx context.Context, d *webhooks.Dispatcher, ev webhooks.Event, log *slog.Logger) bool {
	for {
		err := d.Deliver(ctx, ev)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		log.Error("delivery broken off; trying the event again", "event", ev.ID, "err", err)
		t := time.NewTimer(storeRetry)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
}

func joinDurations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

func parseDurations(s string) ([]time.Duration, error) {
	out := []time.Duration{}
	for _, p := range splitList(s) {
		d, err := time.ParseDuration(p)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("%q is not a duration", p)
		}
		out = append(out, d)
	}
	return out, nil
}
