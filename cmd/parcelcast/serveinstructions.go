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
	"github.com/parcelcast/parcelcast/schemas"
)

// instructionFlags are serve's flags of delivery instructions.
type instructionFlags struct {
	topic    string
	loadedAt time.Time // when load read the stored instructions
}

func addInstructionFlags(fs *flag.FlagSet) *instructionFlags {
	f := &instructionFlags{}
	fs.StringVar(&f.topic, "instructions-topic", schemas.InstructionsTopic, "topic the delivery instructions given through the API are published on, for the carrier integration (on --kafka-brokers; stored only when that is '')")
	return f
}

// wire stores instructions in the database and publishes them on the
// live state's brokers; the returned close flushes the publisher.
func (f *instructionFlags) wire(opts *predict.Options, conn *chstore.DB, lf *liveFlags, log *slog.Logger) (closeFn func()) {
	opts.Instructions = chstore.NewInstructions(conn)
	brokers := splitList(lf.brokers)
	if len(brokers) == 0 {
		log.Warn("delivery instructions are stored but not published: no --kafka-brokers")
		return func() {}
	}
	pub := ingest.NewKafkaInstructions(brokers, f.topic)
	opts.InstructionPublisher = pub
	return func() {
		if err := pub.Close(); err != nil {
			log.Error("closing the instruction publisher", "err", err)
		}
	}
}

// load reads into the server the instructions of the shipments the live
// state may hold: those given since its retention and silence.
func (f *instructionFlags) load(ctx context.Context, srv *predict.Server, conn *chstore.DB, lf *liveFlags) error {
	f.loadedAt = time.Now()
	return srv.LoadInstructions(ctx, chstore.NewInstructions(conn), f.loadedAt.Add(-lf.retention-lf.silence))
}

// instructionsLead is how long before the load the instructions topic is
// followed from, so that none given while it ran is missed.
const instructionsLead = time.Minute

// follow reads the instructions topic into srv until ctx ends, so that
// an instruction given through another replica is shown and respected
// here; nothing to follow without brokers.
func (f *instructionFlags) follow(ctx context.Context, srv *predict.Server, lf *liveFlags, reg prometheus.Registerer, log *slog.Logger) error {
	brokers := splitList(lf.brokers)
	if len(brokers) == 0 || f.topic == "" {
		return nil
	}
	fol, err := ingest.NewFollowerOf(ingest.FollowConfig{Brokers: brokers, Topic: f.topic, Log: log, Registerer: reg}, ingest.DecodeInstruction)
	if err != nil {
		return err
	}
	return fol.Follow(ctx, f.loadedAt.Add(-instructionsLead), srv.ApplyInstructions, func() {})
}
