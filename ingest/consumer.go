package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/schemas"
)

// EventWriter stores canonical events; nil means the batch is durable.
type EventWriter interface {
	WriteEvents(ctx context.Context, events []schemas.ScanEvent) error
}

// DeadLetterWriter stores records that could not be parsed.
type DeadLetterWriter interface {
	WriteDeadLetters(ctx context.Context, letters []DeadLetter) error
}

// Config configures a Consumer.
type Config struct {
	Brokers []string
	GroupID string
	// Feeds maps each topic to read to the feed (parser) name of its records.
	Feeds map[string]string
	// Patterns select more topics to read, by name, among the brokers'
	// topics, listed again every TopicRefresh: when the topics they
	// select change, the consumer stores and commits what it read and
	// joins the group again with the new set.
	Patterns []TopicPattern
	// Exclude names topics the patterns never select (ingest's own
	// dead-letter and normalized topics).
	Exclude []string
	// TopicRefresh is how often the patterns are matched again; 30 s when
	// zero.
	TopicRefresh time.Duration
	// BatchSize flushes a batch when it holds this many records.
	BatchSize int
	// FlushInterval flushes a non-empty batch at least this often.
	FlushInterval time.Duration
	// AlignWindow is how far ahead in event time a partition in a
	// backlog may get of the slowest one before it waits (see aligner);
	// 12 hours when zero, no alignment when negative.
	AlignWindow time.Duration
	// CatchUpLag is how many records must wait in a partition for it to
	// count as in a backlog; 1000 when zero.
	CatchUpLag int64
	// ShutdownTimeout bounds the final flush and commit on shutdown.
	ShutdownTimeout time.Duration
	// MaxRetryInterval caps the exponential backoff between retries.
	MaxRetryInterval time.Duration
	// SessionTimeout is how long the group waits for a silent member (one
	// that crashed) before giving its partitions to the others.
	SessionTimeout time.Duration
	// StallTimeout is how long a partition reader may deliver nothing while
	// its partition has records waiting before it is replaced.
	StallTimeout time.Duration
	// Normalized, when set, receives every batch's canonical events after
	// ClickHouse acknowledged them and before the offsets are committed.
	Normalized EventPublisher
}

