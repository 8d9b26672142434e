package model

import (
	"testing"
	"time"
)

func TestBusinessDaysBetween(t *testing.T) {
	// 2026-11-23 is a Monday; 2026-11-26 is Thanksgiving in the US.
	mon := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		country string
		from    time.Time
		to      time.Time
		offset  int
		want    int
	}{
		{"same day", "US", mon, mon.Add(5 * time.Hour), 0, 0},
		{"before", "US", mon, mon.Add(-48 * time.Hour), 0, 0},
		{"next day", "US", mon, mon.Add(24 * time.Hour), 0, 1},
		{"over Thanksgiving", "US", mon, mon.Add(4 * 24 * time.Hour), 0, 3},
		{"no holiday in Germany", "DE", mon, mon.Add(4 * 24 * time.Hour), 0, 4},
		{"no calendar: weekdays", "", mon, mon.Add(4 * 24 * time.Hour), 0, 4},
		{"over a weekend", "US", mon.Add(4 * 24 * time.Hour), mon.Add(7 * 24 * time.Hour), 0, 1},
		// 23:30 UTC Monday is Tuesday in Tokyo: Tuesday to Wednesday.
		{"local day", "JP", mon.Add(8*time.Hour + 30*time.Minute), mon.Add(33 * time.Hour), 540, 1},
		{"local day, UTC", "JP", mon.Add(8*time.Hour + 30*time.Minute), mon.Add(33 * time.Hour), 0, 2},
	} {
		if got := BusinessDaysBetween(tc.country, tc.from, tc.to, tc.offset); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}
