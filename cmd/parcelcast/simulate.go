package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/ingest/carrier/generic"
	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/ingest/sim/publish"
)

type simFlags struct {
	cfg   sim.Config
	start string
	until string
}

func addSimFlags(fs *flag.FlagSet, shipments, days int, until string) *simFlags {
	f := &simFlags{}
	fs.Uint64Var(&f.cfg.Seed, "seed", 1, "random seed; the same seed gives the same scans")
	fs.IntVar(&f.cfg.Shipments, "shipments", shipments, "number of shipments")
	fs.IntVar(&f.cfg.Days, "days", days, "days over which labels are created")
	fs.StringVar(&f.start, "start", "", "first label time, RFC 3339 (default: days before -until, or 2026-01-05)")
	fs.StringVar(&f.until, "until", until, "withhold scans after this RFC 3339 time ('now' for the current time), leaving shipments in flight")
	r := sim.DefaultRates
	fs.Float64Var(&f.cfg.AttemptRate, "attempt-rate", r.AttemptRate, "share of deliveries that fail once before succeeding (negative: none)")
	fs.Float64Var(&f.cfg.HoldRate, "hold-rate", r.HoldRate, "share of parcels left at a pickup point")
	fs.Float64Var(&f.cfg.AddressRate, "address-rate", r.AddressRate, "share of parcels with an address problem")
	fs.Float64Var(&f.cfg.DamageRate, "damage-rate", r.DamageRate, "share of parcels damaged")
	fs.Float64Var(&f.cfg.ReturnRate, "return-rate", r.ReturnRate, "share of parcels returned to the sender after failed attempts")
	fs.Float64Var(&f.cfg.LostRate, "lost-rate", r.LostRate, "share of parcels lost")
	fs.Float64Var(&f.cfg.Disruptions, "disruptions", r.Disruptions, "regional weather disruptions per 30 days")
	fs.Float64Var(&f.cfg.BrazilShare, "brazil-share", 0, "share of shipments sent within Brazil by its post (correios, generic JSON), 0 to 1")
	return f
}

func (f *simFlags) config(now time.Time) (sim.Config, error) {
	cfg := f.cfg
	switch f.until {
	case "":
	case "now":
		cfg.Until = now.UTC()
	default:
		t, err := time.Parse(time.RFC3339, f.until)
		if err != nil {
			return cfg, fmt.Errorf("-until: %w", err)
		}
		cfg.Until = t
	}
	if f.start != "" {
		t, err := time.Parse(time.RFC3339, f.start)
		if err != nil {
			return cfg, fmt.Errorf("-start: %w", err)
		}
		cfg.Start = t
	} else if !cfg.Until.IsZero() {
		cfg.Start = cfg.Until.Add(-time.Duration(cfg.Days) * 24 * time.Hour)
	}
	if cfg.Shipments <= 0 {
		return cfg, errors.New("-shipments must be positive")
	}
	if cfg.BrazilShare < 0 || cfg.BrazilShare > 1 || math.IsNaN(cfg.BrazilShare) {
		return cfg, fmt.Errorf("-brazil-share %v: want a share from 0 to 1", cfg.BrazilShare)
	}
	return cfg, nil
}