func (c *Config) setDefaults() {
	if c.BatchSize <= 0 {
		c.BatchSize = 40000
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = time.Second
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	if c.MaxRetryInterval <= 0 {
		c.MaxRetryInterval = 30 * time.Second
	}
	if c.SessionTimeout <= 0 {
		c.SessionTimeout = 10 * time.Second
	}
	if c.StallTimeout <= 0 {
		c.StallTimeout = 30 * time.Second
	}
	if c.AlignWindow == 0 {
		c.AlignWindow = alignWindow
	}
	if c.CatchUpLag <= 0 {
		c.CatchUpLag = alignCatchUpLag
	}
	if c.TopicRefresh <= 0 {
		c.TopicRefresh = topicRefresh
	}
}

// Consumer is one member of the ingest consumer group.
type Consumer struct {
	cfg       Config
	feeds     map[string]string    // topic → feed of the group being run
	parsers   map[string]ParseFunc // topic → parser of the group being run
	events    EventWriter
	dlq       DeadLetterWriter
	metrics   *Metrics
	log       *slog.Logger
	committed atomic.Int64
	counters  map[counterKey]prometheus.Counter // used by Run's goroutine only
}

// NewConsumer checks cfg and returns a consumer writing to events and dlq.
func NewConsumer(cfg Config, events EventWriter, dlq DeadLetterWriter, m *Metrics, log *slog.Logger) (*Consumer, error) {
	cfg.setDefaults()
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("ingest: no Kafka brokers")
	}
	if cfg.GroupID == "" {
		return nil, errors.New("ingest: no consumer group id")
	}
	if len(cfg.Feeds) == 0 && len(cfg.Patterns) == 0 {
		return nil, errors.New("ingest: no topics to read")
	}
	for topic, feed := range cfg.Feeds {
		if _, err := Feed(feed); err != nil {
			return nil, fmt.Errorf("ingest: topic %s: %w", topic, err)
		}
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Consumer{cfg: cfg, events: events, dlq: dlq, metrics: m, log: log,
		counters: map[counterKey]prometheus.Counter{}}, nil
}

// setLag sets each partition's lag from the last record of a batch read
// from it: once a batch, not once a record.
func (c *Consumer) setLag(msgs []kafka.Message) {
	type tp struct {
		topic     string
		partition int
	}
	last := map[tp]*kafka.Message{}
	for i := range msgs {
		last[tp{msgs[i].Topic, msgs[i].Partition}] = &msgs[i]
	}
	for k, m := range last {
		if m.HighWaterMark > 0 {
			c.metrics.Lag.WithLabelValues(k.topic, strconv.Itoa(k.partition)).Set(float64(m.HighWaterMark - m.Offset - 1))
		}
	}
}

// counter returns the child of vec for label, cached: the hot path
// counts every record and event, and a label look-up hashes the label.
func (c *Consumer) counter(vec *prometheus.CounterVec, label string) prometheus.Counter {
	k := counterKey{vec, label}
	if ctr, ok := c.counters[k]; ok {
		return ctr
	}
	ctr := vec.WithLabelValues(label)
	c.counters[k] = ctr
	return ctr
}

type counterKey struct {
	vec   *prometheus.CounterVec
	label string
}

// Committed returns how many records this consumer has committed.
func (c *Consumer) Committed() int64 { return c.committed.Load() }

// batch is what was read since the last flush.
type batch struct {
	msgs    []kafka.Message // topic, partition and offset: what to commit
	events  []schemas.ScanEvent
	letters []DeadLetter
	started time.Time
}

// reset empties the batch for reuse, keeping its slices' memory but none
// of the events' strings or the dead letters' payloads.
func (b *batch) reset() {
	clear(b.events)
	clear(b.letters)
	b.msgs, b.events, b.letters = b.msgs[:0], b.events[:0], b.letters[:0]
	b.started = time.Time{}
}

// fetched is one record read from a partition and parsed by its reader.
type fetched struct {
	msg    kafka.Message
	events []schemas.ScanEvent
	err    error
}

// Run consumes until ctx is cancelled, then flushes what it read, commits
// and returns nil. Offsets of unwritten records are never committed.
//
// Run takes part in the consumer group through kafka-go's ConsumerGroup
// and reads each partition it is assigned with a partition reader of its
// own, one generation at a time (consumeGeneration): when a rebalance ends
// a generation, what was read in it is stored and committed before the
// group moves on, so the next owner of a partition starts where this
// member stopped. With topic patterns, the member leaves the group the
// same way and joins it again whenever the topics they select change.
func (c *Consumer) Run(ctx context.Context) error {
	for {
		feeds, unknown, err := c.topicFeeds(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			c.log.Warn("cannot list topics for the topic patterns", "err", err)
			c.metrics.Retries.WithLabelValues("topic_refresh").Inc()
		case len(unknown) > 0:
			c.log.Warn("topics matching a topic pattern with no such feed are not read", "topics", unknown,
				"feeds", FeedNames())
		}
		if err == nil && len(feeds) > 0 {
			if err := c.runGroup(ctx, feeds); err != nil {
				return err
			}
			if ctx.Err() != nil {
				return nil
			}
			continue // the patterns select other topics now
		}
		if err == nil {
			c.log.Info("no topic matches the topic patterns yet", "refresh", c.cfg.TopicRefresh)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(c.cfg.TopicRefresh):
		}
	}
}

// runGroup takes part in the consumer group reading the topics of feeds
// until ctx ends or, with topic patterns, until they select other topics.
func (c *Consumer) runGroup(ctx context.Context, feeds map[string]string) error {
	c.feeds, c.parsers = feeds, map[string]ParseFunc{}
	topics := make([]string, 0, len(feeds))
	for t, feed := range feeds {
		topics = append(topics, t)
		p, err := Feed(feed)
		if err != nil {
			return fmt.Errorf("ingest: topic %s: %w", t, err)
		}
		c.parsers[t] = p
	}
	sort.Strings(topics)
	group, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:             c.cfg.GroupID,
		Brokers:        c.cfg.Brokers,
		Topics:         topics,
		StartOffset:    kafka.FirstOffset,
		SessionTimeout: c.cfg.SessionTimeout,
		// kafka-go gives a group join 5 s plus this before it gives up and
		// joins again; at the session timeout alone, joins against a busy
		// coordinator timed out now and then. It is also how long a member
		// has to store and commit what it read when a rebalance starts.
		RebalanceTimeout:  c.rebalanceTimeout(),
		HeartbeatInterval: max(c.cfg.SessionTimeout/5, 100*time.Millisecond),
		ErrorLogger:       c.kafkaLogger(),
	})
	if err != nil {
		return fmt.Errorf("ingest: consumer group: %w", err)
	}
	defer group.Close() // leaves the group: the others take over at once
	if len(c.cfg.Patterns) > 0 {
		var watching sync.WaitGroup
		watchCtx, stopWatching := context.WithCancel(ctx)
		ctx = watchCtx // ends the group's run when the topics change
		watching.Add(1)
		go func() { // owned by runGroup: stopped by stopWatching
			defer watching.Done()
			c.watchTopics(watchCtx, feeds, stopWatching)
		}()
		defer watching.Wait()
		defer stopWatching()
	}
	for {
		gen, err := group.Next(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, kafka.ErrGroupClosed):
			return fmt.Errorf("ingest: consumer group: %w", err)
		case err != nil:
			// A failed join or sync (kafka-go logged it): kafka-go backs
			// off and joins again by itself.
			c.metrics.Retries.WithLabelValues("group_join").Inc()
			continue
		}
		c.consumeGeneration(ctx, gen)
		if ctx.Err() != nil {
			return nil
		}
	}
}

