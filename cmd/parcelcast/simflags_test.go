package main

import (
	"testing"
	"time"
)

// The simulation flags: a share of Brazil from 0 to 1, positive
// shipments, RFC 3339 times, the start before -until by -days.
func TestSimFlags(t *testing.T) {
	until := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		args  []string
		share float64
		start time.Time
		err   string
	}{
		{"defaults", nil, 0, time.Time{}, ""},
		{"brazil", []string{"-brazil-share", "0.3"}, 0.3, time.Time{}, ""},
		{"brazil only", []string{"-brazil-share", "1"}, 1, time.Time{}, ""},
		{"share above one", []string{"-brazil-share", "1.5"}, 0, time.Time{}, "-brazil-share"},
		{"negative share", []string{"-brazil-share", "-0.1"}, 0, time.Time{}, "-brazil-share"},
		{"not a number", []string{"-brazil-share", "NaN"}, 0, time.Time{}, "-brazil-share"},
		{"no shipments", []string{"-shipments", "0"}, 0, time.Time{}, "-shipments"},
		{"until", []string{"-until", until.Format(time.RFC3339), "-days", "10"}, 0, until.AddDate(0, 0, -10), ""},
		{"bad start", []string{"-start", "yesterday"}, 0, time.Time{}, "-start"},
		{"bad until", []string{"-until", "2026-03-01"}, 0, time.Time{}, "-until"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFlagSet("simulate", "")
			f := addSimFlags(fs, 100, 28, "")
			if err := parse(fs, tc.args); err != nil {
				t.Fatal(err)
			}
			cfg, err := f.config(until)
			if !wantErr(t, "config()", err, tc.err) {
				return
			}
			if cfg.BrazilShare != tc.share || !cfg.Start.Equal(tc.start) {
				t.Errorf("share %v, start %v; want %v, %v", cfg.BrazilShare, cfg.Start, tc.share, tc.start)
			}
		})
	}
}
