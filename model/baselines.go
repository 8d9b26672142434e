package model

import (
	"math"
	"time"
)

// Baseline names, as they appear in metrics and reports.
const (
	BaselineStandard   = "carrier_standard"
	BaselineLaneMedian = "lane_median"
	BaselineLaneMode   = "lane_mode"
)

// BaselineNames lists the baselines in report order.
var BaselineNames = []string{BaselineStandard, BaselineLaneMedian, BaselineLaneMode}

// baselineKind indexes per-baseline arrays, in BaselineNames order.
type baselineKind int

const (
	standardBaseline baselineKind = iota
	laneMedianBaseline
	laneModeBaseline
	baselineKinds // how many there are
)

// perBaseline holds one value per baseline, indexed by baselineKind.
type perBaseline [baselineKinds]float64

// Baselines are the estimates a model must beat, learned from the train
// slice only.
type Baselines struct {
	// LaneMedianHours is the median transit (first scan to delivery) per
	// lane key (see baselineKeys).
	LaneMedianHours map[string]float64 `json:"lane_median_hours"`
	// LaneModeHours is the most common transit in whole days per lane key,
	// recent shipments weighing more (half-life ModeHalfLifeDays), as the
	// middle of that day.
	LaneModeHours    map[string]float64 `json:"lane_mode_hours"`
	ModeHalfLifeDays float64            `json:"mode_half_life_days"`
	// StandardDays is the service's standard in business days, used by the
	// carrier-standard baseline when a shipment has no promised date. A
	// service without one (a name outside the canonical taxonomy, kept as
	// the feed gave it) has no standard: the baseline abstains there.
	StandardDays map[string]int `json:"standard_days"`
}

// defaultStandardDays are the carriers' published standards for the
// service names of the canonical taxonomy (the slower end of a range).
var defaultStandardDays = map[string]int{
	"overnight": 1, "2day": 2, "3day": 3, "ground": 5, "economy": 7, "international": 5, "freight": 5,
}

// baselineKey are a snapshot's lane baseline keys, from most to least
// specific: the lane between its regions (the areas of the lane
// features), between its countries, then the carrier's service, then
// everything; the lane baselines take the most specific one the train
// slice has. The postal-prefix lanes are left out, so that the baseline
// stays the region-lane median the model has been measured against; a
// postal-prefix median is a stronger baseline on simulated history,
// where a prefix is one city (docs/model.md has both).
type baselineKey [areaPostal + 2]string

// baselineKeys are the lane keys of s from most to least specific.
func baselineKeys(s *Snapshot) baselineKey {
	lanes := laneKeysOfSnapshot(s)
	var k baselineKey
	for l := range areaPostal {
		k[areaPostal-1-l] = lanes[l]
	}
	k[areaPostal] = Lane(s.Carrier, s.Service, "*", "*")
	k[areaPostal+1] = Lane("*", "*", "*", "*")
	return k
}

// baselineKeysOf is baselineKeys for every snapshot of a journey.
func baselineKeysOf(j *Journey) baselineKey {
	s := j.snapshot()
	return baselineKeys(&s)
}

// laneTransits are the transit hours the lane baselines expect of one
// journey. A baseline with no key of the journey's lane expects nothing
// (NaN).
type laneTransits struct{ median, mode float64 }

// laneTransitsOf looks up a journey's lane keys (baselineKeys), most
// specific first: once per journey, not per snapshot.
func (b *Baselines) laneTransitsOf(keys baselineKey) laneTransits {
	return laneTransits{median: firstKnown(b.LaneMedianHours, keys), mode: firstKnown(b.LaneModeHours, keys)}
}

// firstKnown is the hours of the first key m knows, or NaN.
func firstKnown(m map[string]float64, keys baselineKey) float64 {
	for _, k := range keys {
		if h, ok := m[k]; ok && k != "" {
			return h
		}
	}
	return math.NaN()
}