func (c *Consumer) rebalanceTimeout() time.Duration { return 2 * c.cfg.SessionTimeout }

// kafkaLogger sends kafka-go's own errors (group joins, fetches and
// commits it retries) to the log: a consumer that stops making progress
// says why.
func (c *Consumer) kafkaLogger() kafka.Logger {
	return kafka.LoggerFunc(func(msg string, args ...any) {
		c.log.Warn(fmt.Sprintf(msg, args...), "component", "kafka-go")
	})
}

// consumeGeneration reads the partitions gen assigned to this member
// until the generation ends (a rebalance) or ctx is cancelled, then
// stores and commits what it read, within the rebalance or shutdown
// timeout, and returns. The generation does not end, and the group does
// not move on, before that: kafka-go waits for every function started
// with gen.Start.
func (c *Consumer) consumeGeneration(ctx context.Context, gen *kafka.Generation) {
	ended := make(chan struct{})    // the generation is over
	released := make(chan struct{}) // and what was read in it is stored, or given up
	defer close(released)
	gen.Start(func(gctx context.Context) {
		<-gctx.Done()
		close(ended)
		<-released
	})
	select {
	case <-ended: // over before it began: nothing to read or commit in it
		return
	case <-ctx.Done():
		return
	default:
	}
	type assignment struct {
		topic string
		kafka.PartitionAssignment
	}
	var assigned []assignment
	for topic, parts := range gen.Assignments {
		for _, pa := range parts {
			assigned = append(assigned, assignment{topic, pa})
		}
	}
	c.log.Info("partitions assigned", "generation", gen.ID, "member", gen.MemberID, "partitions", len(assigned),
		"assignments", fmt.Sprint(gen.Assignments))
	c.metrics.Assigned.Set(float64(len(assigned)))
	defer c.metrics.Assigned.Set(0)
	waiting := c.startLag(ctx, gen.Assignments)

	fetchCtx, stopFetch := context.WithCancel(context.WithoutCancel(ctx))
	defer stopFetch()
	msgs := make(chan fetched, fetchQueue)
	align := newAligner(len(assigned), c.cfg.AlignWindow, c.cfg.CatchUpLag)
	for i, a := range assigned {
		if n, ok := waiting[a.topic][a.ID]; ok && n == 0 {
			align.caughtUp(i) // nothing to read: it holds no one back while it delivers nothing
		}
	}
	align.waited = func(d time.Duration) { c.metrics.BacklogWait.Add(d.Seconds()) }
	var fetchers sync.WaitGroup
	for i, a := range assigned {
		fetchers.Add(1)
		go func() { // owned by consumeGeneration: stopped by stopFetch
			defer fetchers.Done()
			r := &partitionReader{c: c, topic: a.topic, partition: a.ID, parse: c.parsers[a.topic],
				align: align, index: i, partitions: len(assigned)}
			r.run(fetchCtx, a.Offset, msgs)
		}()
	}
	go func() { fetchers.Wait(); close(msgs) }() // ends once the fetchers have

	// One batch is written (inserted, published, dead letters, committed)
	// while the next is read and parsed. Writes stay in batch order, and a
	// batch's offsets are committed only after it is stored.
	p := &pipeline{c: c, commit: func(_ context.Context, msgs []kafka.Message) error { return commitOffsets(gen, ended, msgs) }}
	b := &batch{}
	tick := time.NewTicker(max(c.cfg.FlushInterval/4, 10*time.Millisecond))
	defer tick.Stop()
	finishWithin, revoked := c.cfg.ShutdownTimeout, false
	incoming := msgs // nil once closed: a member assigned no partition has no fetchers
	for stop := false; !stop; {
		select {
		case m, ok := <-incoming:
			if !ok {
				incoming = nil
				continue
			}
			c.add(b, m)
			if len(b.msgs) >= c.cfg.BatchSize {
				var err error
				if b, err = p.submit(ctx, b); err != nil {
					stop = true // ctx ended during a retry: shut down
				}
			}
		case <-tick.C:
			if len(b.msgs) > 0 && time.Since(b.started) >= c.cfg.FlushInterval {
				var err error
				if b, err = p.submit(ctx, b); err != nil {
					stop = true
				}
			}
		case <-ended:
			finishWithin, revoked = c.rebalanceTimeout(), true
			stop = true
		case <-ctx.Done():
			stop = true
		}
	}
	// Keep what was already fetched, and store it.
	stopFetch()
	for m := range msgs {
		c.add(b, m)
	}
	p.finish(b, finishWithin)
	c.log.Info("generation over", "generation", gen.ID, "rebalance", revoked)
	if revoked { // the partitions may be another member's now: theirs to report
		c.metrics.Rebalances.Inc()
		for _, a := range assigned {
			c.metrics.Lag.DeleteLabelValues(a.topic, strconv.Itoa(a.ID))
		}
	}
}

