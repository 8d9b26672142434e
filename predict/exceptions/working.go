package exceptions

import (
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/model"
)

// WorkingSince is the working time of a country from `from` to `to`: the
// hours of its working days (Monday to Friday but its holidays), read at
// the local offset offsetMinutes, so a weekend or a holiday does not
// count as silence.
func WorkingSince(country string, offsetMinutes int, from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	zone := time.FixedZone("", offsetMinutes*60)
	var d time.Duration
	for t := from.In(zone); t.Before(to); {
		next := nextMidnight(t)
		end := next
		if to.Before(end) {
			end = to
		}
		if workday(country, t) {
			d += end.Sub(t)
		}
		t = next
	}
	return d
}

// AddWorking is the instant `work` of working time after from (see
// WorkingSince); at most a year of calendar days is walked.
func AddWorking(country string, offsetMinutes int, from time.Time, work time.Duration) time.Time {
	zone := time.FixedZone("", offsetMinutes*60)
	t := from.In(zone)
	for range 366 {
		next := nextMidnight(t)
		if workday(country, t) {
			left := next.Sub(t)
			if work <= left {
				return t.Add(work).UTC()
			}
			work -= left
		}
		t = next
	}
	return t.Add(work).UTC()
}

func nextMidnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}

// workday reports whether t's civil day is a working day of the country:
// the model counts it as one business day after the day before.
func workday(country string, t time.Time) bool {
	return model.BusinessDays(strings.ToUpper(country), t.AddDate(0, 0, -1), t) == 1
}
