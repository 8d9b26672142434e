package model

import (
	"fmt"
	"math"
	"sort"
)

// Promises: a commit date for a target on-time rate. The commit of
// target τ is the estimate shifted by the τ quantile of the calibration
// residuals (each level with its sampling margin, as the interval's), so
// it gives the least slack the calibration slice says holds τ. The
// backtest scores it at each shipment's first snapshot, when an order is
// placed and its promise made, beside the promise the history itself
// carries (the carrier's or the merchant's).

// promiseNormalizing is off only in the tests that show what the
// promise's spread by region changes.
var promiseNormalizing = true

// PromiseTargets are the on-time rates the backtest draws the promise
// curve at.
var PromiseTargets = []float64{0.80, 0.85, 0.90, 0.95, 0.96, 0.97, 0.98, 0.99}

// DefaultPromiseTarget is the commit's on-time rate unless told
// otherwise: the p95.
const DefaultPromiseTarget = 0.95

// checkPromiseTarget refuses a target the residual levels do not reach.
func checkPromiseTarget(t float64) error {
	lo, hi := ResidualLevels[levelP50], ResidualLevels[len(ResidualLevels)-1]
	if !(t >= lo && t <= hi) {
		return fmt.Errorf("promise target %g: want an on-time rate from %g to %g", t, lo, hi)
	}
	return nil
}

// levelAt is the value at level l of q, one value per ResidualLevels (a
// fit's residual quantiles, or a prediction on its target scale),
// interpolated linearly between the stored levels.
func levelAt(q []float64, l float64) float64 {
	i := sort.SearchFloat64s(ResidualLevels[:], l)
	switch {
	case i == 0:
		return q[0]
	case i >= len(ResidualLevels):
		return q[len(q)-1]
	case ResidualLevels[i] == l:
		return q[i]
	}
	a, b := ResidualLevels[i-1], ResidualLevels[i]
	return q[i-1] + (q[i]-q[i-1])*(l-a)/(b-a)
}

// PromisePoint is a promise's backtest over the test shipments: the share
// delivered after it and its slack (hours from delivery to the promise),
// as a mean over all shipments, a late one counting 0, and over the
// on-time ones only.
type PromisePoint struct {
	// Target is the on-time rate the commit was calibrated for; 0 for
	// the history's own promise.
	Target               float64 `json:"target,omitempty"`
	N                    int     `json:"n"`
	Late                 float64 `json:"late"`
	MeanSlackAllHours    float64 `json:"mean_slack_all_hours"`
	MeanSlackOnTimeHours float64 `json:"mean_slack_on_time_hours"`
}

// PromiseCurve is the backtest of the commits: late rate against mean
// slack at each of PromiseTargets and at the model's own target, beside
// the history's own promise over the shipments that carry one.
type PromiseCurve struct {
	// Target is the model's commit target (TrainConfig.PromiseTarget).
	Target float64        `json:"target"`
	Points []PromisePoint `json:"points"`
	// Own is the carrier's or merchant's promise, over the shipments that
	// have one (N 0 when none do); Model are the commits at Points'
	// targets over the same shipments, for a like-for-like comparison.
	Own   PromisePoint   `json:"own"`
	Model []PromisePoint `json:"model_on_promised"`
	// Commit is the served commit (Prediction.P95) at the first
	// snapshots, calibrated for Target out of sample (Fit.CommitLevel);
	// CommitOnPromised the same over the shipments with a promise.
	Commit           PromisePoint `json:"commit"`
	CommitOnPromised PromisePoint `json:"commit_on_promised"`
}

// AtLate is the model's mean slack over all shipments (a late one
// counting 0) at late rate late, interpolated along points (ordered by
// target), and false when late is outside the curve.
func AtLate(points []PromisePoint, late float64) (float64, bool) {
	for i := 1; i < len(points); i++ {
		a, b := points[i-1], points[i] // a is later than b
		if late <= a.Late && late >= b.Late {
			if a.Late == b.Late {
				return a.MeanSlackAllHours, true
			}
			f := (a.Late - late) / (a.Late - b.Late)
			return a.MeanSlackAllHours + f*(b.MeanSlackAllHours-a.MeanSlackAllHours), true
		}
	}
	return 0, false
}

// promiseAcc counts one promise's backtest.
type promiseAcc struct{ n, late, slack float64 }

func (a *promiseAcc) add(actual, commit float64) {
	a.n++
	if actual > commit {
		a.late++
		return
	}
	a.slack += commit - actual
}

func (a *promiseAcc) merge(o *promiseAcc) {
	a.n, a.late, a.slack = a.n+o.n, a.late+o.late, a.slack+o.slack
}

func (a *promiseAcc) point(target float64) PromisePoint {
	p := PromisePoint{Target: target, N: int(a.n)}
	if a.n == 0 {
		return p
	}
	p.Late = a.late / a.n
	p.MeanSlackAllHours = a.slack / a.n
	if onTime := a.n - a.late; onTime > 0 {
		p.MeanSlackOnTimeHours = a.slack / onTime
	}
	return p
}

// promiseBacktest is the promise curve's counts: the commits at every
// target over all test shipments and over those with a promise, and the
// promise itself.
type promiseBacktest struct {
	targets    []float64 // PromiseTargets and the model's own, in order
	all, onOwn []promiseAcc
	own        promiseAcc
	// commit and commitOnOwn are the served commit's, likewise.
	commit, commitOnOwn promiseAcc
}

func newPromiseBacktest(target float64) *promiseBacktest {
	ts := append([]float64(nil), PromiseTargets...)
	found := false
	for _, t := range ts {
		found = found || t == target
	}
	if !found {
		ts = append(ts, target)
		sort.Float64s(ts)
	}
	return &promiseBacktest{targets: ts, all: make([]promiseAcc, len(ts)), onOwn: make([]promiseAcc, len(ts))}
}

// add scores a shipment's first snapshot: the true hours left, the
// prediction at every residual level and the served commit on target
// scale c, and the hours to the history's own promise (NaN for none).
func (b *promiseBacktest) add(actual float64, levels []float64, commit, c, own float64) {
	hasOwn := !math.IsNaN(own)
	b.commit.add(actual, fromTarget(commit, c))
	if hasOwn {
		b.commitOnOwn.add(actual, fromTarget(commit, c))
	}
	for i, t := range b.targets {
		commit := fromTarget(levelAt(levels, t), c)
		b.all[i].add(actual, commit)
		if hasOwn {
			b.onOwn[i].add(actual, commit)
		}
	}
	if hasOwn {
		b.own.add(actual, own)
	}
}

func (b *promiseBacktest) merge(o *promiseBacktest) {
	for i := range b.all {
		b.all[i].merge(&o.all[i])
		b.onOwn[i].merge(&o.onOwn[i])
	}
	b.own.merge(&o.own)
	b.commit.merge(&o.commit)
	b.commitOnOwn.merge(&o.commitOnOwn)
}

func (b *promiseBacktest) curve(target float64) PromiseCurve {
	c := PromiseCurve{Target: target, Own: b.own.point(0), Commit: b.commit.point(target), CommitOnPromised: b.commitOnOwn.point(target)}
	for i, t := range b.targets {
		c.Points = append(c.Points, b.all[i].point(t))
		if b.own.n > 0 {
			c.Model = append(c.Model, b.onOwn[i].point(t))
		}
	}
	return c
}
