package model

import (
	"sync"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/ar"
	"github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/be"
	"github.com/rickar/cal/v2/br"
	"github.com/rickar/cal/v2/ca"
	"github.com/rickar/cal/v2/ch"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/jp"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/nz"
	"github.com/rickar/cal/v2/us"
)

// The calendars the features and the carrier-standard baseline see: each
// country's national holidays (observed dates), precomputed as day
// bitmaps for calendarFrom to calendarTo, and the carriers' peak season.
// Days outside that range are ordinary days. Working days are Monday to
// Friday everywhere.
const (
	calendarFrom = 1990
	calendarTo   = 2100
)

var calendarEpoch = civilDay(time.Date(calendarFrom, 1, 1, 0, 0, 0, 0, time.UTC))

// calendarID numbers a country's calendar; noCalendar, the fallback for
// a country without one (or none given), has no holidays.
type calendarID uint8

const noCalendar calendarID = 0

// carnavalMonday is the Monday of Carnival, 48 days before Easter: with
// the Tuesday (br.Carnaval) a day off across Brazil that the national list
// leaves out.
var carnavalMonday = &cal.Holiday{Name: "Carnaval (segunda-feira)", Type: cal.ObservancePublic,
	Offset: -48, Func: cal.CalcEasterOffset}

// calendarCountries are the countries with a holiday calendar, by ISO
// code; their index is their calendarID. The list covers the countries
// the simulator ships to and the marketplaces imported so far.
var calendarCountries = []struct {
	code     string
	holidays []*cal.Holiday
}{
	{"", nil},
	{"US", us.Holidays},
	{"BR", append(append([]*cal.Holiday{}, br.Holidays...), carnavalMonday)},
	{"CA", ca.Holidays},
	{"MX", nil}, // not in the calendar library: the fallback, no holidays
	{"GB", gb.Holidays},
	{"IE", ie.Holidays},
	{"DE", de.Holidays},
	{"FR", fr.Holidays},
	{"ES", es.Holidays},
	{"IT", it.Holidays},
	{"NL", nl.Holidays},
	{"BE", be.Holidays},
	{"AT", at.Holidays},
	{"CH", ch.Holidays},
	{"AR", ar.Holidays},
	{"JP", jp.Holidays},
	{"NZ", nz.Holidays},
}

var calendarByCode = func() map[string]calendarID {
	m := make(map[string]calendarID, len(calendarCountries))
	for i, c := range calendarCountries {
		m[c.code] = calendarID(i)
	}
	return m
}()

// calendarOf is the calendar of an ISO country code (upper case, as Areas
// writes it); noCalendar for a country without one.
func calendarOf(country string) calendarID {
	if id, ok := calendarByCode[country]; ok {
		return id
	}
	return noCalendar
}

// calendar is the calendar of the snapshot's destination country.
// A snapshot built from a region area alone (no DestAreas) takes the
// country from the area's leading letters.
func (s *Snapshot) calendar() calendarID {
	if c := s.DestAreas[areaCountry]; c != "" {
		return calendarOf(c)
	}
	return calendarOf(areaCountryCode(s.DestArea))
}

// areaCountryCode is the leading letters of an area ("US1" → "US",
// "BR-SP:013" → "BR").
func areaCountryCode(area string) string {
	n := 0
	for n < len(area) && area[n] >= 'A' && area[n] <= 'Z' {
		n++
	}
	return area[:n]
}

// holidayBits are each calendar's holiday bitmap, built on first use of
// that calendar (training or the first prediction), not when a binary
// that imports the package starts.
var holidayBits = func() []func() []uint64 {
	fs := make([]func() []uint64, len(calendarCountries))
	for i, c := range calendarCountries {
		fs[i] = sync.OnceValue(func() []uint64 { return dayBits(c.holidays) })
	}
	return fs
}()

// dayBits marks the observed dates of holidays from calendarFrom to
// calendarTo.
func dayBits(holidays []*cal.Holiday) []uint64 {
	n := civilDay(time.Date(calendarTo+1, 1, 1, 0, 0, 0, 0, time.UTC)) - calendarEpoch
	b := make([]uint64, n/64+1)
	for y := calendarFrom; y <= calendarTo; y++ {
		for _, h := range holidays {
			if _, observed := h.Calc(y); !observed.IsZero() {
				markBit(b, civilDay(observed))
			}
		}
	}
	return b
}

// peakBits is the US carriers' peak season, from the Monday of
// Thanksgiving week to Christmas Eve, built on first use. Only the
// interval's peak scale uses it; the peak feature is learned (PeakWeeks).
var peakBits = sync.OnceValue(func() []uint64 {
	n := civilDay(time.Date(calendarTo+1, 1, 1, 0, 0, 0, 0, time.UTC)) - calendarEpoch
	b := make([]uint64, n/64+1)
	for y := calendarFrom; y <= calendarTo; y++ {
		_, thanksgiving := us.ThanksgivingDay.Calc(y)
		for d := thanksgiving.AddDate(0, 0, -3); d.Month() != time.December || d.Day() <= 24; d = d.AddDate(0, 0, 1) {
			markBit(b, civilDay(d))
		}
	}
	return b
})

func markBit(b []uint64, day int32) {
	d := day - calendarEpoch
	b[d/64] |= 1 << (d % 64)
}

// civilDay numbers the calendar day of a wall-clock time (its date fields
// as they read, whatever its location) in days since 1970-01-01.
func civilDay(t time.Time) int32 {
	y, m, d := t.Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func testBit(bits []uint64, day int32) bool {
	d := day - calendarEpoch
	if d < 0 || int(d/64) >= len(bits) {
		return false
	}
	return bits[d/64]&(1<<(d%64)) != 0
}

// holidays is the holiday bitmap of a calendar.
func (c calendarID) holidays() []uint64 { return holidayBits[c]() }

// isHoliday reports whether a civil day is a national holiday (observed)
// in the calendar's country.
func (c calendarID) isHoliday(day int32) bool { return testBit(c.holidays(), day) }

// isWorkday reports whether a civil day is a working day in the
// calendar's country: Monday to Friday and not a holiday.
func (c calendarID) isWorkday(day int32) bool {
	wd := (day%7 + 7 + 4) % 7 // 1970-01-01 was a Thursday
	return wd != 0 && wd != 6 && !c.isHoliday(day)
}

// inPeakDay reports whether a civil day is in the carriers' peak season.
func inPeakDay(day int32) bool { return testBit(peakBits(), day) }

// peakSeason is 1 during the carriers' peak season, else 0.
func peakSeason(local time.Time) float64 {
	if inPeakDay(civilDay(local)) {
		return 1
	}
	return 0
}
