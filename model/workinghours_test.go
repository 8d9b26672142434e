package model_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
)

// naiveWorking walks the local days of a fixed-offset zone with the time
// package: what WorkingHours computes on the clock's nanoseconds.
func naiveWorking(country string, offsetMinutes int, from, to time.Time) time.Duration {
	zone := time.FixedZone("", offsetMinutes*60)
	var d time.Duration
	for t := from.In(zone); t.Before(to); {
		y, m, dd := t.Date()
		next := time.Date(y, m, dd+1, 0, 0, 0, 0, zone)
		end := next
		if to.Before(end) {
			end = to
		}
		if model.IsWorkday(country, t) {
			d += end.Sub(t)
		}
		t = next
	}
	return d
}

func TestWorkingHoursAgainstTheCalendar(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC)
	for i := range 5000 {
		country := [...]string{"US", "BR", "DE", "ZZ"}[i%4]
		off := (r.IntN(27) - 12) * 60
		if i%7 == 0 {
			off += 30 // half-hour zones
		}
		from := base.Add(time.Duration(r.Int64N(int64(60 * 24 * time.Hour))))
		to := from.Add(time.Duration(r.Int64N(int64(15 * 24 * time.Hour))))
		want := naiveWorking(country, off, from, to)
		if got := model.WorkingHours(country, off, from, to); got != want {
			t.Fatalf("%s %+d min, %v → %v: %v working, want %v", country, off, from, to, got, want)
		}
		if want > 0 {
			if back := model.AddWorkingHours(country, off, from, want); back.After(to) || naiveWorking(country, off, from, back) != want {
				t.Fatalf("%s %+d min: AddWorkingHours(%v, %v) = %v, to %v", country, off, from, want, back, to)
			}
		}
	}
	if got := model.WorkingHours("US", -300, base, base.Add(-time.Hour)); got != 0 {
		t.Errorf("backwards: %v", got)
	}
}
