package model

import (
	"math"
	"time"
)

// The calibration's follow-up: a shipment of the calibration slice that
// was still in flight at the cut-off says only that its delivery was
// later. The interval takes that into account residual by residual
// (kmHist); the counts here measure how much of the slice the cut-off
// hides. Each delivery seen is weighted by the inverse of the chance that
// a delivery as far off as its own was seen before the cut-off (inverse
// probability of censoring weights); that chance, G, is a Kaplan–Meier
// estimate over the snapshots' follow-up: a delivered snapshot leaves the
// risk set at its delivery, an in-flight one is censored at the cut-off.
// The weights' sum against the snapshots' number is the seen share.

// censorDays bounds the follow-up bins (one a day); later ones share the
// last bin.
const censorDays = 90

// minCensorSurvival caps the weights at its inverse, so that a few late
// deliveries seen near the start of the slice cannot carry it alone.
const minCensorSurvival = 0.1

// censorWeighting is off only in the test that shows what counting the
// snapshots in flight changes: off, the interval reads the deliveries
// seen alone (the penalty choice has selectWeighting).
var censorWeighting = true

// followShare is the seen share (censoring.seenShare) of the calibration
// snapshots from which the interval weighs each delivered residual by its
// follow-up's censoring weight rather than estimating the residuals'
// distribution by Kaplan–Meier. The weights are unbiased when the slice
// shows the deliveries its snapshots will have, and cannot stand for those
// later than the slice is long; Kaplan–Meier on the residuals places those
// above their bounds, but takes the bounds as independent of the residuals,
// which they are not where a segment mixes near and far deliveries (a
// far one is censored at a lower residual, and its residuals spread less
// on the log scale), and then widens the interval.
var followShare = 0.85

// selectWeighting is off only in the test that shows what weighing the
// penalty choice's errors by the censoring changes: off, every delivery
// seen counts once.
var selectWeighting = true

// followDay is the follow-up bin of a span of hours.
func followDay(hours float64) int {
	return min(censorDays-1, max(0, int(hours/24)))
}

// censoring counts, per follow-up day, the snapshots censored at the
// cut-off (still in flight) and the ones whose delivery was seen.
type censoring struct {
	censored, delivered [censorDays]float64
}

// inFlight counts the snapshots of a journey still in flight at asOf:
// each one's follow-up ends there.
func (c *censoring) inFlight(j *Journey, asOf time.Time) {
	for _, sc := range j.Scans {
		if !sc.Time.Before(asOf) {
			break
		}
		c.censored[followDay(asOf.Sub(sc.Time).Hours())]++
	}
}

// seen counts a snapshot whose delivery came hoursLeft later, before the
// cut-off.
func (c *censoring) seen(hoursLeft float64) { c.delivered[followDay(hoursLeft)]++ }

func (c *censoring) merge(o *censoring) {
	for d := range c.censored {
		c.censored[d] += o.censored[d]
		c.delivered[d] += o.delivered[d]
	}
}

// weights are, per follow-up day, the inverse of G just before that day:
// the chance that a snapshot's follow-up lasted that long.
func (c *censoring) weights() [censorDays]float64 {
	var atRisk float64
	for d := range c.censored {
		atRisk += c.censored[d] + c.delivered[d]
	}
	var w [censorDays]float64
	g := 1.0
	for d := range c.censored {
		w[d] = 1 / math.Max(g, minCensorSurvival)
		if atRisk > 0 {
			g *= 1 - c.censored[d]/atRisk
		}
		atRisk -= c.censored[d] + c.delivered[d]
	}
	return w
}

// seenShare is the share of all snapshots (delivered and in flight) the
// weighted deliveries stand for: below 1 when deliveries later than the
// slice can hold, or than the weights' cap, are missing.
func (c *censoring) seenShare(wt *[censorDays]float64) float64 {
	var all, seen float64
	for d := range c.censored {
		all += c.censored[d] + c.delivered[d]
		seen += c.delivered[d] * wt[d]
	}
	if all == 0 {
		return 1
	}
	return seen / all
}
