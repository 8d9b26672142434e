package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/predict/exceptions"
	"github.com/parcelcast/parcelcast/schemas"
)

// exceptionFlags are serve's flags of the exception scanner.
type exceptionFlags struct {
	enabled bool
	topic   string
	cfg     exceptions.Config
	opts    exceptions.Options
}

func addExceptionFlags(fs *flag.FlagSet) *exceptionFlags {
	f := &exceptionFlags{}
	fs.BoolVar(&f.enabled, "exceptions", true, "find exceptions (stalls, late parcels, failed deliveries, …) in the live state, store them in the exceptions table, publish them and serve GET /v1/exceptions")
	fs.StringVar(&f.topic, "exceptions-topic", schemas.ExceptionsTopic, "topic the exceptions are published on as they open and resolve, on --kafka-brokers ('' to only store them)")
	fs.DurationVar(&f.opts.Interval, "exception-interval", exceptions.DefaultInterval, "how often every shipment held is checked again (a stall or a passed promise comes without a scan)")
	fs.Float64Var(&f.cfg.Quantile, "stall-quantile", exceptions.DefaultQuantile, "quantile of the learned dwell of the last scan's leg (else its carrier and status) past which a shipment with no new scan (in working hours) is stalled")
	fs.Float64Var(&f.cfg.OutQuantile, "stall-out-quantile", exceptions.DefaultOutQuantile, "share of the parcels that made their promise that went out for delivery later than the moment a parcel with a promise and no out-for-delivery scan is stalled (negative: never)")
	fs.DurationVar(&f.cfg.Floor, "stall-floor", exceptions.DefaultFloor, "the least working time without a scan that is a stall")
	fs.DurationVar(&f.cfg.Default, "stall-default", exceptions.DefaultThreshold, "the stall threshold of a carrier and status with too few learned dwell times")
	fs.Float64Var(&f.cfg.LateQuantile, "late-quantile", exceptions.DefaultLateQuantile, "quantile of the model's ETA compared with the promise (0.5 the median; lower is surer)")
	fs.DurationVar(&f.cfg.LateSlack, "late-slack", exceptions.DefaultLateSlack, "how far the --late-quantile ETA may pass the promise before a shipment is late (negative: not at all)")
	fs.Float64Var(&f.cfg.LostFactor, "lost-factor", exceptions.DefaultLostFactor, "times the stall threshold without a scan after which a parcel is presumed lost")
	return f
}

// newScanner makes the exception scanner on the database and, when
// brokers are given, the topic; it loads what is stored. It returns a
// nil scanner when --exceptions is off, and a close function for the
// publisher.
func (f *exceptionFlags) newScanner(ctx context.Context, conn *chstore.DB, brokers []string, reg prometheus.Registerer, log *slog.Logger) (*exceptions.Scanner, func(), error) {
	if !f.enabled {
		return nil, func() {}, nil
	}
	if f.cfg.Quantile <= 0 || f.cfg.Quantile >= 1 {
		return nil, nil, fmt.Errorf("--stall-quantile %v: want a number between 0 and 1", f.cfg.Quantile)
	}
	if f.cfg.OutQuantile >= 1 || f.cfg.OutQuantile == 0 {
		return nil, nil, fmt.Errorf("--stall-out-quantile %v: want a number between 0 and 1, or negative for never", f.cfg.OutQuantile)
	}
	if f.cfg.LateQuantile <= 0 || f.cfg.LateQuantile >= 1 {
		return nil, nil, fmt.Errorf("--late-quantile %v: want a number between 0 and 1", f.cfg.LateQuantile)
	}
	opts := f.opts
	opts.Config, opts.Store, opts.Registerer, opts.Log = f.cfg, chstore.NewExceptions(conn), reg, log
	closePub := func() {}
	if len(brokers) > 0 && f.topic != "" {
		pub := ingest.NewKafkaExceptions(brokers, f.topic)
		opts.Publisher = pub
		closePub = func() {
			if err := pub.Close(); err != nil {
				log.Warn("close the exceptions publisher", "err", err)
			}
		}
	}
	sc, err := exceptions.New(opts)
	if err != nil {
		closePub()
		return nil, nil, err
	}
	if err := sc.Load(ctx); err != nil {
		closePub()
		return nil, nil, err
	}
	return sc, closePub, nil
}
