package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/encoding/json"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/parcelcast/parcelcast/schemas"
)

// The follower's defaults.
const (
	// DefaultFollowBatch is the most events the follower applies at once.
	DefaultFollowBatch = 1024
	// DefaultFollowMaxWait is how long a fetch waits for new records:
	// the longest a published event can wait in the broker for a reader
	// that is already waiting.
	DefaultFollowMaxWait = 250 * time.Millisecond
)

// FollowConfig configures a Follower.
type FollowConfig struct {
	Brokers []string
	Topic   string
	// Partitions are the partitions read, all of the topic's when empty;
	// then Of must be the topic's partition count, checked at start.
	Partitions []int
	Of         int
	// BatchSize and MaxWait default to DefaultFollowBatch and
	// DefaultFollowMaxWait.
	BatchSize int
	MaxWait   time.Duration
	Log       *slog.Logger
	// Registerer receives the follower's metrics (nil: none).
	Registerer prometheus.Registerer
}

// Follower reads a topic of records of type T without a consumer group:
// every replica reads every partition it owns, from a point in time. The
// predictor's live state follows the normalized topic with one of scan
// events (NewFollower; it implements live.Stream), and each server the
// instructions topic with one of instructions, to know those given
// through another replica.
type Follower[T any] struct {
	cfg         FollowConfig
	decode      func([]byte) (T, error)
	messages    prometheus.Counter
	undecodable prometheus.Counter
	lastLog     atomic.Int64 // Unix nanoseconds of the last undecodable record logged
}

// NewFollower returns a follower of the normalized topic cfg.Topic.
func NewFollower(cfg FollowConfig) (*Follower[schemas.ScanEvent], error) {
	return NewFollowerOf(cfg, DecodeNormalized)
}

