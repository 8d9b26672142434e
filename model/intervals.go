package model

import (
	"cmp"
	"maps"
	"math"
	"slices"

	"github.com/parcelcast/parcelcast/schemas"
)

// The interval: split-conformal residual quantiles of the calibration
// slice, per segment of carrier, service, stage and horizon.

// minSegmentRows is the least calibration rows a residual segment needs
// to get its own quantiles; smaller segments use the next, wider one.
const minSegmentRows = 300

// calibWorker is one goroutine's share of the calibration pass: the
// chosen fits' residuals per segment.
type calibWorker struct {
	m        *Model
	fits     perFit[*Fit] // the promise fit is nil without promised shipments
	resid    perFit[map[calibKey]*hist]
	cens     censoring // the delivered snapshots' follow-up
	row, hid Row
	nrows    int
	// day counts the deliveries the day windows are calibrated on; nil
	// when the model learns none.
	dayLearned *dayLearned
	day        *dayCalib
}

// calibKey is a residual's segment and follow-up day: the day sets its
// censoring weight once the pass is done.
type calibKey struct {
	seg segID
	day int16
}

func newCalibWorker(m *Model, day *dayLearned) *calibWorker {
	return &calibWorker{m: m, fits: perFit[*Fit]{m.Lane, m.Promise}, resid: perFit[map[calibKey]*hist]{{}, {}},
		dayLearned: day, day: newDayCalib()}
}

func (w *calibWorker) journey(j *Journey) {
	key := laneKeysOf(j)
	promised := !j.Promised.IsZero() && w.fits[promiseFit] != nil
	if w.dayLearned != nil {
		w.day.add(w.dayLearned, j)
	}
	eachSnapshot(j, func(s *Snapshot, hoursLeft float64) {
		laneRow := w.m.enc.encodeBoth(s, &w.row, &w.hid)
		if promised {
			w.add(promiseFit, &w.row, &key, s, hoursLeft)
		}
		w.add(laneFit, laneRow, &key, s, hoursLeft)
		w.cens.seen(hoursLeft)
		w.nrows++
	})
}

// add records one residual of fit k; peak-season ones are scaled down by
// the fit's peak spread (a normalized conformal score).
func (w *calibWorker) add(k fitKind, row *Row, lane *laneKeys, s *Snapshot, hoursLeft float64) {
	f := w.fits[k]
	y := row.Dot(f.Coef) + offsetOf(f.LaneOffsets, lane)
	r := (toTarget(hoursLeft, f.TargetScale) - y) / f.scale(s)
	id := calibKey{segID{s.Carrier, s.Service, int8(stageIndex(s.Status)), int8(horizonIndex(fromTarget(y, f.TargetScale)))},
		int16(followDay(hoursLeft))}
	h, ok := w.resid[k][id]
	if !ok {
		h = newResidualHist()
		w.resid[k][id] = h
	}
	h.add(r, 1)
}

func (w *calibWorker) merge(o *calibWorker) {
	for k, m := range o.resid {
		for id, h := range m {
			if mine, ok := w.resid[k][id]; ok {
				mine.merge(h)
			} else {
				w.resid[k][id] = h
			}
		}
	}
	w.cens.merge(&o.cens)
	w.nrows += o.nrows
	w.day.merge(o.day)
}

// rows is how many calibration snapshots the worker saw.
func (w *calibWorker) rows() int { return w.nrows }

// finish sets the fits' residual quantiles, each residual weighted by its
// follow-up day's censoring weight; inFlight counts the snapshots censored
// at the cut-off.
func (w *calibWorker) finish(inFlight *censoring) {
	c := w.cens
	c.merge(inFlight)
	wt := c.weights()
	for k, f := range w.fits {
		if f == nil {
			continue
		}
		// In a fixed order, as in quantiles.
		ids := slices.SortedFunc(maps.Keys(w.resid[k]), func(a, b calibKey) int {
			return cmp.Or(compareSeg(a.seg, b.seg), cmp.Compare(a.day, b.day))
		})
		segs := map[segID]*hist{}
		for _, id := range ids {
			h := w.resid[k][id]
			s, ok := segs[id.seg]
			if !ok {
				s = newResidualHist()
				segs[id.seg] = s
			}
			s.mergeScaled(h, wt[id.day])
		}
		f.Residuals = quantiles(segs)
	}
}

// stages are the names of the stageIndex values.
var stages = [...]string{"label", "transit", "last_mile", "exception"}

// stageIndex groups statuses whose residuals look alike.
func stageIndex(st schemas.Status) int {
	switch st {
	case schemas.StatusInfoReceived:
		return 0
	case schemas.StatusOutForDelivery, schemas.StatusDeliveryAttempted, schemas.StatusAvailableForPickup:
		return 2
	case schemas.StatusException:
		return 3
	}
	return 1
}

