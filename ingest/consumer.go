package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

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

// Consumer is one member of the ingest consumer group. Its parts, one
// file each: the group membership and Run loop (group.go), one
// generation's batch loop (generation.go), the partition readers
// (reader.go) and their stall watchdog (stall.go), offsets, lag and
// commits (offsets.go), batches (batch.go) and the pipeline that writes
// them (pipeline.go, retry.go).
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
	// The carrier-error children counted, and the codes counted per
	// carrier (carriererrors.go); used by Run's goroutine only.
	errorCounters map[[2]string]prometheus.Counter
	errorCodes    map[string]map[string]bool
}

// NewConsumer checks cfg and returns a consumer writing to events and dlq.
func NewConsumer(cfg Config, events EventWriter, dlq DeadLetterWriter, m *Metrics, log *slog.Logger) (*Consumer, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Consumer{cfg: cfg, events: events, dlq: dlq, metrics: m, log: log,
		counters: map[counterKey]prometheus.Counter{}, errorCounters: map[[2]string]prometheus.Counter{},
		errorCodes: map[string]map[string]bool{}}, nil
}

// Committed returns how many records this consumer has committed.
func (c *Consumer) Committed() int64 { return c.committed.Load() }

// kafkaLogger sends kafka-go's own errors (group joins, fetches and
// commits it retries) to the log: a consumer that stops making progress
// says why.
func (c *Consumer) kafkaLogger() kafka.Logger {
	return kafka.LoggerFunc(func(msg string, args ...any) {
		c.log.Warn(fmt.Sprintf(msg, args...), "component", "kafka-go")
	})
}
