package ingest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

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

// rebalanceTimeout is how long the group waits for its members to join a
// rebalance, and so how long a member has to store and commit what it
// read when one starts.
func (c *Consumer) rebalanceTimeout() time.Duration { return 2 * c.cfg.SessionTimeout }
