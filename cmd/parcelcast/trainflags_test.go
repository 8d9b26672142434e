package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
)

// The train command's list flags default to model.DefaultTrainConfig, as
// the README documents them, and read back what they print.
func TestTrainListFlagDefaults(t *testing.T) {
	def := model.DefaultTrainConfig()
	for _, tt := range []struct {
		name string
		vs   []float64
		want string
	}{
		{"lambdas", def.Lambdas, "0.1,1,10,100,1000"},
		{"target-scales", def.TargetScales, "1,6,24,48"},
		{"half-lives", def.HalfLives, "0"},
		{"fractions", []float64{0.25, 1e-7, 2.5e6}, "0.25,1e-07,2.5e+06"},
		{"one", []float64{3}, "3"},
	} {
		got := formatFloats(tt.vs)
		if got != tt.want {
			t.Errorf("%s: formatFloats = %q, want %q", tt.name, got, tt.want)
		}
		back, err := parseFloats(got)
		if err != nil || !slices.Equal(back, tt.vs) {
			t.Errorf("%s: parseFloats(%q) = %v, %v; want %v", tt.name, got, back, err, tt.vs)
		}
	}
}

// -test-from and -calibration-days default to model.DefaultTrainConfig's
// split and set TrainConfig's; a bad value is refused.
func TestTrainSplitFlags(t *testing.T) {
	def := model.DefaultTrainConfig()
	for _, tt := range []struct {
		name     string
		args     []string
		testFrom time.Time
		days     int
		err      string
	}{
		{name: "defaults", testFrom: def.TestFrom, days: def.CalibrationDays},
		{name: "a date and days", args: []string{"-test-from", "2017-10-01", "-calibration-days", "30"},
			testFrom: time.Date(2017, 10, 1, 0, 0, 0, 0, time.UTC), days: 30},
		{name: "an RFC 3339 time, in UTC", args: []string{"-test-from", "2017-10-01T12:00:00-03:00"},
			testFrom: time.Date(2017, 10, 1, 15, 0, 0, 0, time.UTC)},
		{name: "days only", args: []string{"-calibration-days", "14"}, days: 14},
		{name: "not a date", args: []string{"-test-from", "01/10/2017"}, err: `-test-from: "01/10/2017" is neither a date`},
		{name: "negative days", args: []string{"-calibration-days", "-3"}, err: "-calibration-days: -3 is negative"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFlagSet("train", "")
			f := addSplitFlags(fs, def)
			if err := parse(fs, tt.args); err != nil {
				t.Fatal(err)
			}
			cfg := def
			err := f.apply(&cfg)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("apply = %v, want an error saying %q", err, tt.err)
				}
				return
			}
			if err != nil || !cfg.TestFrom.Equal(tt.testFrom) || cfg.CalibrationDays != tt.days {
				t.Fatalf("apply = %v: test from %s, %d calibration days; want %s, %d", err, cfg.TestFrom, cfg.CalibrationDays, tt.testFrom, tt.days)
			}
			if back, err := parseDay(formatDay(cfg.TestFrom)); err != nil || !back.Equal(cfg.TestFrom) {
				t.Errorf("formatDay(%s) reads back as %s, %v", cfg.TestFrom, back, err)
			}
		})
	}
}

// FuzzParseDay: -test-from never panics, and what it reads formatDay
// writes back to the same instant.
func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"", "2017-10-01", "2017-10-01T12:00:00-03:00", "2017-10-01T00:00:00Z", " 2017-02-30", "01/10/2017", "9999-12-31T23:59:59+14:00", "2017-10-01T12:00:00.5Z", "0001-01-01T00:30:00+01:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDay(s)
		if err != nil {
			return
		}
		back, err := parseDay(formatDay(d))
		if err != nil || !back.Equal(d) {
			t.Fatalf("parseDay(%q) = %s; formatDay gives %q, read back as %s, %v", s, d, formatDay(d), back, err)
		}
	})
}
