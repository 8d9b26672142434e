package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/model"
)

// splitFlags are train's flags that choose the train, calibration and
// test slices, defaulting to cfg's.
type splitFlags struct {
	testFrom        *string
	calibrationDays *int
}

func addSplitFlags(fs *flag.FlagSet, cfg model.TrainConfig) splitFlags {
	return splitFlags{
		testFrom: fs.String("test-from", formatDay(cfg.TestFrom),
			"start of the test slice, the backtest's cut-off (2017-10-01, or an RFC 3339 time); empty: the newest 20% of shipments by first scan"),
		calibrationDays: fs.Int("calibration-days", cfg.CalibrationDays,
			"days of calibration slice before the test slice; 0: the 10% of shipments before it. The train slice is everything earlier"),
	}
}

// apply sets the split in cfg.
func (f splitFlags) apply(cfg *model.TrainConfig) error {
	t, err := parseDay(*f.testFrom)
	if err != nil {
		return fmt.Errorf("-test-from: %w", err)
	}
	if *f.calibrationDays < 0 {
		return fmt.Errorf("-calibration-days: %d is negative", *f.calibrationDays)
	}
	cfg.TestFrom, cfg.CalibrationDays = t, *f.calibrationDays
	return nil
}

// parseDay reads a date (midnight UTC) or an RFC 3339 time; empty is zero.
func parseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a date (2017-10-01) nor an RFC 3339 time", s)
	}
	if t = t.UTC(); t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, fmt.Errorf("%q is outside the years 1 to 9999 in UTC", s)
	}
	return t, nil
}

// formatDay writes a time as parseDay reads it.
func formatDay(t time.Time) string {
	switch {
	case t.IsZero():
		return ""
	case t.Equal(t.UTC().Truncate(24 * time.Hour)):
		return t.UTC().Format(time.DateOnly)
	}
	return t.UTC().Format(time.RFC3339Nano)
}
