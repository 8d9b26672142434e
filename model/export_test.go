package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// SetCensorWeighting turns the calibration's censoring weights on or off
// and returns a func that restores them, so a test can show what they do.
func SetCensorWeighting(on bool) (restore func()) { return swap(&censorWeighting, on) }

// SetRobustRefit turns the least-absolute-deviations refit on or off and
// returns a func that restores it.
func SetRobustRefit(on bool) (restore func()) { return swap(&robustRefitting, on) }

// SetFollowShare sets the seen share from which the interval weighs the
// residuals by their follow-up (above 1: never) and returns a func that
// restores it.
func SetFollowShare(share float64) (restore func()) { return swap(&followShare, share) }

// SetSelectWeighting turns the censoring weights of the penalty choice
// on or off and returns a func that restores them.
func SetSelectWeighting(on bool) (restore func()) { return swap(&selectWeighting, on) }

// SetPeakOwnWeek turns the train rows' own-week peak feature on or off
// and returns a func that restores it.
func SetPeakOwnWeek(on bool) (restore func()) { return swap(&peakOwnWeek, on) }

// SetPeakLearning turns the learned peak weeks on or off (off, the peak
// feature is 0) and returns a func that restores them.
func SetPeakLearning(on bool) (restore func()) { return swap(&peakLearning, on) }

// PeakExcess is the peak feature of a day in a country.
func (p PeakWeeks) PeakExcess(country string, day time.Time) float64 {
	v, _ := p.excess(country, civilDay(day))
	return v
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

// ShortestWindow is the shortest run of bins holding q of total.
var ShortestWindow = shortestWindow

// LearnDayWindows learns the delivery-day windows from train and
// calibrates them on calib, as Train does.
func LearnDayWindows(train, calib []Journey) *DayWindows {
	acc := newDayAcc()
	for i := range train {
		acc.add(&train[i])
	}
	l := acc.finish()
	c := newDayCalib()
	for i := range calib {
		c.add(l, &calib[i])
	}
	return l.finish(c)
}

// ArtifactOf wraps a model's JSON in an artifact with its checksum.
func ArtifactOf(body []byte) ([]byte, error) {
	sum := sha256.Sum256(body)
	return json.Marshal(envelope{Format: formatName, FormatVersion: FormatVersion, SHA256: hex.EncodeToString(sum[:]), Model: body})
}

// SetDriftMargin turns the interval's drift margin on or off and returns
// a func that restores it.
func SetDriftMargin(on bool) (restore func()) { return swap(&driftMargin, on) }

// SetPromiseNormalizing turns the promise residuals' scaling by region on
// or off and returns a func that restores it.
func SetPromiseNormalizing(on bool) (restore func()) { return swap(&promiseNormalizing, on) }

// SetStageSegments turns the residual segments shared by every carrier
// at a stage and horizon on or off and returns a func that restores them.
func SetStageSegments(on bool) (restore func()) { return swap(&stageSegments, on) }

// OnFitRow has fn called with every train row the fit pass adds: its
// shipment and the value the row gives the named feature (0 when it sets
// none). fn is called from every worker at once. It returns a func that
// stops the calls.
func OnFitRow(feature string, fn func(j *Journey, v float64)) (restore func()) {
	was := fitRowSeen
	fitRowSeen = func(e *Encoder, j *Journey, r *Row) {
		v := 0.0
		if i, ok := e.index[feature]; ok {
			for k, x := range r.Idx {
				if int(x) == i {
					v = r.Val[k]
				}
			}
		}
		fn(j, v)
	}
	return func() { fitRowSeen = was }
}

// JourneyFold is the fold (1 or 2) a train shipment's area pairs are
// learned out of, from its tracking number.
func JourneyFold(trackingNumber string) int {
	return journeyFold(&Journey{TrackingNumber: trackingNumber})
}

// PairOf is the area pair's excess over every carrier and service
// between two places (the cspair features' value as served).
func (p AreaPairs) PairOf(o, d schemas.Location) float64 {
	oa, da := Areas(o), Areas(d)
	return p.of(pairAll, &oa, &da)
}

// swap sets *p to v and returns a func that puts the old value back: the
// Set functions' restore.
func swap[T any](p *T, v T) (restore func()) {
	was := *p
	*p = v
	return func() { *p = was }
}

// WithoutRanges is m serving without its feature ranges, as an artifact
// trained before them would.
func WithoutRanges(m *Model) *Model {
	c, e := *m, *m.enc
	e.ranges, c.Ranges, c.enc = nil, nil, &e
	return &c
}

// SetSeasonalDecay turns counting a row's age from the nearer of the
// train slice's end and a year before it on or off and returns a func
// that restores it.
func SetSeasonalDecay(on bool) (restore func()) { return swap(&seasonalDecay, on) }