// horizons bucket an estimate's hours: residuals spread more the further
// the delivery is.
var horizons = [...]string{"<12h", "<36h", "<84h", "84h+"}

func horizonIndex(h float64) int {
	switch {
	case h < 12:
		return 0
	case h < 36:
		return 1
	case h < 84:
		return 2
	}
	return 3
}

// segmentKeys are the residual segments of a carrier's and service's
// prediction at a stage and horizon (indexes of stages and horizons),
// from most to least specific: carrier|service|stage|horizon,
// carrier|stage|horizon, carrier|horizon, carrier, all.
func segmentKeys(carrier, service string, stage, horizon int) [5]string {
	s, h := stages[stage], horizons[horizon]
	return [5]string{carrier + "|" + service + "|" + s + "|" + h, carrier + "|" + s + "|" + h, carrier + "|" + h, carrier, "*"}
}

// segCache holds, for one fit, the residual quantiles it resolved for
// every carrier, service, stage and horizon, so the backtest's loops
// build no keys and make one lookup per snapshot. One per goroutine and
// fit; a nil cache resolves each time.
type segCache map[[2]string]*[len(stages)][len(horizons)][]float64

// residuals are f's residual quantiles for a snapshot of carrier and
// service at status st with the given hours to go (Fit.residuals).
func (c segCache) residuals(f *Fit, carrier, service string, st schemas.Status, hours float64) []float64 {
	si, hi := stageIndex(st), horizonIndex(hours)
	if c == nil {
		k := segmentKeys(carrier, service, si, hi)
		return f.residuals(&k)
	}
	cs := [2]string{carrier, service}
	t, ok := c[cs]
	if !ok {
		t = new([len(stages)][len(horizons)][]float64)
		for s := range stages {
			for h := range horizons {
				k := segmentKeys(carrier, service, s, h)
				t[s][h] = f.residuals(&k)
			}
		}
		c[cs] = t
	}
	return t[si][hi]
}

// segID is a calibration row's most specific residual segment.
type segID struct {
	carrier, service string
	stage, horizon   int8
}

// compareSeg orders segments by carrier, service, stage and horizon.
func compareSeg(a, b segID) int {
	return cmp.Or(cmp.Compare(a.carrier, b.carrier), cmp.Compare(a.service, b.service),
		cmp.Compare(a.stage, b.stage), cmp.Compare(a.horizon, b.horizon))
}

// keys are the segments it belongs to.
func (id segID) keys() [5]string {
	return segmentKeys(id.carrier, id.service, int(id.stage), int(id.horizon))
}

func newResidualHist() *hist { return newHist(-5, 5, 0.005) }

// quantiles are the residual quantiles of every segment with enough rows,
// each segment's histogram the sum of its most specific ones. Every level
// but the median is moved outward by its sampling error (conservativeLevel).
func quantiles(resid map[segID]*hist) map[string][]float64 {
	groups := map[string]*hist{}
	// In a fixed order: the censoring weights make the sums fractional,
	// and fractions added in map order would differ in the last bits.
	ids := slices.SortedFunc(maps.Keys(resid), compareSeg)
	for _, id := range ids {
		h := resid[id]
		for _, k := range id.keys() {
			g, ok := groups[k]
			if !ok {
				g = newResidualHist()
				groups[k] = g
			}
			g.merge(h)
		}
	}
	out := map[string][]float64{}
	for k, h := range groups {
		if h.total < minSegmentRows && k != "*" {
			continue
		}
		// Weighted residuals count for fewer rows than they are: the
		// sampling margin uses their effective number.
		n := h.effectiveN()
		q := make([]float64, len(ResidualLevels))
		for i, l := range ResidualLevels {
			q[i] = h.quantile(conservativeLevel(l, n))
		}
		out[k] = q
	}
	return out
}

// confidenceZ is the one-sided 95% normal quantile: how sure a calibrated
// level should be to hold on new data.
const confidenceZ = 1.645

// conservativeLevel moves residual level l away from the median by the
// standard error of a quantile estimated from n residuals, times
// confidenceZ: an upper bound (p90, the p95 commit) then holds on new data
// with about 95% confidence rather than half the time, and lower bounds
// likewise. It counts snapshots as independent; they are not (a
// shipment's snapshots share its luck), so the margin is a floor, not a
// guarantee.
func conservativeLevel(l, n float64) float64 {
	if l == 0.5 || n <= 0 {
		return l
	}
	m := confidenceZ * math.Sqrt(l*(1-l)/n)
	if l > 0.5 {
		return math.Min(l+m, 0.999)
	}
	return math.Max(l-m, 0.001)
}
