package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/chstore"
)

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
	d := ingest.DefaultConfig() // the flags' defaults, and what the flags not given keep
	f := &ingestFlags{cfg: d}
	fs.StringVar(&f.brokers, "kafka-brokers", "127.0.0.1:9092", "Kafka bootstrap brokers, comma-separated")
	fs.StringVar(&f.group, "group", "parcelcast-ingest", "Kafka consumer group id")
	fs.StringVar(&f.topics, "topics", "",
		"topics to read as topic=feed pairs, comma-separated (feeds: "+strings.Join(ingest.FeedNames(), ", ")+
			"); without it or --topic-pattern, "+ingest.RawTopicPrefix+"<feed> for every feed")
	fs.StringVar(&f.pattern, "topic-pattern", "",
		`also read every topic whose whole name matches this regular expression, with the feed its (?P<feed>...) group names, e.g. 'acme\.scans\.(?P<feed>[a-z0-9]+)'`)
	fs.DurationVar(&f.cfg.TopicRefresh, "topic-refresh", d.TopicRefresh, "how often the brokers' topics are matched against --topic-pattern again")
	fs.StringVar(&f.dlq, "dlq-topic", ingest.DeadLetterTopic, "dead-letter topic")
	fs.StringVar(&f.normalized, "normalized-topic", ingest.NormalizedTopic, "topic receiving canonical events once stored, for online consumers ('' to disable)")
	fs.IntVar(&f.cfg.BatchSize, "batch-size", d.BatchSize, "records per ClickHouse insert (at most; a batch is also written once it is --flush-interval old)")
	fs.DurationVar(&f.cfg.AlignWindow, "align-window", d.AlignWindow, "while partitions catch up on a backlog, how far ahead in event time one may read of the slowest (0: no alignment)")
	fs.DurationVar(&f.cfg.FlushInterval, "flush-interval", d.FlushInterval, "longest a record waits before its batch is written")
	fs.DurationVar(&f.cfg.ShutdownTimeout, "shutdown-timeout", d.ShutdownTimeout, "time allowed to flush and commit on shutdown")
	fs.DurationVar(&f.cfg.SessionTimeout, "session-timeout", d.SessionTimeout, "how long the consumer group waits for a crashed member before rebalancing")
	fs.DurationVar(&f.cfg.StallTimeout, "stall-timeout", d.StallTimeout, "how long a partition reader may deliver nothing while records wait before it is replaced")
	return f
}

func (f *ingestFlags) config() (ingest.Config, error) {
	cfg := f.cfg
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
	admin := addAdminFlags(fs, ingestAdminAddr)
	// The admin listener's former name, kept for existing scripts.
	fs.StringVar(&admin.addr, "metrics-addr", ingestAdminAddr, "the same as --admin-addr")
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
	c, err := ingest.NewConsumer(cfg, chstore.NewScanWriter(conn), dlq, ingest.NewMetrics(reg), log)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	admin.serve(ctx, g, reg, log)
	g.Go(func() error {
		log.Info("ingest started", "topics", cfg.Feeds, "topic_pattern", inf.pattern, "group", cfg.GroupID)
		return c.Run(ctx)
	})
	return g.Wait()
}
