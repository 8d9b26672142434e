package model

import "time"

const nsPerDay = int64(24 * time.Hour)

// WorkingHours is the working time of a country (ISO code) from `from` to
// `to`: the hours of its working days (IsWorkday), read at the local
// offset offsetMinutes, so a weekend or a holiday is not counted. A fixed
// offset has no daylight saving: every local day is 24 hours, so the days
// are counted on the clock's nanoseconds, without a time zone.
func WorkingHours(country string, offsetMinutes int, from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	c := calendarOf(country)
	off := int64(offsetMinutes) * int64(time.Minute)
	a, b := from.UnixNano()+off, to.UnixNano()+off
	var d int64
	for day := floorDiv(a, nsPerDay); day*nsPerDay < b; day++ {
		if !c.isWorkday(int32(day)) {
			continue
		}
		d += min(b, (day+1)*nsPerDay) - max(a, day*nsPerDay)
	}
	return time.Duration(d)
}

// AddWorkingHours is the instant `work` of working time after from (see
// WorkingHours); at most a year of calendar days is walked.
func AddWorkingHours(country string, offsetMinutes int, from time.Time, work time.Duration) time.Time {
	c := calendarOf(country)
	off := int64(offsetMinutes) * int64(time.Minute)
	t := from.UnixNano() + off
	w := int64(work)
	for range 366 {
		day := floorDiv(t, nsPerDay)
		next := (day + 1) * nsPerDay
		if c.isWorkday(int32(day)) {
			if w <= next-t {
				return time.Unix(0, t+w-off).UTC()
			}
			w -= next - t
		}
		t = next
	}
	return time.Unix(0, t+w-off).UTC()
}

// floorDiv is a/b rounded down (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