// startLag sets the lag gauge of every assigned partition from where
// the group's offset stands to the partition's end, so a partition shows
// its backlog from the moment it is assigned, before anything from it is
// committed. The commits then keep the gauge current. It returns those
// backlogs, by topic and partition. Failing to list the offsets only
// leaves the gauges unset, and returns nil.
func (c *Consumer) startLag(ctx context.Context, assignments map[string][]kafka.PartitionAssignment) map[string]map[int]int64 {
	parts := map[string][]int{}
	for topic, pas := range assignments {
		for _, pa := range pas {
			parts[topic] = append(parts[topic], pa.ID)
		}
	}
	offsets, err := c.listOffsets(ctx, parts)
	if err != nil {
		c.log.Warn("cannot list partition offsets for the lag gauge", "err", err)
		return nil
	}
	waiting := map[string]map[int]int64{}
	for topic, pas := range assignments {
		waiting[topic] = map[int]int64{}
		for _, pa := range pas {
			po, ok := offsets[topic][pa.ID]
			if !ok {
				continue
			}
			n := backlog(po, pa.Offset)
			waiting[topic][pa.ID] = n
			c.metrics.Lag.WithLabelValues(topic, strconv.Itoa(pa.ID)).Set(float64(n))
		}
	}
	return waiting
}

