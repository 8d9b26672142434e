package model

import (
	"maps"
	"slices"
)

// DayWindowScore is how the delivery-day windows given at some snapshots
// of the test slice did.
type DayWindowScore struct {
	N int `json:"n"`
	// Coverage is the share delivered on the date given and within the
	// window; OnTheDay the share delivered on that date; CoverageOnTheDay
	// the share within the window of those.
	Coverage         float64 `json:"coverage"`
	OnTheDay         float64 `json:"on_the_day"`
	CoverageOnTheDay float64 `json:"coverage_on_the_day"`
	// MeanHours is the windows' mean length.
	MeanHours float64 `json:"mean_hours"`
}

// DayWindowScores are the scores of the two kinds of window.
type DayWindowScores struct {
	OutForDelivery DayWindowScore `json:"out_for_delivery"`
	ETADay         DayWindowScore `json:"eta_day"`
}

// DayWindowMetrics are the delivery-day windows' backtest: once out for
// delivery (at every out-for-delivery scan) and before (at every earlier
// snapshot, for its ETA day), overall, by carrier, and, out for
// delivery, by the level the window came from.
type DayWindowMetrics struct {
	DayWindowScores
	ByCarrier map[string]DayWindowScores `json:"by_carrier,omitempty"`
	ByLevel   map[string]DayWindowScore  `json:"out_for_delivery_by_level,omitempty"`
}

type dayScoreAcc struct{ n, onDay, in, minutes float64 }

func (a *dayScoreAcc) add(w DeliveryWindow, d delivery) {
	a.n++
	a.minutes += float64(w.End - w.Start)
	if int64(d.day)*86400 != w.Date.Unix() {
		return
	}
	a.onDay++
	if m := d.bin * dayBinMinutes; m >= w.Start && m < w.End {
		a.in++
	}
}

func (a *dayScoreAcc) merge(o *dayScoreAcc) {
	a.n += o.n
	a.onDay += o.onDay
	a.in += o.in
	a.minutes += o.minutes
}

func (a *dayScoreAcc) score() DayWindowScore {
	if a.n == 0 {
		return DayWindowScore{}
	}
	s := DayWindowScore{N: int(a.n), Coverage: a.in / a.n, OnTheDay: a.onDay / a.n, MeanHours: a.minutes / a.n / 60}
	if a.onDay > 0 {
		s.CoverageOnTheDay = a.in / a.onDay
	}
	return s
}

// dayBacktest scores the windows of the test slice's snapshots.
type dayBacktest struct {
	ofd, eta           dayScoreAcc
	carrierOFD, carETA map[string]*dayScoreAcc
	level              map[string]*dayScoreAcc
}

func newDayBacktest() *dayBacktest {
	return &dayBacktest{carrierOFD: map[string]*dayScoreAcc{}, carETA: map[string]*dayScoreAcc{}, level: map[string]*dayScoreAcc{}}
}

func accOf(m map[string]*dayScoreAcc, k string) *dayScoreAcc {
	a, ok := m[k]
	if !ok {
		a = &dayScoreAcc{}
		m[k] = a
	}
	return a
}

// add scores the window m gives at snapshot s (with p50 its ETA, hours,
// and cells its lane's) against the journey's delivery d.
func (b *dayBacktest) add(m *Model, s *Snapshot, p50 float64, d delivery, cells *dayCellCache) {
	w, ok := m.dayWindow(s, Prediction{P50: p50}, cells)
	if !ok {
		return
	}
	if w.Basis == BasisOutForDelivery {
		b.ofd.add(w, d)
		accOf(b.carrierOFD, s.Carrier).add(w, d)
		accOf(b.level, w.Level).add(w, d)
		return
	}
	b.eta.add(w, d)
	accOf(b.carETA, s.Carrier).add(w, d)
}

func (b *dayBacktest) merge(o *dayBacktest) {
	b.ofd.merge(&o.ofd)
	b.eta.merge(&o.eta)
	for _, p := range [][2]map[string]*dayScoreAcc{{b.carrierOFD, o.carrierOFD}, {b.carETA, o.carETA}, {b.level, o.level}} {
		for k, a := range p[1] {
			accOf(p[0], k).merge(a)
		}
	}
}

func (b *dayBacktest) fill(m *Metrics) {
	dm := DayWindowMetrics{DayWindowScores: DayWindowScores{OutForDelivery: b.ofd.score(), ETADay: b.eta.score()},
		ByCarrier: map[string]DayWindowScores{}, ByLevel: map[string]DayWindowScore{}}
	carriers := slices.Sorted(maps.Keys(b.carrierOFD))
	carriers = append(carriers, slices.Sorted(maps.Keys(b.carETA))...)
	for _, c := range carriers {
		var s DayWindowScores
		if a, ok := b.carrierOFD[c]; ok {
			s.OutForDelivery = a.score()
		}
		if a, ok := b.carETA[c]; ok {
			s.ETADay = a.score()
		}
		dm.ByCarrier[c] = s
	}
	for k, a := range b.level {
		dm.ByLevel[k] = a.score()
	}
	m.DayWindow = dm
}
