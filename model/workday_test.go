package model

import (
	"testing"
	"time"
)

func TestIsWorkday(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name    string
		country string
		date    time.Time
		want    bool
	}{
		{"us monday", "US", day(2026, 11, 30), true},
		{"us saturday", "US", day(2026, 11, 28), false},
		{"us sunday", "US", day(2026, 11, 29), false},
		{"us thanksgiving", "US", day(2026, 11, 26), false},
		{"gb thanksgiving is a working day", "GB", day(2026, 11, 26), true},
		{"de christmas", "DE", day(2026, 12, 25), false},
		{"br carnival monday", "BR", day(2026, 2, 16), false},
		{"no calendar: a weekday", "ZZ", day(2026, 12, 25), true},
		{"no calendar: a weekend", "", day(2026, 12, 26), false},
		// The date's own fields count, not its instant in UTC.
		{"local date", "US", time.Date(2026, 11, 27, 23, 0, 0, 0, time.FixedZone("", -5*3600)), true},
	} {
		if got := IsWorkday(tc.country, tc.date); got != tc.want {
			t.Errorf("%s: IsWorkday(%s, %s) = %v, want %v", tc.name, tc.country, tc.date.Format(time.DateOnly), got, tc.want)
		}
	}
}
