package ingest

import (
	"errors"
	"fmt"
	"time"
)

// Defaults of a Consumer's Config, written once: DefaultConfig and the
// ingest command's flags read them.
const (
	DefaultBatchSize        = 40000
	DefaultFlushInterval    = time.Second
	DefaultShutdownTimeout  = 30 * time.Second
	DefaultMaxRetryInterval = 30 * time.Second
	DefaultSessionTimeout   = 10 * time.Second
	DefaultStallTimeout     = 30 * time.Second
	DefaultTopicRefresh     = 30 * time.Second
	// DefaultAlignWindow keeps a batch within about a day of event time.
	DefaultAlignWindow = 12 * time.Hour
	// DefaultCatchUpLag puts a partition in a backlog when a few fetches'
	// worth of records wait in it.
	DefaultCatchUpLag = 1000
)

// Config configures a Consumer. Start from DefaultConfig and override:
// NewConsumer fills in nothing, and refuses a Config whose sizes and
// timeouts are not positive.
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
	// TopicRefresh is how often the patterns are matched again.
	TopicRefresh time.Duration
	// BatchSize flushes a batch when it holds this many records.
	BatchSize int
	// FlushInterval flushes a non-empty batch at least this often.
	FlushInterval time.Duration
	// AlignWindow is how far ahead in event time a partition in a
	// backlog may get of the slowest one before it waits (see aligner);
	// zero turns alignment off.
	AlignWindow time.Duration
	// CatchUpLag is how many records must wait in a partition for it to
	// count as in a backlog.
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

// DefaultConfig returns the defaults, with no brokers, group or topics.
func DefaultConfig() Config {
	return Config{
		TopicRefresh:     DefaultTopicRefresh,
		BatchSize:        DefaultBatchSize,
		FlushInterval:    DefaultFlushInterval,
		AlignWindow:      DefaultAlignWindow,
		CatchUpLag:       DefaultCatchUpLag,
		ShutdownTimeout:  DefaultShutdownTimeout,
		MaxRetryInterval: DefaultMaxRetryInterval,
		SessionTimeout:   DefaultSessionTimeout,
		StallTimeout:     DefaultStallTimeout,
	}
}

// validate reports the first setting a consumer cannot run with.
func (c *Config) validate() error {
	if len(c.Brokers) == 0 {
		return errors.New("no Kafka brokers")
	}
	if c.GroupID == "" {
		return errors.New("no consumer group id")
	}
	if len(c.Feeds) == 0 && len(c.Patterns) == 0 {
		return errors.New("no topics to read")
	}
	for topic, feed := range c.Feeds {
		if _, err := Feed(feed); err != nil {
			return fmt.Errorf("topic %s: %w", topic, err)
		}
	}
	if c.BatchSize <= 0 {
		return fmt.Errorf("batch size %d: must be positive", c.BatchSize)
	}
	if c.CatchUpLag <= 0 {
		return fmt.Errorf("catch-up lag %d: must be positive", c.CatchUpLag)
	}
	if c.AlignWindow < 0 {
		return fmt.Errorf("align window %s: must not be negative (zero turns alignment off)", c.AlignWindow)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"topic refresh", c.TopicRefresh},
		{"flush interval", c.FlushInterval},
		{"shutdown timeout", c.ShutdownTimeout},
		{"max retry interval", c.MaxRetryInterval},
		{"session timeout", c.SessionTimeout},
		{"stall timeout", c.StallTimeout},
	} {
		if d.v <= 0 {
			return fmt.Errorf("%s %s: must be positive", d.name, d.v)
		}
	}
	return nil
}
