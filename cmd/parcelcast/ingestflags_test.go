package main

import (
	"strings"
	"testing"

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
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("config() = %v, want an error with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
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