// NewFollowerOf returns a follower of cfg.Topic whose records decode
// reads; a record it refuses is counted and skipped. Its metrics carry
// the topic as a label.
func NewFollowerOf[T any](cfg FollowConfig, decode func([]byte) (T, error)) (*Follower[T], error) {
	if len(cfg.Brokers) == 0 || cfg.Topic == "" {
		return nil, errors.New("follow: brokers and topic are required")
	}
	if len(cfg.Partitions) > 0 && cfg.Of <= 0 {
		return nil, errors.New("follow: owned partitions need the topic's partition count")
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultFollowBatch
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = DefaultFollowMaxWait
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	topic := prometheus.Labels{"topic": cfg.Topic}
	f := &Follower[T]{cfg: cfg, decode: decode,
		messages: prometheus.NewCounter(prometheus.CounterOpts{Name: "parcelcast_follow_messages_total",
			Help: "Records read from a followed topic (the normalized topic by the live state, the instructions topic by each server).", ConstLabels: topic}),
		undecodable: prometheus.NewCounter(prometheus.CounterOpts{Name: "parcelcast_follow_undecodable_total",
			Help: "Records of a followed topic that did not decode, skipped.", ConstLabels: topic}),
	}
	if cfg.Registerer != nil {
		if err := errors.Join(cfg.Registerer.Register(f.messages), cfg.Registerer.Register(f.undecodable)); err != nil {
			return nil, fmt.Errorf("follow: register metrics: %w", err)
		}
	}
	return f, nil
}

// errOwnership is a follower's ownership the topic does not match.
var errOwnership = errors.New("ownership does not match the topic")

// DecodeNormalized decodes one record of the normalized topic: a
// schemas.ScanEvent as JSON, with an event id and valid as ingest
// checked it.
func DecodeNormalized(value []byte) (schemas.ScanEvent, error) {
	var e schemas.ScanEvent
	if err := json.Unmarshal(value, &e); err != nil {
		return schemas.ScanEvent{}, fmt.Errorf("decode normalized event: %w", err)
	}
	if e.EventID == "" {
		return schemas.ScanEvent{}, errors.New("normalized event without an event id")
	}
	if err := e.Validate(); err != nil {
		return schemas.ScanEvent{}, fmt.Errorf("normalized event %s: %w", e.EventID, err)
	}
	return e, nil
}

// followed is one partition's decoded record.
type followed[T any] struct {
	partition int
	offset    int64
	record    T
	ok        bool // false for a record that did not decode
}

// Follow reads the partitions from the first record at or after from,
// calls apply with batches of records (each partition's in order), and
// calls caughtUp once every partition has been read up to the end it had
// when Follow began. It returns nil when ctx ends.
// While the broker cannot be reached (or the topic does not exist yet),
// Follow tries again with a growing wait; ownership the topic does not
// match is an error.
func (f *Follower[T]) Follow(ctx context.Context, from time.Time, apply func([]T), caughtUp func()) error {
	var (
		parts      []int
		start, end map[int]int64
	)
	for wait := time.Second; ; wait = min(2*wait, 30*time.Second) {
		var err error
		parts, err = f.partitions(ctx)
		if err == nil {
			start, end, err = f.offsets(ctx, parts, from)
		}
		if err == nil {
			break
		}
		if errors.Is(err, errOwnership) {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		f.cfg.Log.Error("cannot start following the topic; retrying", "topic", f.cfg.Topic, "err", err, "retry_in", wait)
		sleepCtx(ctx, wait)
	}
	f.cfg.Log.Info("following the topic", "topic", f.cfg.Topic, "partitions", len(parts), "from", from)
	g, ctx := errgroup.WithContext(ctx)
	events := make(chan followed[T], f.cfg.BatchSize)
	for _, p := range parts {
		g.Go(func() error { f.read(ctx, p, start[p], events); return nil })
	}
	g.Go(func() error { f.applyLoop(ctx, events, end, apply, caughtUp); return nil })
	return g.Wait()
}

// partitions returns the partitions to read, checking the owned ones
// against the topic.
func (f *Follower[T]) partitions(ctx context.Context) ([]int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(f.cfg.Brokers...)}
	md, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{f.cfg.Topic}})
	if err != nil {
		return nil, fmt.Errorf("follow %s: metadata: %w", f.cfg.Topic, err)
	}
	var all []int
	for _, t := range md.Topics {
		if t.Name != f.cfg.Topic {
			continue
		}
		if t.Error != nil {
			return nil, fmt.Errorf("follow %s: %w", f.cfg.Topic, t.Error)
		}
		for _, p := range t.Partitions {
			all = append(all, p.ID)
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("follow %s: no such topic", f.cfg.Topic)
	}
	slices.Sort(all)
	if len(f.cfg.Partitions) == 0 {
		return all, nil
	}
	if len(all) != f.cfg.Of {
		return nil, fmt.Errorf("follow %s: %w: the topic has %d partitions, ownership is of %d", f.cfg.Topic, errOwnership, len(all), f.cfg.Of)
	}
	return slices.Sorted(slices.Values(f.cfg.Partitions)), nil
}

// offsets finds each partition's first offset at or after from, and its
// end now.
func (f *Follower[T]) offsets(ctx context.Context, parts []int, from time.Time) (start, end map[int]int64, err error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(f.cfg.Brokers...)}
	list := func(req func(p int) kafka.OffsetRequest) (map[int]kafka.PartitionOffsets, error) {
		r := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
		for _, p := range parts {
			r.Topics[f.cfg.Topic] = append(r.Topics[f.cfg.Topic], req(p))
		}
		resp, err := client.ListOffsets(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("follow %s: list offsets: %w", f.cfg.Topic, err)
		}
		out := map[int]kafka.PartitionOffsets{}
		for _, po := range resp.Topics[f.cfg.Topic] {
			if po.Error != nil {
				return nil, fmt.Errorf("follow %s: offsets of partition %d: %w", f.cfg.Topic, po.Partition, po.Error)
			}
			out[po.Partition] = po
		}
		return out, nil
	}
	last, err := list(kafka.LastOffsetOf)
	if err != nil {
		return nil, nil, err
	}
	at, err := list(func(p int) kafka.OffsetRequest { return kafka.TimeOffsetOf(p, from) })
	if err != nil {
		return nil, nil, err
	}
	start, end = map[int]int64{}, map[int]int64{}
	for _, p := range parts {
		end[p] = last[p].LastOffset
		start[p] = end[p] // no record at or after from: the end
		for o := range at[p].Offsets {
			if o >= 0 && o < start[p] {
				start[p] = o
			}
		}
	}
	return start, end, nil
}

