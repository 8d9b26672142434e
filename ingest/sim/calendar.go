package sim

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/us"
)

// The days carriers neither pick up nor deliver. USPS keeps every federal
// holiday; the private carriers close on the six major ones.
var (
	federalHolidays = us.Holidays
	majorHolidays   = []*cal.Holiday{us.NewYear, us.MemorialDay, us.IndependenceDay, us.LaborDay, us.ThanksgivingDay, us.ChristmasDay}
)

// date is a calendar day, comparable and cheap to hash.
type date struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) date {
	y, m, d := t.Date()
	return date{y, m, d}
}

// holidaySet lists the observed dates of holidays in the years from..to.
func holidaySet(hs []*cal.Holiday, from, to int) map[date]bool {
	set := map[date]bool{}
	for y := from; y <= to; y++ {
		for _, h := range hs {
			if _, observed := h.Calc(y); !observed.IsZero() {
				set[dateOf(observed)] = true
			}
		}
	}
	return set
}

// peak is the share of extra volume and delay a day carries: the November
// to December holiday season is the carriers' peak.
func peak(t time.Time) float64 {
	m, d := t.Month(), t.Day()
	switch {
	case m == time.December && d <= 24:
		return 1
	case m == time.November && d >= 15:
		return float64(d-14) / 16 // ramps up through late November
	}
	return 0
}

// weekdayVolume is the relative number of labels created on a weekday.
var weekdayVolume = [7]float64{time.Sunday: 0.25, time.Monday: 1.15, time.Tuesday: 1.1, time.Wednesday: 1.05,
	time.Thursday: 1.0, time.Friday: 0.95, time.Saturday: 0.45}
