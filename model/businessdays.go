package model

import "time"

// BusinessDaysBetween counts the working days of a country (ISO code;
// Monday to Friday but its national holidays, or every weekday for a
// country without a calendar) after from's local day up to and including
// to's, both read at the local offset offsetMinutes: how many working days
// a parcel due at to still has to go at from. It is 0 when to is on from's
// day or before it.
func BusinessDaysBetween(country string, from, to time.Time, offsetMinutes int) int {
	zone := time.FixedZone("", offsetMinutes*60)
	a, b := civilDay(from.In(zone)), civilDay(to.In(zone))
	c := calendarOf(country)
	n := 0
	for d := a + 1; d <= b; d++ {
		if c.isWorkday(d) {
			n++
		}
	}
	return n
}
