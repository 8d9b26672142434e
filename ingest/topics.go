package ingest

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"
)

// TopicPattern selects topics by name: a topic whose whole name matches
// is read with the feed its "feed" group names, so that one pattern
// such as `acme\.scans\.(?P<feed>[a-z0-9]+)` maps every carrier's topic
// to its adapter.
type TopicPattern struct{ re *regexp.Regexp }

// ParseTopicPattern compiles expr, a regular expression (RE2 syntax)
// matched against whole topic names, with a group named feed.
func ParseTopicPattern(expr string) (TopicPattern, error) {
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return TopicPattern{}, fmt.Errorf("topic pattern %q: %w", expr, err)
	}
	if re.SubexpIndex("feed") < 0 {
		return TopicPattern{}, fmt.Errorf("topic pattern %q has no group (?P<feed>...) naming the feed", expr)
	}
	return TopicPattern{re}, nil
}

// feed is the feed name the pattern gives topic, if it matches.
func (p TopicPattern) feed(topic string) (string, bool) {
	m := p.re.FindStringSubmatch(topic)
	if m == nil {
		return "", false
	}
	return m[p.re.SubexpIndex("feed")], true
}

// topicFeeds is the topic → feed map to read now: the configured topics,
// and every topic of the brokers a pattern matches (a configured topic
// keeps its feed). A matching topic whose name gives no known feed is
// left out and returned in unknown, as are the Exclude topics.
func (c *Consumer) topicFeeds(ctx context.Context) (feeds map[string]string, unknown []string, err error) {
	feeds = maps.Clone(c.cfg.Feeds)
	if feeds == nil {
		feeds = map[string]string{}
	}
	if len(c.cfg.Patterns) == 0 {
		return feeds, nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := (&kafka.Client{Addr: kafka.TCP(c.cfg.Brokers...)}).Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return nil, nil, fmt.Errorf("list topics: %w", err)
	}
	for _, t := range resp.Topics {
		if t.Error != nil || t.Internal || slices.Contains(c.cfg.Exclude, t.Name) {
			continue
		}
		if _, ok := feeds[t.Name]; ok {
			continue
		}
		for _, p := range c.cfg.Patterns {
			feed, ok := p.feed(t.Name)
			if !ok {
				continue
			}
			if _, err := Feed(feed); err != nil {
				unknown = append(unknown, t.Name)
			} else {
				feeds[t.Name] = feed
			}
			break
		}
	}
	slices.Sort(unknown)
	return feeds, unknown, nil
}

// watchTopics lists the brokers' topics every refresh until ctx ends and
// calls changed, once, when the patterns select other topics than have.
func (c *Consumer) watchTopics(ctx context.Context, have map[string]string, changed func()) {
	tick := time.NewTicker(c.cfg.TopicRefresh)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		feeds, _, err := c.topicFeeds(ctx)
		if err != nil {
			if ctx.Err() == nil {
				c.log.Warn("cannot list topics for the topic patterns; reading the same topics", "err", err)
				c.metrics.Retries.WithLabelValues("topic_refresh").Inc()
			}
			continue
		}
		if !maps.Equal(feeds, have) {
			c.log.Info("the topic patterns select other topics: joining the group again", "topics", feeds)
			changed()
			return
		}
	}
}
