package model

import "time"

// WorkingHours is the working time of a country (ISO code) from `from` to
// `to`: the hours of its working days (IsWorkday), read at the local
// offset offsetMinutes, so a weekend or a holiday is not counted.
func WorkingHours(country string, offsetMinutes int, from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	c := calendarOf(country)
	zone := time.FixedZone("", offsetMinutes*60)
	var d time.Duration
	for t := from.In(zone); t.Before(to); {
		next := nextMidnight(t)
		end := next
		if to.Before(end) {
			end = to
		}
		if c.isWorkday(civilDay(t)) {
			d += end.Sub(t)
		}
		t = next
	}
	return d
}

// AddWorkingHours is the instant `work` of working time after from (see
// WorkingHours); at most a year of calendar days is walked.
func AddWorkingHours(country string, offsetMinutes int, from time.Time, work time.Duration) time.Time {
	c := calendarOf(country)
	zone := time.FixedZone("", offsetMinutes*60)
	t := from.In(zone)
	for range 366 {
		next := nextMidnight(t)
		if c.isWorkday(civilDay(t)) {
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
