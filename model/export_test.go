package model

import "time"

// SetCensorWeighting turns the calibration's censoring weights on or off
// and returns a func that restores them, so a test can show what they do.
func SetCensorWeighting(on bool) (restore func()) {
	was := censorWeighting
	censorWeighting = on
	return func() { censorWeighting = was }
}

// SetPeakLearning turns the learned peak weeks on or off (off, the peak
// feature is 0) and returns a func that restores them.
func SetPeakLearning(on bool) (restore func()) {
	was := peakLearning
	peakLearning = on
	return func() { peakLearning = was }
}

// PeakExcess is the peak feature of a day in a country.
func (p PeakWeeks) PeakExcess(country string, day time.Time) float64 {
	return p.excess(country, civilDay(day))
}

// CensorWeights are the censoring weights, per follow-up day, of the
// snapshots counted censored (in flight) and delivered per day.
func CensorWeights(censored, delivered []float64) []float64 {
	var c censoring
	copy(c.censored[:], censored)
	copy(c.delivered[:], delivered)
	w := c.weights()
	return w[:]
}

// DecayWeight is a training row's time-decay weight.
var DecayWeight = decayWeight

// SetDriftMargin turns the interval's drift margin on or off and returns
// a func that restores it.
func SetDriftMargin(on bool) (restore func()) {
	was := driftMargin
	driftMargin = on
	return func() { driftMargin = was }
}

// SetPromiseNormalizing turns the promise residuals' scaling by region on
// or off and returns a func that restores it.
func SetPromiseNormalizing(on bool) (restore func()) {
	was := promiseNormalizing
	promiseNormalizing = on
	return func() { promiseNormalizing = was }
}
