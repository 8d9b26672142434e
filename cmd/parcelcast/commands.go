package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/ingest/carrier/generic"
	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/internal/chdb"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/report"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

func runMigrate(ctx context.Context, args []string) error {
	fs := newFlagSet("migrate", "Create the ClickHouse database and apply pending schema migrations. Safe to run again.")
	ch := clickhouseFlags(fs)
	newLog := logFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	log := newLog()
	res, err := migrate(ctx, ch)
	if err != nil {
		return err
	}
	for _, m := range res.Applied {
		log.Info("applied migration", "version", m.Version, "name", m.Name)
	}
	log.Info("schema up to date", "database", ch.Database, "version", res.Current)
	return nil
}

func migrate(ctx context.Context, ch *chdb.Config) (schemas.MigrateResult, error) {
	if err := chdb.EnsureDatabase(ctx, *ch); err != nil {
		return schemas.MigrateResult{}, err
	}
	conn, err := openClickHouse(ctx, ch)
	if err != nil {
		return schemas.MigrateResult{}, err
	}
	defer conn.Close()
	return schemas.Migrate(ctx, conn)
}

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
	noise := sim.DefaultNoise
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
	feeds := sim.CarrierFeeds(*prefix)
	switch *format {
	case "carrier":
	case "generic":
		feeds = sim.GenericFeeds(*prefix + generic.Name)
	default:
		return fmt.Errorf("-format %q: want carrier or generic", *format)
	}
	var w sim.MessageWriter
	if *out != "" {
		feeds = sim.GenericFeeds("")
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
	opts := sim.Options{Noise: noise, Each: each, ReuseRecords: true}
	var st sim.Stats
	if *speed > 0 {
		st, err = sim.Replay(ctx, w, sim.New(cfg), feeds, opts, *speed, sim.WallClock)
	} else {
		st, err = sim.Publish(ctx, w, sim.New(cfg), feeds, opts)
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

type ingestFlags struct {
	brokers    string
	group      string
	topics     string
	pattern    string
	dlq        string
	normalized string
	cfg        ingest.Config
}

func addIngestFlags(fs *flag.FlagSet) *ingestFlags {
	f := &ingestFlags{}
	fs.StringVar(&f.brokers, "kafka-brokers", "127.0.0.1:9092", "Kafka bootstrap brokers, comma-separated")
	fs.StringVar(&f.group, "group", "parcelcast-ingest", "Kafka consumer group id")
	fs.StringVar(&f.topics, "topics", "",
		"topics to read as topic=feed pairs, comma-separated (feeds: "+strings.Join(ingest.FeedNames(), ", ")+
			"); without it or --topic-pattern, "+ingest.RawTopicPrefix+"<feed> for every feed")
	fs.StringVar(&f.pattern, "topic-pattern", "",
		`also read every topic whose whole name matches this regular expression, with the feed its (?P<feed>...) group names, e.g. 'acme\.scans\.(?P<feed>[a-z0-9]+)'`)
	fs.DurationVar(&f.cfg.TopicRefresh, "topic-refresh", 30*time.Second, "how often the brokers' topics are matched against --topic-pattern again")
	fs.StringVar(&f.dlq, "dlq-topic", ingest.DeadLetterTopic, "dead-letter topic")
	fs.StringVar(&f.normalized, "normalized-topic", ingest.NormalizedTopic, "topic receiving canonical events once stored, for online consumers ('' to disable)")
	fs.IntVar(&f.cfg.BatchSize, "batch-size", 40000, "records per ClickHouse insert (at most; a batch is also written once it is --flush-interval old)")
	fs.DurationVar(&f.cfg.AlignWindow, "align-window", 12*time.Hour, "while partitions catch up on a backlog, how far ahead in event time one may read of the slowest (0: no alignment)")
	fs.DurationVar(&f.cfg.FlushInterval, "flush-interval", time.Second, "longest a record waits before its batch is written")
	fs.DurationVar(&f.cfg.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "time allowed to flush and commit on shutdown")
	fs.DurationVar(&f.cfg.SessionTimeout, "session-timeout", 10*time.Second, "how long the consumer group waits for a crashed member before rebalancing")
	fs.DurationVar(&f.cfg.StallTimeout, "stall-timeout", 30*time.Second, "how long a partition reader may deliver nothing while records wait before it is replaced")
	return f
}

func (f *ingestFlags) config() (ingest.Config, error) {
	cfg := f.cfg
	if cfg.AlignWindow == 0 {
		cfg.AlignWindow = -1 // ingest.Config's zero is the default window
	}
	cfg.Brokers = splitList(f.brokers)
	cfg.GroupID = f.group
	cfg.Feeds = map[string]string{}
	for _, pair := range splitList(f.topics) {
		topic, feed, ok := strings.Cut(pair, "=")
		if !ok {
			return cfg, fmt.Errorf("-topics: %q is not topic=feed", pair)
		}
		cfg.Feeds[topic] = feed
	}
	if f.pattern != "" {
		p, err := ingest.ParseTopicPattern(f.pattern)
		if err != nil {
			return cfg, fmt.Errorf("-topic-pattern: %w", err)
		}
		cfg.Patterns = []ingest.TopicPattern{p}
	}
	if len(cfg.Feeds) == 0 && len(cfg.Patterns) == 0 {
		for _, feed := range ingest.FeedNames() {
			cfg.Feeds[ingest.RawTopicPrefix+feed] = feed
		}
	}
	cfg.Exclude = []string{f.dlq, f.normalized}
	return cfg, nil
}

func runIngest(ctx context.Context, args []string) error {
	fs := newFlagSet("ingest", "Consume carrier feeds from Kafka, write canonical scan events to ClickHouse, then commit offsets. Unparseable records go to the dead-letter topic.")
	ch := clickhouseFlags(fs)
	inf := addIngestFlags(fs)
	metricsAddr := fs.String("metrics-addr", ":9464", "address serving /metrics and /healthz ('' to disable)")
	memLimit := fs.Int("memory-limit-mib", 256, "soft memory limit the Go collector keeps the process to, in MiB (0: none; GOMEMLIMIT, when set, wins)")
	newLog := logFlags(fs)
	log, conn, err := parseAndConnect(ctx, fs, args, newLog, ch)
	if err != nil {
		return err
	}
	defer conn.Close()
	if *memLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		// The collector otherwise lets the heap grow to twice what is live
		// (two batches in flight); the limit makes it collect sooner instead.
		debug.SetMemoryLimit(int64(*memLimit) << 20)
	}
	cfg, err := inf.config()
	if err != nil {
		return err
	}
	reg := newRegistry()
	dlq := ingest.NewKafkaDeadLetters(cfg.Brokers, inf.dlq)
	defer dlq.Close()
	if inf.normalized != "" {
		n := ingest.NewKafkaEvents(cfg.Brokers, inf.normalized)
		defer n.Close()
		cfg.Normalized = n
	}
	c, err := ingest.NewConsumer(cfg, ingest.NewClickHouseWriter(conn), dlq, ingest.NewMetrics(reg), log)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	if *metricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		g.Go(func() error { return serveHTTP(ctx, *metricsAddr, mux, log) })
	}
	g.Go(func() error {
		log.Info("ingest started", "topics", cfg.Feeds, "topic_pattern", inf.pattern, "group", cfg.GroupID)
		return c.Run(ctx)
	})
	return g.Wait()
}