// listOffsets returns the first and last offsets of the given partitions
// (by topic); partitions the broker answered with an error are left out.
func (c *Consumer) listOffsets(ctx context.Context, parts map[string][]int) (map[string]map[int]kafka.PartitionOffsets, error) {
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for topic, ids := range parts {
		for _, id := range ids {
			req.Topics[topic] = append(req.Topics[topic], kafka.FirstOffsetOf(id), kafka.LastOffsetOf(id))
		}
	}
	out := map[string]map[int]kafka.PartitionOffsets{}
	if len(req.Topics) == 0 {
		return out, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := (&kafka.Client{Addr: kafka.TCP(c.cfg.Brokers...)}).ListOffsets(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("list offsets: %w", err)
	}
	for topic, pos := range resp.Topics {
		out[topic] = map[int]kafka.PartitionOffsets{}
		for _, po := range pos {
			if po.Error == nil {
				out[topic][po.Partition] = po
			}
		}
	}
	return out, nil
}

// partitionReader reads one partition assigned to this member for one
// generation, and parses its records.
type partitionReader struct {
	c          *Consumer
	topic      string
	partition  int
	parse      ParseFunc
	align      *aligner
	index      int // the partition's place in align
	partitions int // how many partitions the member reads
}

// run reads the partition from offset into msgs until ctx ends. kafka-go
// retries failed fetches itself; what it reports is logged and reading
// goes on. A partition reader that delivers nothing for a whole
// StallTimeout period while the partition has records beyond it (and no
// record of its waits for the batch loop or the aligner) is replaced by
// a new one at the same offset, and that is logged. Each replacement
// waits twice as long as the one before (up to maxStallTimeout), so a
// broker that is merely slow is not asked again and again.
func (r *partitionReader) run(ctx context.Context, offset int64, msgs chan<- fetched) {
	var next atomic.Int64 // the offset to read from: assigned, then after each record delivered
	next.Store(offset)
	stall := r.c.cfg.StallTimeout
	for ctx.Err() == nil {
		if r.read(ctx, &next, stall, msgs) {
			stall = min(2*stall, maxStallTimeout)
		}
	}
}

// maxStallTimeout bounds the wait before a partition reader is replaced.
const maxStallTimeout = 5 * time.Minute

// read reads the partition with a new kafka-go partition reader from
// next, advancing it, until ctx ends (false) or the reader delivers
// nothing for a whole stall period while records wait (true). A watchdog
// goroutine checks for that once a period, so the per-record path has a
// few atomic operations and no timer.
//
// Each record is parsed here, as soon as it is fetched: the partitions'
// readers parse side by side, the aligner sees each record's event time,
// and what waits for the batch is events, not payloads.
func (r *partitionReader) read(ctx context.Context, next *atomic.Int64, stall time.Duration, msgs chan<- fetched) bool {
	c, topic, partition := r.c, r.topic, r.partition
	kr := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   c.cfg.Brokers,
		Topic:     topic,
		Partition: partition,
		MinBytes:  1,
		MaxBytes:  4 << 20,
		MaxWait:   2 * time.Second, // also the read deadline of a fetch: a busy broker gets that long to answer
		// The partitions' queues together hold about fetchQueue records.
		QueueCapacity: max(16, fetchQueue/max(r.partitions, 1)),
		ErrorLogger:   c.kafkaLogger(),
	})
	defer kr.Close()
	if err := kr.SetOffset(next.Load()); err != nil {
		c.log.Error("cannot read partition", "topic", topic, "partition", partition, "offset", next.Load(), "err", err)
		sleepCtx(ctx, time.Second)
		return false
	}
	fctx, cancel := context.WithCancel(ctx)
	var (
		progress atomic.Int64 // records delivered by this reader
		waiting  atomic.Bool  // a record waits for the aligner or the batch loop: not the reader's fault
		replaced atomic.Bool  // the watchdog gave up on this reader
		wg       sync.WaitGroup
	)
	wg.Add(1)
	go func() { // the watchdog, owned by read, which waits for it
		defer wg.Done()
		tick := time.NewTicker(stall)
		defer tick.Stop()
		last := progress.Load()
		for {
			select {
			case <-fctx.Done():
				return
			case <-tick.C:
			}
			if n := progress.Load(); n != last || waiting.Load() {
				last = n
				continue
			}
			if c.stalled(fctx, topic, partition, next.Load(), stall) {
				replaced.Store(true)
				cancel()
				return
			}
		}
	}()
	defer wg.Wait()
	defer cancel()
	for {
		m, err := kr.FetchMessage(fctx)
		switch {
		case ctx.Err() != nil:
			return false
		case replaced.Load():
			c.metrics.Retries.WithLabelValues("partition_reader").Inc()
			return true
		case err != nil:
			c.log.Warn("fetch failed; retrying", "topic", topic, "partition", partition, "err", err)
			sleepCtx(ctx, time.Second)
			continue
		}
		waiting.Store(true)
		f := r.parsed(m)
		lag := int64(-1) // unknown
		if m.HighWaterMark > 0 {
			lag = m.HighWaterMark - m.Offset - 1
		}
		r.align.pace(ctx, r.index, latest(f.events), lag)
		select {
		case msgs <- f:
			next.Store(m.Offset + 1)
		case <-ctx.Done():
			return false
		}
		waiting.Store(false)
		progress.Add(1)
	}
}