// estimates are every baseline's estimate of the hours left from
// snapshot s; lane is the journey's laneTransits. A lane baseline that
// knows no transit for the lane estimates 0; the carrier standard
// abstains (NaN) where there is neither a promise nor a standard.
func (b *Baselines) estimates(lane laneTransits, s *Snapshot) perBaseline {
	left := func(h float64) float64 {
		if math.IsNaN(h) {
			return 0
		}
		return math.Max(h-s.ElapsedHours, 0)
	}
	return perBaseline{
		standardBaseline:   b.standard(s),
		laneMedianBaseline: left(lane.median),
		laneModeBaseline:   left(lane.mode),
	}
}

// standard is the hours to the carrier's promise, or else to 20:00 local
// on the service's standard number of business days after the first
// scan; NaN when the service has no standard.
func (b *Baselines) standard(s *Snapshot) float64 {
	return hoursTo(b.standardDeadline(s), s)
}

// hoursTo is the hours from s to a deadline (0 once passed), NaN for no
// deadline (the zero time).
func hoursTo(deadline time.Time, s *Snapshot) float64 {
	if deadline.IsZero() {
		return math.NaN()
	}
	return math.Max(deadline.Sub(s.At).Hours(), 0)
}

// standardDeadline is the carrier's promise, or else 20:00 local on the
// service's standard number of business days after the first scan; the
// zero time when the service has no standard.
func (b *Baselines) standardDeadline(s *Snapshot) time.Time {
	if !s.Promised.IsZero() {
		return s.Promised
	}
	days, ok := b.StandardDays[s.Service]
	if !ok {
		return time.Time{}
	}
	off := time.Duration(s.OffsetMinutes) * time.Minute
	first := s.At.Add(-time.Duration(s.ElapsedHours * float64(time.Hour))).Add(off).UTC()
	c := s.calendar()
	day := civilDay(first)
	for n := 0; n < days; {
		day++
		if c.isWorkday(day) {
			n++
		}
	}
	return time.Unix(int64(day)*86400+20*3600, 0).UTC().Add(-off)
}

// baselineAcc learns the lane baselines in one pass over the train slice.
type baselineAcc struct {
	trainTo  time.Time
	halfLife float64
	median   map[string]*hist
	mode     map[string]*hist
}

func newBaselineAcc(trainTo time.Time) *baselineAcc {
	return &baselineAcc{trainTo: trainTo, halfLife: 30, median: map[string]*hist{}, mode: map[string]*hist{}}
}

// add records one shipment's transit from its first snapshot.
func (a *baselineAcc) add(s *Snapshot, transitHours float64) {
	age := a.trainTo.Sub(s.At).Hours() / 24
	w := math.Exp2(-math.Max(age, 0) / a.halfLife)
	keys := baselineKeys(s)
	for i, k := range keys {
		if k == "" || i > 0 && k == keys[i-1] { // a level that adds nothing counts once
			continue
		}
		h, ok := a.median[k]
		if !ok {
			h = newHist(0, 60*24, 1)
			a.median[k] = h
			a.mode[k] = newHist(0, 60*24, 24)
		}
		h.add(transitHours, 1)
		a.mode[k].add(transitHours, w)
	}
}

func (a *baselineAcc) merge(o *baselineAcc) {
	for k, h := range o.median {
		if mine, ok := a.median[k]; ok {
			mine.merge(h)
			a.mode[k].merge(o.mode[k])
		} else {
			a.median[k], a.mode[k] = h, o.mode[k]
		}
	}
}

func (a *baselineAcc) finish() Baselines {
	b := Baselines{LaneMedianHours: map[string]float64{}, LaneModeHours: map[string]float64{},
		ModeHalfLifeDays: a.halfLife, StandardDays: defaultStandardDays}
	for k, h := range a.median {
		b.LaneMedianHours[k] = h.quantile(0.5)
		b.LaneModeHours[k] = a.mode[k].mode()
	}
	return b
}