func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// serveHTTP serves h on addr until ctx ends, then shuts down gracefully.
func serveHTTP(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	return serveListener(ctx, l, h, log)
}

func serveListener(ctx context.Context, l net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	log.Info("http listening", "addr", l.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}

func runTrain(ctx context.Context, args []string) error {
	fs := newFlagSet("train", "Fit an ETA model on delivered shipments in ClickHouse, backtest it on the newest 20% against a lane-median baseline, and write a versioned artifact.")
	ch := clickhouseFlags(fs)
	out := fs.String("out", "models/eta.json", "artifact file to write")
	reportDir := fs.String("report", "", "also write the backtest report (report.md and PNG plots) into this directory")
	lambdas := fs.String("lambdas", "0.1,1,10,100,1000", "ridge penalties to try, comma-separated; the calibration slice picks one")
	scales := fs.String("target-scales", "1,6,24,48", "target scales to try, in hours (each fit predicts log(1 + hours/scale)), comma-separated; the calibration slice picks one")
	newLog := logFlags(fs)
	log, conn, err := parseAndConnect(ctx, fs, args, newLog, ch)
	if err != nil {
		return err
	}
	defer conn.Close()
	ls, err := parseFloats(*lambdas)
	if err != nil {
		return fmt.Errorf("-lambdas: %w", err)
	}
	ts, err := parseFloats(*scales)
	if err != nil {
		return fmt.Errorf("-target-scales: %w", err)
	}
	for _, c := range ts {
		if !(c > 0) {
			return fmt.Errorf("-target-scales: %v is not a positive number of hours", c)
		}
	}
	m, sum, err := train(ctx, conn, *out, model.TrainConfig{Lambdas: ls, TargetScales: ts, Log: log})
	if err != nil {
		return err
	}
	printMetrics(os.Stdout, m, sum, *out)
	if *reportDir != "" {
		return writeReport(os.Stdout, m, *reportDir)
	}
	return nil
}

func runEvaluate(_ context.Context, args []string) error {
	fs := newFlagSet("evaluate", "Print a model artifact's backtest summary (by carrier, service and days to go, against the baselines) and write the report: report.md with calibration, error-by-days-to-go and error-distribution plots.")
	path := fs.String("model", "models/eta.json", "model artifact")
	dir := fs.String("out", "reports", "directory for report.md and its plots")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := model.Load(*path)
	if err != nil {
		return err
	}
	fmt.Printf("model %s, trained %s\n", m.Version, m.TrainedAt.Format(time.RFC3339))
	return writeReport(os.Stdout, m, *dir)
}

// writeReport prints the summary table and writes the report files.
func writeReport(w io.Writer, m *model.Model, dir string) error {
	if err := report.Summary(w, m); err != nil {
		return err
	}
	path, err := report.Write(dir, m)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "report: %s\n", path)
	return nil
}

