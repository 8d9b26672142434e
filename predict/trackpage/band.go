package trackpage

import (
	"time"

	"github.com/parcelcast/parcelcast/predict"
)

// The band's drawing area, in SVG user units.
const (
	bandWidth = 600.0
	bandLeft  = 8.0
	bandRight = bandWidth - 8
)

// band is the arrival window drawn on a small date axis: p10 to p90 as
// a band, the p50 and the promise marked, a day per cell.
type band struct {
	X10, X90, X50, XNow float64
	W                   float64 // X90 - X10
	XPromise            float64
	PromiseAnchor       string // the promise label's text-anchor: start, middle or end, to stay inside
	HasPromise, HasNow  bool
	Days                []dayCell
	Label               string
	// The instants drawn, as the API gives them (RFC 3339, UTC).
	P10, P50, P90, Promise string
}

type dayCell struct {
	X, Mid float64
	Label  string
	Shown  bool
}

// maxBandDays is the longest axis drawn: a promise or a p90 further out
// than that from its start is left off the drawing (the promise is still
// said in words).
const maxBandDays = 21

// newBand lays out the window over whole local days, from the earliest
// of now, the p10 and the promise to the latest of them and the p90, at
// most maxBandDays.
func newBand(loc *Locale, e *predict.Window, promise *time.Time, now time.Time, zone *time.Location) *band {
	p10, p50, p90 := e.P10.In(zone), e.P50.In(zone), e.P90.In(zone)
	if p90.Before(p10) {
		p10, p90 = p90, p10
	}
	p50 = latest(p50, p10)
	if p50.After(p90) {
		p50 = p90
	}
	var prom time.Time
	if promise != nil {
		prom = promise.In(zone)
	}
	first, last := earliest(p10, now), latest(p90, now)
	if !prom.IsZero() {
		first, last = earliest(first, prom), latest(last, prom)
	}
	from := midnight(first)
	limit := from.AddDate(0, 0, maxBandDays)
	to := midnight(earliest(last, limit)).AddDate(0, 0, 1)
	for to.Sub(from) < 3*24*time.Hour {
		to = to.AddDate(0, 0, 1)
	}
	if to.After(limit) {
		to = limit
	}
	span := to.Sub(from).Seconds()
	x := func(t time.Time) float64 {
		f := t.Sub(from).Seconds() / span
		return round1(bandLeft + min(max(f, 0), 1)*(bandRight-bandLeft))
	}
	b := &band{X10: x(p10), X50: x(p50), X90: x(p90), XNow: x(now), HasNow: now.Before(to),
		P10: e.P10.UTC().Format(time.RFC3339), P50: e.P50.UTC().Format(time.RFC3339), P90: e.P90.UTC().Format(time.RFC3339)}
	if b.X90-b.X10 < 3 { // a window of minutes still shows
		b.X90 = b.X10 + 3
	}
	b.W = round1(b.X90 - b.X10)
	days := 0
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		days++
	}
	every := max(1, (days+7)/8)
	i := 0
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		next := d.AddDate(0, 0, 1)
		b.Days = append(b.Days, dayCell{X: x(d), Mid: round1((x(d) + x(next)) / 2), Label: loc.Short(d), Shown: i%every == 0})
		i++
	}
	b.Label = loc.T("band_label") + ": " + loc.T("between") + " " + loc.Day(p10) + ", " + loc.Clock(p10) + " " + loc.T("and") + " " +
		loc.Day(p90) + ", " + loc.Clock(p90) + "; " + loc.T("band_p50") + " " + loc.Day(p50) + ", " + loc.Clock(p50)
	if promise != nil {
		b.Label += "; " + loc.T("band_promise") + " " + loc.Day(prom)
		if prom.Before(to) {
			b.HasPromise, b.XPromise, b.Promise = true, x(prom), promise.UTC().Format(time.RFC3339)
			switch b.PromiseAnchor = "middle"; {
			case b.XPromise < bandLeft+40:
				b.PromiseAnchor = "start"
			case b.XPromise > bandRight-40:
				b.PromiseAnchor = "end"
			}
		}
	}
	return b
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }
