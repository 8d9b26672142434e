package ingest

import (
	"strings"
	"testing"
	"time"
)

// DefaultConfig plus brokers, a group and topics is a Config a consumer
// runs with; zero sizes and timeouts are refused rather than replaced,
// except AlignWindow, whose zero turns alignment off.
func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		err    string // a part of the error; "" for none
	}{
		{"defaults", func(*Config) {}, ""},
		{"alignment off", func(c *Config) { c.AlignWindow = 0 }, ""},
		{"patterns only", func(c *Config) { c.Feeds, c.Patterns = nil, []TopicPattern{{}} }, ""},
		{"negative align window", func(c *Config) { c.AlignWindow = -time.Second }, "align window"},
		{"no brokers", func(c *Config) { c.Brokers = nil }, "no Kafka brokers"},
		{"no group", func(c *Config) { c.GroupID = "" }, "no consumer group id"},
		{"no topics", func(c *Config) { c.Feeds = nil }, "no topics to read"},
		{"unknown feed", func(c *Config) { c.Feeds = map[string]string{"t": "nope"} }, "topic t: unknown feed"},
		{"zero batch size", func(c *Config) { c.BatchSize = 0 }, "batch size 0"},
		{"zero catch-up lag", func(c *Config) { c.CatchUpLag = 0 }, "catch-up lag 0"},
		{"zero topic refresh", func(c *Config) { c.TopicRefresh = 0 }, "topic refresh"},
		{"zero flush interval", func(c *Config) { c.FlushInterval = 0 }, "flush interval"},
		{"zero shutdown timeout", func(c *Config) { c.ShutdownTimeout = 0 }, "shutdown timeout"},
		{"zero max retry interval", func(c *Config) { c.MaxRetryInterval = 0 }, "max retry interval"},
		{"zero session timeout", func(c *Config) { c.SessionTimeout = 0 }, "session timeout"},
		{"negative stall timeout", func(c *Config) { c.StallTimeout = -time.Second }, "stall timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Brokers, cfg.GroupID, cfg.Feeds = []string{"127.0.0.1:9092"}, "g", map[string]string{"t": "generic"}
			tc.change(&cfg)
			_, err := NewConsumer(cfg, nil, nil, nil, nil)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("NewConsumer = %v, want an error with %q", err, tc.err)
			}
		})
	}
}