// parsed parses one record into its canonical events, each naming the
// record as its source.
func (r *partitionReader) parsed(m kafka.Message) fetched {
	events, err := Parse(r.parse, m.Value)
	now := time.Now().UTC()
	for k := range events {
		events[k].Source = schemas.Source{Topic: m.Topic, Partition: int32(m.Partition), Offset: m.Offset, IngestedAt: now}
	}
	return fetched{msg: m, events: events, err: err}
}

// latest is the latest event time among events; zero when there is none.
func latest(events []schemas.ScanEvent) time.Time {
	var t time.Time
	for i := range events {
		if events[i].EventTime.After(t) {
			t = events[i].EventTime
		}
	}
	return t
}

// stalled reports whether a partition has records at or beyond next that
// its reader did not deliver within stall, and logs it.
func (c *Consumer) stalled(ctx context.Context, topic string, partition int, next int64, stall time.Duration) bool {
	offsets, err := c.listOffsets(ctx, map[string][]int{topic: {partition}})
	if err != nil {
		return false // the broker is unreachable: kafka-go keeps trying
	}
	po, ok := offsets[topic][partition]
	if !ok {
		return false
	}
	waiting := backlog(po, next)
	if waiting == 0 {
		return false // caught up: nothing to read
	}
	c.log.Warn("partition reader delivered nothing with records waiting; starting a new one",
		"topic", topic, "partition", partition, "offset", next, "waiting", waiting, "waited", stall)
	return true
}

