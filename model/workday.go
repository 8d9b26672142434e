package model

import "time"

// IsWorkday reports whether date's calendar day (its date fields as they
// read, whatever its location) is a working day in the country (ISO
// code): Monday to Friday but the national holidays, every weekday for a
// country without a calendar.
func IsWorkday(country string, date time.Time) bool {
	return calendarOf(country).isWorkday(civilDay(date))
}
