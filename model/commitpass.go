package model

import (
	"hash/crc32"
	"maps"
	"math"
	"slices"
)

// The served commit (Prediction.P95, the API's p95_commit): the estimate
// shifted by a quantile of the calibration residuals, as the interval's
// levels are, but read at the level that held the promise target out of
// sample on the history before the cut-off. The calibration slice says
// how wrong the model was in the weeks before the cut-off; the commit is
// kept for the weeks after it, which may be slower (a peak, a strike). So
// the train slice is replayed as the split is: for every week o, the
// residuals of the K weeks before o (K the calibration slice's weeks)
// give a quantile at level l, and the share of the H weeks from o (H the
// test slice's) above it is counted. The commit level is the least l at
// which the deliveries of every such span together were on time at the
// target rate (commitLevel): a history whose weeks stray from each other
// pays with a higher level, a steady one keeps the target. It is found for
// every snapshot's residuals (the interval's segments) and for the first
// snapshots' alone (the promise's segments, scaled by their region's
// spread), per fit.

// commitShipments is how many train shipments are enough to find the
// commit level; a larger slice is sampled.
const commitShipments = 20_000

// minCommitSpanRows is the least residuals a calibration-length span
// needs before its quantile is replayed.
const minCommitSpanRows = 30

// commitWorker is one goroutine's share of the commit pass: each fit's
// residuals on the train slice, by week of first scan, for every snapshot
// and for the first ones.
type commitWorker struct {
	m          *Model
	fits       perFit[*Fit]
	all, first perFit[map[int64]*hist]
	row, hid   Row
	every      uint32 // reads the shipments whose tracking number hashes to 0 mod every
	n          int
}

func newCommitWorker(m *Model, every uint32) *commitWorker {
	return &commitWorker{m: m, fits: perFit[*Fit]{m.Lane, m.Promise}, every: every,
		all: perFit[map[int64]*hist]{{}, {}}, first: perFit[map[int64]*hist]{{}, {}}}
}

func (w *commitWorker) journey(j *Journey) {
	if w.every > 1 && crc32.ChecksumIEEE([]byte(j.TrackingNumber))%w.every != 0 {
		return
	}
	key := laneKeysOf(j)
	week := driftWeek(j.Scans[0].Time)
	promised := !j.Promised.IsZero() && w.fits[promiseFit] != nil
	w.row.Fold = journeyFold(j) // a train shipment, encoded as the fit pass encoded it
	eachSnapshot(j, func(s *Snapshot, hoursLeft float64) {
		laneRow := w.m.enc.encodeBoth(s, &w.row, &w.hid)
		if promised {
			w.add(promiseFit, &w.row, &key, s, week, hoursLeft)
		}
		w.add(laneFit, laneRow, &key, s, week, hoursLeft)
		w.n++
	})
}

// add records fit k's residual of a delivery hoursLeft after s, on the
// scale the calibration pass takes it (calibWorker.add).
func (w *commitWorker) add(k fitKind, row *Row, lane *laneKeys, s *Snapshot, week int64, hoursLeft float64) {
	f := w.fits[k]
	y := row.Dot(f.Coef) + offsetOf(f.LaneOffsets, lane)
	r := (toTarget(hoursLeft, f.TargetScale) - y) / f.scale(s)
	addResidual(w.all[k], week, r)
	if s.Scans == 1 {
		addResidual(w.first[k], week, r/w.m.promiseScale(s))
	}
}

func (w *commitWorker) merge(o *commitWorker) {
	for k := range fitKinds {
		for _, p := range [...][2]map[int64]*hist{{w.all[k], o.all[k]}, {w.first[k], o.first[k]}} {
			for wk, h := range p[1] {
				if mine, ok := p[0][wk]; ok {
					mine.merge(h)
				} else {
					p[0][wk] = h
				}
			}
		}
	}
	w.n += o.n
}

func (w *commitWorker) rows() int { return w.n }

// levels are fit k's commit levels for target: every snapshot's and the
// first snapshots'; 0 where the train slice is too short to replay one
// span.
func (w *commitWorker) levels(k fitKind, target float64, calibWeeks, testWeeks int) (all, first float64) {
	return commitLevel(w.all[k], target, calibWeeks, testWeeks), commitLevel(w.first[k], target, calibWeeks, testWeeks)
}

// commitStep is the resolution of the commit level.
const commitStep = 0.001

// maxCommitLevel is the highest level a commit is read at: beyond it the
// quantile of a few hundred residuals is their largest.
const maxCommitLevel = 0.999

// commitLevel is the least level l, from target up, at which each
// calibWeeks span of weeks' residual quantile at l held the residuals of
// the testWeeks weeks after it at or below it at the rate target, all
// spans' weeks together (weighted by their rows, as a test slice scores
// them): the level the commit is read at so it holds target on the weeks
// after a cut-off, as it did on the history. 0 when no span has
// minCommitSpanRows residuals and a week after it.
func commitLevel(weeks map[int64]*hist, target float64, calibWeeks, testWeeks int) float64 {
	if calibWeeks < 1 || testWeeks < 1 || len(weeks) == 0 {
		return 0
	}
	order := slices.Sorted(maps.Keys(weeks))
	lo, hi := order[0], order[len(order)-1]
	nl := int(math.Round((maxCommitLevel-target)/commitStep)) + 1
	if nl < 1 {
		return 0
	}
	late := make([]float64, nl)
	var scored float64
	for o := lo + int64(calibWeeks); o <= hi; o++ {
		calib := newResidualHist()
		for wk := o - int64(calibWeeks); wk < o; wk++ {
			if h, ok := weeks[wk]; ok {
				calib.merge(h)
			}
		}
		if calib.total < minCommitSpanRows {
			continue
		}
		thr := make([]float64, nl)
		for i := range thr {
			thr[i] = calib.quantile(target + float64(i)*commitStep)
		}
		for wk := o; wk < o+int64(testWeeks) && wk <= hi; wk++ {
			h, ok := weeks[wk]
			if !ok {
				continue
			}
			scored += h.total
			for i, t := range thr {
				late[i] += h.total - h.below(t)
			}
		}
	}
	if scored == 0 {
		return 0
	}
	for i, l := range late {
		if 1-l/scored >= target {
			return target + float64(i)*commitStep
		}
	}
	return maxCommitLevel
}

// below is the weight at or below v, interpolated inside its bin as
// quantile is.
func (h *hist) below(v float64) float64 {
	if len(h.w) == 0 {
		return 0
	}
	x := (v - h.lo) / h.width
	var cum float64
	for i, w := range h.w {
		b := float64(h.first + i)
		switch {
		case x >= b+1:
			cum += w
		case x > b:
			return cum + w*(x-b)
		default:
			return cum
		}
	}
	return cum
}
