package main

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/predict/milestones"
	"github.com/parcelcast/parcelcast/schemas"
)

// milestoneFlags are serve's flags of the milestone emitter.
type milestoneFlags struct {
	enabled bool
	topic   string
}

func addMilestoneFlags(fs *flag.FlagSet) *milestoneFlags {
	f := &milestoneFlags{}
	fs.BoolVar(&f.enabled, "milestones", true, "publish each shipment's milestones (shipped, out for delivery, delivered, …) once, on the milestones topic, as the live state changes (needs --kafka-brokers)")
	fs.StringVar(&f.topic, "milestones-topic", schemas.MilestonesTopic, "topic the milestones are published on")
	return f
}

// milestoneEmitter is the emitter serve runs, and the live state it
// re-checks and sweeps once the store is made (the store needs the
// emitter's hook first).
type milestoneEmitter struct {
	*milestones.Emitter
	pub   *ingest.KafkaMilestones
	store *live.Store
}

// newEmitter returns the emitter on the database and the brokers, or nil
// when it is turned off or there are no brokers. It remembers a
// shipment's milestones for horizon after the shipment last changed: the
// live state's --max-silence, its longest hold.
func (f *milestoneFlags) newEmitter(conn *chstore.DB, brokers []string, horizon time.Duration, reg prometheus.Registerer, log *slog.Logger) (*milestoneEmitter, error) {
	if !f.enabled || len(brokers) == 0 {
		return nil, nil
	}
	m := &milestoneEmitter{pub: ingest.NewKafkaMilestones(brokers, f.topic)}
	e, err := milestones.New(milestones.Options{Publisher: m.pub, Recorder: chstore.NewMilestones(conn),
		Shipments: storeRef{m}, Walker: storeRef{m}, Horizon: horizon, Registerer: reg, Log: log.With("component", "milestones")})
	if err != nil {
		return nil, err
	}
	m.Emitter = e
	return m, nil
}

// Run runs the emitter on store until ctx ends, then closes the writer.
func (m *milestoneEmitter) Run(ctx context.Context, store *live.Store) error {
	m.store = store
	defer m.pub.Close()
	return m.Emitter.Run(ctx)
}

// storeRef reads the store Run was given.
type storeRef struct{ m *milestoneEmitter }

func (r storeRef) Shipment(ctx context.Context, n string) (predict.Shipment, bool, error) {
	return r.m.store.Shipment(ctx, n)
}

func (r storeRef) Each(fn func(predict.Shipment) bool) { r.m.store.Each(fn) }