// backlog is how many records of a partition are at or after offset; a
// negative offset (none committed) means the partition's first.
func backlog(po kafka.PartitionOffsets, offset int64) int64 {
	if offset < 0 {
		offset = po.FirstOffset
	}
	return max(po.LastOffset-offset, 0)
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

// commitOffsets commits, in generation gen, the offset after the last of
// msgs of each partition. ended is closed once the generation is over:
// the group then refuses the commit, or the generation's connection to
// the coordinator is gone with it, so a commit that fails then is not
// retried. The records were stored, and whoever reads those partitions
// next reads them again (event ids make that harmless).
func commitOffsets(gen *kafka.Generation, ended <-chan struct{}, msgs []kafka.Message) error {
	offsets := map[string]map[int]int64{}
	for i := range msgs {
		m := &msgs[i]
		t := offsets[m.Topic]
		if t == nil {
			t = map[int]int64{}
			offsets[m.Topic] = t
		}
		if next := m.Offset + 1; next > t[m.Partition] {
			t[m.Partition] = next
		}
	}
	err := gen.CommitOffsets(offsets)
	if err == nil {
		return nil
	}
	over := isGenerationOver(err)
	select {
	case <-ended:
		over = true
	default:
	}
	if over {
		return backoff.Permanent(fmt.Errorf("%w: %w", errGenerationOver, err))
	}
	return err
}

// errGenerationOver marks a commit that cannot be made because the
// generation it belongs to has ended (the group refused it, or its
// connection to the coordinator went with the generation).
var errGenerationOver = errors.New("consumer group generation over")

func isGenerationOver(err error) bool {
	return errors.Is(err, kafka.IllegalGeneration) || errors.Is(err, kafka.UnknownMemberId) ||
		errors.Is(err, kafka.RebalanceInProgress) || errors.Is(err, kafka.FencedInstanceID)
}

// pipeline writes one batch at a time on its own goroutine, owned by Run:
// submit starts a write once the previous one is done, finish ends it.
type pipeline struct {
	c      *Consumer
	commit commitFunc
	busy   *batch     // the batch being written, or whose write failed
	done   chan error // the result of busy's write
	failed error      // busy's write error, once received
	spare  *batch     // a written batch, emptied, to fill next
}

// submit waits for the batch being written, then starts writing b and
// returns an empty batch to fill. If the previous write failed, b is not
// started: submit returns b and the error, and finish writes both.
func (p *pipeline) submit(ctx context.Context, b *batch) (*batch, error) {
	if err := p.wait(); err != nil {
		return b, err
	}
	p.busy, p.done = b, make(chan error, 1)
	go func(b *batch, done chan<- error) { done <- p.c.flush(ctx, p.commit, b) }(b, p.done)
	next := p.spare
	if next == nil {
		next = &batch{}
	}
	p.spare = nil
	return next, nil
}

// wait waits for the write in flight; a written batch becomes the spare.
// On error the batch stays busy, its offsets uncommitted.
func (p *pipeline) wait() error {
	if p.busy == nil {
		return nil
	}
	if p.failed != nil {
		return p.failed
	}
	if err := <-p.done; err != nil {
		p.failed = err
		return err
	}
	p.busy.reset()
	p.spare, p.busy = p.busy, nil
	return nil
}

// finish writes, within timeout, the batch whose write failed or is in
// flight, then b, in that order; what cannot be written is read again by
// whoever consumes these partitions next.
func (p *pipeline) finish(b *batch, timeout time.Duration) {
	if err := p.wait(); err != nil {
		failed := p.busy
		p.busy, p.failed = nil, nil
		p.c.finalFlush(p.commit, failed, timeout)
		if len(failed.msgs) > 0 { // still unwritten: b must not be committed past it
			p.c.log.Warn("final flush incomplete; the records will be read again", "records", len(failed.msgs)+len(b.msgs))
			return
		}
	}
	p.c.finalFlush(p.commit, b, timeout)
}

// finalFlush writes b within timeout; b is empty after a successful
// write.
func (c *Consumer) finalFlush(commit commitFunc, b *batch, timeout time.Duration) {
	if len(b.msgs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := c.flush(ctx, commit, b); err != nil {
		c.log.Warn("final flush incomplete; the records will be read again", "records", len(b.msgs), "err", err)
	}
}

// commitFunc commits the offsets of records that were stored.
type commitFunc func(ctx context.Context, msgs []kafka.Message) error

// fetchQueue is how many fetched records wait for the batch, in the
// partition readers' queues together and again in the consumer's channel:
// enough to keep parsing busy, few enough that memory does not grow with
// the batch size.
const fetchQueue = 1024

// add appends one parsed record to the batch: its events, or its dead
// letter, and its offset.
func (c *Consumer) add(b *batch, f fetched) {
	if len(b.msgs) == 0 {
		b.started = time.Now()
	}
	m := &f.msg
	c.counter(c.metrics.Records, m.Topic).Inc()
	for k := range f.events {
		e := &f.events[k]
		c.counter(c.metrics.Events, e.Carrier).Inc()
		if e.Status == schemas.StatusUnknown {
			c.counter(c.metrics.UnknownStatus, e.Carrier).Inc()
		}
	}
	feed := c.feeds[m.Topic]
	if len(f.events) == 0 && f.err == nil {
		c.counter(c.metrics.NoScans, feed).Inc()
	}
	b.events = append(b.events, f.events...)
	if f.err != nil {
		b.letters = append(b.letters, DeadLetter{Original: *m, Feed: feed, Reason: Reason(f.err)})
		c.counter(c.metrics.DeadLetters, feed).Inc()
	}
	// Committing needs the record's topic, partition and offset only (a
	// dead letter keeps the payload): a batch holds no payloads.
	m.Key, m.Value, m.Headers = nil, nil, nil
	b.msgs = append(b.msgs, *m)
}

// flush writes events, then publishes them to the normalized topic when
// configured, then writes dead letters, then commits the offsets, each
// retried with capped exponential backoff until it succeeds or ctx ends.
// On error the batch is kept: nothing was committed.
func (c *Consumer) flush(ctx context.Context, commit commitFunc, b *batch) error {
	if len(b.events) > 0 {
		start := time.Now()
		if err := c.retry(ctx, "insert", func() error { return c.events.WriteEvents(ctx, b.events) }); err != nil {
			return err
		}
		c.metrics.InsertSeconds.Observe(time.Since(start).Seconds())
		c.metrics.BatchSize.Observe(float64(len(b.events)))
		c.metrics.RowsInserted.Add(float64(len(b.events)))
		if n := c.cfg.Normalized; n != nil {
			if err := c.retry(ctx, "normalized", func() error { return n.PublishEvents(ctx, b.events) }); err != nil {
				return err
			}
		}
	}
	if len(b.letters) > 0 {
		if err := c.retry(ctx, "dead_letter", func() error { return c.dlq.WriteDeadLetters(ctx, b.letters) }); err != nil {
			return err
		}
	}
	if err := c.retry(ctx, "commit", func() error { return commit(ctx, b.msgs) }); err != nil {
		if !errors.Is(err, errGenerationOver) {
			return err
		}
		// Stored but not committed: the partitions' next owner reads
		// these records again.
		c.log.Warn("offsets not committed: the group has moved on; the records will be read again",
			"records", len(b.msgs), "err", err)
		b.reset()
		return nil
	}
	c.committed.Add(int64(len(b.msgs)))
	c.metrics.LastCommit.SetToCurrentTime()
	c.setLag(b.msgs)
	b.reset()
	return nil
}

func (c *Consumer) retry(ctx context.Context, stage string, op func() error) error {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = 100 * time.Millisecond
	bo.MaxInterval = c.cfg.MaxRetryInterval
	_, err := backoff.Retry(ctx, func() (struct{}, error) { return struct{}{}, op() },
		backoff.WithBackOff(bo),
		backoff.WithMaxElapsedTime(0), // never give up while ctx lives: nothing is dropped
		backoff.WithNotify(func(err error, next time.Duration) {
			c.metrics.Retries.WithLabelValues(stage).Inc()
			c.log.Warn("ingest stage failed; retrying", "stage", stage, "err", err, "retry_in", next)
		}))
	if err != nil {
		return fmt.Errorf("ingest %s: %w", stage, err)
	}
	return nil
}
