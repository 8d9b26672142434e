package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/live"
)

// liveFlags are serve's flags of the live state.
type liveFlags struct {
	brokers, topic, partitions string
	retention, silence         time.Duration
}

func addLiveFlags(fs *flag.FlagSet) *liveFlags {
	f := &liveFlags{}
	fs.StringVar(&f.brokers, "kafka-brokers", "127.0.0.1:9092", "Kafka brokers of the normalized topic, comma-separated ('' to serve what the bootstrap and lookups find, not following the topic)")
	fs.StringVar(&f.topic, "normalized-topic", ingest.NormalizedTopic, "topic of canonical events the live state follows")
	fs.StringVar(&f.partitions, "partitions", "", "the partitions of the normalized topic this replica holds, as P,Q/N (partitions P and Q of N); all when empty")
	fs.DurationVar(&f.retention, "retention", live.DefaultRetention, "how long a delivered, returned or cancelled shipment stays in memory after its last scan")
	fs.DurationVar(&f.silence, "max-silence", live.DefaultMaxSilence, "how long a shipment with no new scan stays in memory")
	return f
}

// parseOwnership reads "P,Q/N": partitions P and Q of N.
func parseOwnership(s string) (live.Ownership, error) {
	if strings.TrimSpace(s) == "" {
		return live.Ownership{}, nil
	}
	list, of, ok := strings.Cut(s, "/")
	if !ok {
		return live.Ownership{}, fmt.Errorf("--partitions %q: want P,Q/N", s)
	}
	n, err := strconv.Atoi(strings.TrimSpace(of))
	if err != nil {
		return live.Ownership{}, fmt.Errorf("--partitions %q: partition count: %w", s, err)
	}
	o := live.Ownership{Of: n}
	for _, p := range splitList(list) {
		id, err := strconv.Atoi(p)
		if err != nil {
			return live.Ownership{}, fmt.Errorf("--partitions %q: partition %q: %w", s, p, err)
		}
		o.Owned = append(o.Owned, id)
	}
	if len(o.Owned) == 0 {
		return live.Ownership{}, fmt.Errorf("--partitions %q: no partition named", s)
	}
	return o, nil
}

// newStore makes the live state on the database and the topic: a number
// not held is looked up under lookupTimeout, and every change is told to
// each observer (the sampler for the online accuracy, the exception
// scanner, the milestone emitter).
func (f *liveFlags) newStore(conn *chstore.DB, lookupTimeout time.Duration, observers []func(predict.Shipment), reg prometheus.Registerer, log *slog.Logger) (*live.Store, error) {
	own, err := parseOwnership(f.partitions)
	if err != nil {
		return nil, err
	}
	scans := chstore.NewLiveScans(conn)
	opts := live.Options{Bootstrap: scans, References: storedReferences{chstore.NewReferences(conn)}, Lookup: scans, LookupTimeout: lookupTimeout,
		Retention: f.retention, MaxSilence: f.silence, Ownership: own, Registerer: reg, Log: log}
	if len(observers) > 0 {
		opts.OnChange = func(sh predict.Shipment) {
			for _, o := range observers {
				o(sh)
			}
		}
	}
	if brokers := splitList(f.brokers); len(brokers) > 0 {
		fol, err := ingest.NewFollower(ingest.FollowConfig{Brokers: brokers, Topic: f.topic,
			Partitions: own.Owned, Of: own.Of, Log: log, Registerer: reg})
		if err != nil {
			return nil, err
		}
		opts.Stream = fol
	}
	return live.New(opts)
}

// storedReferences gives the live state's bootstrap the references set
// through the API.
type storedReferences struct{ r *chstore.References }

func (s storedReferences) StoredReferences(ctx context.Context, fn func(string, predict.References, time.Time) error) error {
	return s.r.All(ctx, func(ref chstore.Ref) error {
		return fn(ref.TrackingNumber, predict.References{OrderRef: ref.OrderRef, CustomerRef: ref.CustomerRef}, ref.UpdatedAt)
	})
}