// read reads one partition from offset into events until ctx ends; a
// reader that fails is replaced at the offset it reached.
func (f *Follower[T]) read(ctx context.Context, partition int, offset int64, events chan<- followed[T]) {
	for ctx.Err() == nil {
		kr := kafka.NewReader(kafka.ReaderConfig{
			Brokers: f.cfg.Brokers, Topic: f.cfg.Topic, Partition: partition,
			MinBytes: 1, MaxBytes: 4 << 20, MaxWait: f.cfg.MaxWait,
			ErrorLogger: kafka.LoggerFunc(func(msg string, args ...any) {
				f.cfg.Log.Warn(fmt.Sprintf(msg, args...), "component", "kafka-go")
			}),
		})
		if err := kr.SetOffset(offset); err != nil {
			f.cfg.Log.Error("cannot read partition", "topic", f.cfg.Topic, "partition", partition, "err", err)
			kr.Close()
			sleepCtx(ctx, time.Second)
			continue
		}
		for {
			m, err := kr.ReadMessage(ctx)
			if err != nil {
				if ctx.Err() == nil {
					f.cfg.Log.Error("read followed topic", "topic", f.cfg.Topic, "partition", partition, "offset", offset, "err", err)
					sleepCtx(ctx, time.Second)
				}
				break
			}
			f.messages.Inc()
			e, err := f.decode(m.Value)
			if err != nil {
				f.undecodable.Inc()
				f.logUndecodable(partition, m.Offset, err)
			}
			select {
			case events <- followed[T]{partition: partition, offset: m.Offset, record: e, ok: err == nil}:
			case <-ctx.Done():
			}
			offset = m.Offset + 1
		}
		kr.Close()
	}
}

// logUndecodable logs a skipped record, at most once every ten seconds.
func (f *Follower[T]) logUndecodable(partition int, offset int64, err error) {
	now := time.Now().UnixNano()
	last := f.lastLog.Load()
	if now-last < int64(10*time.Second) || !f.lastLog.CompareAndSwap(last, now) {
		return
	}
	f.cfg.Log.Warn("skipped undecodable records of a followed topic (logged once per 10s; see parcelcast_follow_undecodable_total)",
		"topic", f.cfg.Topic, "partition", partition, "offset", offset, "err", err)
}

// applyLoop applies what the readers fetched in batches: it takes what is
// waiting, up to the batch size, without waiting for more, so a lone
// event is applied at once. It calls caughtUp once every partition has
// passed its end offset.
func (f *Follower[T]) applyLoop(ctx context.Context, events <-chan followed[T], end map[int]int64, apply func([]T), caughtUp func()) {
	behind := map[int]bool{}
	for p, o := range end {
		if o > 0 {
			behind[p] = true
		}
	}
	var once sync.Once
	check := func() {
		if len(behind) == 0 {
			once.Do(caughtUp)
		}
	}
	check()
	batch := make([]T, 0, f.cfg.BatchSize)
	reached := map[int]int64{}
	for {
		var fe followed[T]
		select {
		case <-ctx.Done():
			return
		case fe = <-events:
		}
		batch = batch[:0]
		clear(reached)
		for {
			if fe.ok {
				batch = append(batch, fe.record)
			}
			reached[fe.partition] = fe.offset + 1
			if len(batch) == cap(batch) {
				break
			}
			more := false
			select {
			case fe = <-events:
				more = true
			default:
			}
			if !more {
				break
			}
		}
		if len(batch) > 0 {
			apply(batch)
		}
		for p, o := range reached {
			if behind[p] && o >= end[p] {
				delete(behind, p)
			}
		}
		check()
	}
}