// train fits, saves and records a model.
func train(ctx context.Context, conn driver.Conn, out string, cfg model.TrainConfig) (*model.Model, string, error) {
	started := time.Now()
	m, err := model.Train(ctx, model.NewHistory(conn), cfg)
	if err != nil {
		return nil, "", err
	}
	sum, err := m.Save(out)
	if err != nil {
		return nil, "", err
	}
	if err := model.RecordRun(ctx, conn, m, sum, started); err != nil {
		return nil, "", err
	}
	return m, sum, nil
}

// parseFloats reads a comma-separated list of numbers.
func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("%q is not a non-negative number", f)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("no value")
	}
	return out, nil
}

func printMetrics(w *os.File, m *model.Model, sum, path string) {
	mt := m.Metrics
	fmt.Fprintf(w, "model %s  (%s, sha256 %s…)\n", m.Version, path, sum[:12])
	fmt.Fprintf(w, "  trained on %d snapshots, calibrated on %d, tested on %d snapshots of %d held-back shipments\n",
		mt.TrainRows, mt.CalibRows, mt.TestRows, mt.TestShipments)
	fmt.Fprintf(w, "  hours-to-delivery MAE: model %.2f h   lane-median baseline %.2f h   (%.0f%% lower)\n",
		mt.MAEHours, mt.BaselineMAEHours, 100*(1-mt.MAEHours/mt.BaselineMAEHours))
	fmt.Fprintf(w, "  p10–p90 coverage %.1f%% (target 80%%)   p95 commit on time %.1f%%\n", 100*mt.Coverage80, 100*mt.P95OnTime)
}

func runServe(ctx context.Context, args []string) error {
	fs := newFlagSet("serve", "Serve the ETA API: GET /v1/shipments/{tracking_number}/eta, POST /v1/estimates, /metrics, /healthz, /readyz.")
	ch := clickhouseFlags(fs)
	addr := fs.String("addr", ":8080", "listen address")
	modelPath := fs.String("model", "models/eta.json", "model artifact; reloaded when it changes, a bad file is refused and the old model kept")
	reload := fs.Duration("reload-interval", 30*time.Second, "how often to check the model file for changes")
	newLog := logFlags(fs)
	log, conn, err := parseAndConnect(ctx, fs, args, newLog, ch)
	if err != nil {
		return err
	}
	defer conn.Close()
	m, err := model.Load(*modelPath)
	if err != nil {
		return err
	}
	srv := predict.NewServer(model.NewHistory(conn), m, predict.Options{Log: log, Registry: newRegistry()})
	log.Info("model loaded", "version", m.Version, "path", *modelPath)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { predict.WatchModel(ctx, *modelPath, *reload, srv, log); return nil })
	g.Go(func() error { return serveHTTP(ctx, *addr, srv, log) })
	return g.Wait()
}