func runSimulate(ctx context.Context, args []string) error {
	fs := newFlagSet("simulate", "Generate simulated shipments and publish their scans to Kafka, each carrier in its own format on its feed's topic "+
		"(UPS, FedEx, USPS and DHL JSON, EDI 214 for the regional carrier), or as generic-feed JSON lines to a file.")
	sf := addSimFlags(fs, 3000, 28, "")
	brokers := fs.String("kafka-brokers", "127.0.0.1:9092", "Kafka bootstrap brokers, comma-separated")
	prefix := fs.String("topic-prefix", ingest.RawTopicPrefix, "publish to <prefix><feed>")
	format := fs.String("format", "carrier", "carrier: each carrier's own format; generic: every scan as generic JSON to <prefix>generic")
	out := fs.String("out", "", "write generic-feed JSON lines to this file ('-' for stdout) instead of Kafka")
	speed := fs.Float64("speed", 0, "replay in simulated time, this many times faster than real time (3600: an hour a second); 0 publishes as fast as possible")
	noise := publish.DefaultNoise
	fs.Float64Var(&noise.Duplicate, "noise-duplicate", noise.Duplicate, "share of records sent twice")
	fs.Float64Var(&noise.Reorder, "noise-reorder", noise.Reorder, "share of records arriving after the shipment's next one")
	fs.Float64Var(&noise.Gap, "noise-gap", noise.Gap, "share of intermediate scans never sent")
	fs.Float64Var(&noise.Skew, "noise-skew", noise.Skew, "share of scans with the scanner's clock a few minutes off")
	fs.Float64Var(&noise.Malformed, "noise-malformed", noise.Malformed, "share of records cut short (they go to the dead-letter topic)")
	truth := fs.String("truth", "", "also write each shipment's ground truth as JSON lines to this file")
	newLog := logFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	log := newLog()
	cfg, err := sf.config(time.Now())
	if err != nil {
		return err
	}
	var truthW *bufio.Writer
	if *truth != "" {
		f, err := os.Create(*truth)
		if err != nil {
			return err
		}
		defer f.Close()
		truthW = bufio.NewWriter(f)
		defer truthW.Flush()
	}
	each := func(s *sim.Shipment) {
		if truthW != nil {
			_ = json.NewEncoder(truthW).Encode(truthRecord(s))
		}
	}
	feeds := publish.CarrierFeeds(*prefix)
	switch *format {
	case "carrier":
	case "generic":
		feeds = publish.GenericFeeds(*prefix + generic.Name)
	default:
		return fmt.Errorf("-format %q: want carrier or generic", *format)
	}
	var w publish.MessageWriter
	if *out != "" {
		feeds = publish.GenericFeeds("")
		dst := os.Stdout
		if *out != "-" {
			f, err := os.Create(*out)
			if err != nil {
				return err
			}
			defer f.Close()
			dst = f
		}
		lw := &lineWriter{w: bufio.NewWriter(dst)}
		defer lw.w.Flush()
		w = lw
	} else {
		kw := newScanWriter(splitList(*brokers))
		defer kw.Close()
		w = kw
	}
	start := time.Now()
	// Both writers are done with a record when WriteMessages returns.
	opts := publish.Options{Noise: noise, Each: each, ReuseRecords: true}
	var st publish.Stats
	if *speed > 0 {
		st, err = publish.Replay(ctx, w, sim.New(cfg), feeds, opts, *speed, publish.WallClock)
	} else {
		st, err = publish.All(ctx, w, sim.New(cfg), feeds, opts)
	}
	if err != nil {
		return err
	}
	log.Info("simulated", "shipments", st.Shipments, "records", st.Records, "scans", st.Scans,
		"duplicates", st.Duplicates, "reordered", st.Reordered, "gaps", st.Gaps, "skewed", st.Skewed,
		"malformed", st.Malformed, "seconds", time.Since(start).Seconds())
	return nil
}

// newScanWriter returns a producer for scan records, each carrying its
// topic: keyed by tracking number so a shipment's scans stay in one
// partition, acknowledged by all replicas.
func newScanWriter(brokers []string) *kafka.Writer {
	return &kafka.Writer{Addr: kafka.TCP(brokers...), Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll, BatchSize: 1000, BatchTimeout: 5 * time.Millisecond}
}

// lineWriter writes message values as lines, for `simulate -out`.
type lineWriter struct{ w *bufio.Writer }

func (l *lineWriter) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	for _, m := range msgs {
		l.w.Write(m.Value)
		if err := l.w.WriteByte('\n'); err != nil {
			return err
		}
	}
	return nil
}

// truthJSON is one line of `simulate -truth`: what really happened to a
// shipment, for scoring ETAs and exception flags.
type truthJSON struct {
	TrackingNumber string        `json:"tracking_number"`
	Carrier        string        `json:"carrier"`
	Service        string        `json:"service"`
	Origin         string        `json:"origin"`
	Destination    string        `json:"destination"`
	LabelTime      time.Time     `json:"label_time"`
	PromisedBy     time.Time     `json:"promised_by"`
	Outcome        sim.Outcome   `json:"outcome"`
	DeliveredAt    time.Time     `json:"delivered_at,omitzero"`
	EndedAt        time.Time     `json:"ended_at,omitzero"`
	Anomalies      []sim.Anomaly `json:"anomalies,omitempty"`
	Scans          int           `json:"scans"`
}

func truthRecord(s *sim.Shipment) truthJSON {
	return truthJSON{s.TrackingNumber, s.Carrier, s.Service, s.Origin.Name, s.Destination.Name, s.LabelTime,
		s.PromisedBy, s.Outcome, s.DeliveredAt, s.EndedAt, s.Anomalies, len(s.Scans)}
}
