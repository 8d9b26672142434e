package model

import (
	"sync"
	"time"

	"github.com/rickar/cal/v2/us"
)

// The calendar the features see: US federal holidays (observed dates) and
// the carriers' peak season, precomputed as day bitmaps for calendarFrom
// to calendarTo. Days outside that range are ordinary days.
const (
	calendarFrom = 1990
	calendarTo   = 2100
)

var calendarEpoch = civilDay(time.Date(calendarFrom, 1, 1, 0, 0, 0, 0, time.UTC))

// calendarBits are the day bitmaps, built on first use (training or the
// first prediction), not when a binary that imports the package starts.
var calendarBits = sync.OnceValue(func() (bits struct{ holidays, peak []uint64 }) {
	n := civilDay(time.Date(calendarTo+1, 1, 1, 0, 0, 0, 0, time.UTC)) - calendarEpoch
	bits.holidays = make([]uint64, n/64+1)
	bits.peak = make([]uint64, n/64+1)
	mark := func(b []uint64, t time.Time) {
		d := civilDay(t) - calendarEpoch
		b[d/64] |= 1 << (d % 64)
	}
	for y := calendarFrom; y <= calendarTo; y++ {
		for _, h := range us.Holidays {
			if _, observed := h.Calc(y); !observed.IsZero() {
				mark(bits.holidays, observed)
			}
		}
		// Peak season: from the Monday of Thanksgiving week to Christmas Eve.
		_, thanksgiving := us.ThanksgivingDay.Calc(y)
		for d := thanksgiving.AddDate(0, 0, -3); d.Month() != time.December || d.Day() <= 24; d = d.AddDate(0, 0, 1) {
			mark(bits.peak, d)
		}
	}
	return bits
})

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

// isHoliday reports whether a civil day is a US federal holiday (observed).
func isHoliday(day int32) bool { return testBit(calendarBits().holidays, day) }

// inPeakDay reports whether a civil day is in the carriers' peak season.
func inPeakDay(day int32) bool { return testBit(calendarBits().peak, day) }

// peakSeason is 1 during the carriers' peak season, else 0.
func peakSeason(local time.Time) float64 {
	if inPeakDay(civilDay(local)) {
		return 1
	}
	return 0
}
