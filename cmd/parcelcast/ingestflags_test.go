package main

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest"
)

// The topics ingest reads: the default topic of every feed unless
// --topics or --topic-pattern says otherwise, and never its own output.
func TestIngestTopicFlags(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		feeds    int // topics named outright
		patterns int
		err      string
	}{
		{"defaults", nil, len(ingest.FeedNames()), 0, ""},
		{"topics", []string{"--topics", "a=ups,b=generic"}, 2, 0, ""},
		{"pattern alone", []string{"--topic-pattern", `acme\.(?P<feed>[a-z0-9]+)`}, 0, 1, ""},
		{"both", []string{"--topics", "a=ups", "--topic-pattern", `acme\.(?P<feed>[a-z0-9]+)`}, 1, 1, ""},
		{"pattern without feed group", []string{"--topic-pattern", `acme\..+`}, 0, 0, "-topic-pattern"},
		{"pair without feed", []string{"--topics", "a"}, 0, 0, "not topic=feed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFlagSet("ingest", "")
			f := addIngestFlags(fs)
			if err := parse(fs, tc.args); err != nil {
				t.Fatal(err)
			}
			cfg, err := f.config()
			if !wantErr(t, "config()", err, tc.err) {
				return
			}
			if len(cfg.Feeds) != tc.feeds || len(cfg.Patterns) != tc.patterns {
				t.Errorf("%d topics and %d patterns, want %d and %d", len(cfg.Feeds), len(cfg.Patterns), tc.feeds, tc.patterns)
			}
			if strings.Join(cfg.Exclude, ",") != ingest.DeadLetterTopic+","+ingest.NormalizedTopic {
				t.Errorf("excluded %v, want the dead-letter and normalized topics", cfg.Exclude)
			}
		})
	}
}

// The ingest flags' defaults are ingest.DefaultConfig's, each flag sets
// its field alone, --align-window 0 turns alignment off, and what the
// flags give is a Config ingest.NewConsumer takes or refuses.
func TestIngestConfigFlags(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		env    map[string]string
		change func(*ingest.Config) // from the defaults
		err    string               // a part of NewConsumer's error; "" for none
	}{
		{"defaults", nil, nil, func(*ingest.Config) {}, ""},
		{"batch size", []string{"--batch-size", "500"}, nil, func(c *ingest.Config) { c.BatchSize = 500 }, ""},
		{"batch size from the environment", nil, map[string]string{"PARCELCAST_BATCH_SIZE": "700"},
			func(c *ingest.Config) { c.BatchSize = 700 }, ""},
		{"flush interval", []string{"--flush-interval", "250ms"}, nil, func(c *ingest.Config) { c.FlushInterval = 250 * time.Millisecond }, ""},
		{"align window", []string{"--align-window", "2h"}, nil, func(c *ingest.Config) { c.AlignWindow = 2 * time.Hour }, ""},
		{"alignment off", []string{"--align-window", "0"}, nil, func(c *ingest.Config) { c.AlignWindow = 0 }, ""},
		{"topic refresh", []string{"--topic-refresh", "5s"}, nil, func(c *ingest.Config) { c.TopicRefresh = 5 * time.Second }, ""},
		{"shutdown timeout", []string{"--shutdown-timeout", "20s"}, nil, func(c *ingest.Config) { c.ShutdownTimeout = 20 * time.Second }, ""},
		{"session timeout", []string{"--session-timeout", "6s"}, nil, func(c *ingest.Config) { c.SessionTimeout = 6 * time.Second }, ""},
		{"stall timeout", []string{"--stall-timeout", "1m"}, nil, func(c *ingest.Config) { c.StallTimeout = time.Minute }, ""},
		{"zero batch size", []string{"--batch-size", "0"}, nil, func(c *ingest.Config) { c.BatchSize = 0 }, "batch size 0"},
		{"negative align window", []string{"--align-window", "-1h"}, nil, func(c *ingest.Config) { c.AlignWindow = -time.Hour }, "align window"},
		{"zero stall timeout", []string{"--stall-timeout", "0"}, nil, func(c *ingest.Config) { c.StallTimeout = 0 }, "stall timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			fs := newFlagSet("ingest", "")
			f := addIngestFlags(fs)
			if err := parse(fs, tc.args); err != nil {
				t.Fatal(err)
			}
			cfg, err := f.config()
			if err != nil {
				t.Fatal(err)
			}
			want := ingest.DefaultConfig()
			tc.change(&want)
			got := []any{cfg.BatchSize, cfg.FlushInterval, cfg.AlignWindow, cfg.CatchUpLag, cfg.TopicRefresh,
				cfg.ShutdownTimeout, cfg.MaxRetryInterval, cfg.SessionTimeout, cfg.StallTimeout}
			wanted := []any{want.BatchSize, want.FlushInterval, want.AlignWindow, want.CatchUpLag, want.TopicRefresh,
				want.ShutdownTimeout, want.MaxRetryInterval, want.SessionTimeout, want.StallTimeout}
			if !reflect.DeepEqual(got, wanted) {
				t.Errorf("batch size, flush, align window, catch-up lag, topic refresh, shutdown, max retry, session, stall:\n got %v\nwant %v", got, wanted)
			}
			_, err = ingest.NewConsumer(cfg, nil, nil, nil, nil)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("NewConsumer = %v, want an error with %q", err, tc.err)
			}
		})
	}
}
