package model

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// The interval: split-conformal residual quantiles of the calibration
// slice, per segment of carrier, service, stage and horizon.

// minSegmentRows is the least calibration rows a residual segment needs
// to get its own quantiles; smaller segments use the next, wider one.
// The interval's levels take their sampling margin from all the
// calibration rows, not the segment's (quantiles), so thin segments do
// not each pay it and together over-cover.
const minSegmentRows = 300

// calibWorker is one goroutine's share of the calibration pass: the
// chosen fits' residuals per segment, and the lower bounds of the
// residuals of the snapshots still in flight at the cut-off.
type calibWorker struct {
	m      *Model
	fits   perFit[*Fit] // the promise fit is nil without promised shipments
	resid  perFit[map[segID]*hist]
	bounds perFit[map[segID]*hist] // censored: the residual is above the bound
	// first and firstBounds are the same of the journeys' first
	// snapshots alone, by carrier and service: the promise's segments.
	first, firstBounds perFit[map[segID]*hist]
	cens               censoring // the snapshots' follow-up, for the seen share
	// follow, when set, weighs each delivered residual by its follow-up
	// day's censoring weight instead of Kaplan–Meier on the residuals.
	follow   *[censorDays]float64
	row, hid Row
	nrows    int
	// day counts the deliveries the day windows are calibrated on; nil
	// when the model learns none.
	dayLearned *dayLearned
	day        *dayCalib
}

func newCalibWorker(m *Model, day *dayLearned) *calibWorker {
	return &calibWorker{m: m, fits: perFit[*Fit]{m.Lane, m.Promise},
		resid: perFit[map[segID]*hist]{{}, {}}, bounds: perFit[map[segID]*hist]{{}, {}},
		first: perFit[map[segID]*hist]{{}, {}}, firstBounds: perFit[map[segID]*hist]{{}, {}},
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
			w.add(w.resid, w.first, promiseFit, &w.row, &key, s, hoursLeft)
		}
		w.add(w.resid, w.first, laneFit, laneRow, &key, s, hoursLeft)
		w.cens.seen(hoursLeft)
		w.nrows++
	})
}

// inFlight adds the snapshots of a journey still in flight at asOf, with
// only its scans before asOf: each one's delivery is later than asOf, so
// its residual is above the one a delivery at asOf would have.
func (w *calibWorker) inFlight(j *Journey, asOf time.Time) {
	if len(j.Scans) == 0 || w.m.abandoned(j, asOf) {
		return
	}
	w.cens.inFlight(j, asOf)
	if w.follow != nil {
		return
	}
	key := laneKeysOf(j)
	promised := !j.Promised.IsZero() && w.fits[promiseFit] != nil
	s := j.snapshot()
	for k, sc := range j.Scans {
		if !sc.Time.Before(asOf) || sc.Status == schemas.StatusDelivered {
			break
		}
		s.advance(j, k)
		follow := asOf.Sub(sc.Time).Hours()
		laneRow := w.m.enc.encodeBoth(&s, &w.row, &w.hid)
		if promised {
			w.add(w.bounds, w.firstBounds, promiseFit, &w.row, &key, &s, follow)
		}
		w.add(w.bounds, w.firstBounds, laneFit, laneRow, &key, &s, follow)
	}
}

// abandoned reports whether a journey not delivered before asOf will
// most likely never be: it was cancelled or returned before asOf, or its
// last scan then was older than the p99 of its carrier's dwell in that
// status on the train slice (an order never handed over, a parcel lost).
// Such a journey says nothing about how late deliveries come, so the
// calibration does not count it as in flight; the test slice, which
// scores deliveries, has no such journeys either.
func (m *Model) abandoned(j *Journey, asOf time.Time) bool {
	var last *Scan
	for i := range j.Scans {
		sc := &j.Scans[i]
		if !sc.Time.Before(asOf) {
			break
		}
		if sc.Status == schemas.StatusCancelled || sc.Status == schemas.StatusReturnedToSender {
			return true
		}
		last = sc
	}
	if last == nil {
		return false
	}
	d, ok := m.DwellFor(j.Carrier, last.Status)
	return ok && d.N >= minAbandonDwell && asOf.Sub(last.Time).Hours() > d.P99Hours
}

// minAbandonDwell is the least train-slice dwell times of a carrier and
// status whose p99 can tell a stalled journey from a slow one.
const minAbandonDwell = 50

// add records into to one residual of fit k, of a delivery hoursLeft
// after s; peak-season ones are scaled down by the fit's peak spread (a
// normalized conformal score).
func (w *calibWorker) add(to, first perFit[map[segID]*hist], k fitKind, row *Row, lane *laneKeys, s *Snapshot, hoursLeft float64) {
	f := w.fits[k]
	y := row.Dot(f.Coef) + offsetOf(f.LaneOffsets, lane)
	r := (toTarget(hoursLeft, f.TargetScale) - y) / f.scale(s)
	wt := 1.0
	if w.follow != nil {
		wt = w.follow[followDay(hoursLeft)]
	}
	addWeighted(to[k], segID{s.Carrier, s.Service, int8(stageIndex(s.Status)), int8(horizonIndex(fromTarget(y, f.TargetScale)))}, r, wt)
	if s.Scans == 1 {
		addWeighted(first[k], segID{carrier: s.Carrier, service: s.Service}, r/w.m.promiseScale(s), wt)
	}
}

// addResidual adds a residual to the histogram of its key (a segment, a
// week), made on first use.
func addResidual[K comparable](m map[K]*hist, id K, r float64) { addWeighted(m, id, r, 1) }

// addWeighted is addResidual with a weight.
func addWeighted[K comparable](m map[K]*hist, id K, r, weight float64) {
	h, ok := m[id]
	if !ok {
		h = newResidualHist()
		m[id] = h
	}
	h.add(r, weight)
}

func (w *calibWorker) merge(o *calibWorker) {
	for _, p := range [...][2]perFit[map[segID]*hist]{{w.resid, o.resid}, {w.bounds, o.bounds},
		{w.first, o.first}, {w.firstBounds, o.firstBounds}} {
		for k, m := range p[1] {
			for id, h := range m {
				if mine, ok := p[0][k][id]; ok {
					mine.merge(h)
				} else {
					p[0][k][id] = h
				}
			}
		}
	}
	w.cens.merge(&o.cens)
	w.nrows += o.nrows
	w.day.merge(o.day)
}

// rows is how many calibration snapshots the worker saw delivered.
func (w *calibWorker) rows() int { return w.nrows }

// finish sets the fits' residual quantiles: per segment, the
// Kaplan–Meier estimate of the residuals' distribution, the in-flight
// snapshots censored at their bounds (kmHist), widened by a normal shift
// of the fit's DriftSpread (the drift margin). It returns the share of
// the calibration snapshots whose outcome the slice could show
// (censoring.seenShare).
func (w *calibWorker) finish() float64 {
	for k, f := range w.fits {
		if f == nil {
			continue
		}
		bounds, firstBounds := w.bounds[k], w.firstBounds[k]
		if !censorWeighting {
			bounds, firstBounds = nil, nil
		}
		f.Residuals, f.Commits = quantiles(w.resid[k], bounds, f.DriftSpread, f.CommitLevel, minSegmentRows, segID.keys)
		f.PromiseResiduals, f.PromiseCommits = quantiles(w.first[k], firstBounds, f.DriftSpread, f.PromiseCommitLevel, minPromiseRows, segID.promiseKeys)
	}
	wt := w.cens.weights()
	if !censorWeighting {
		for d := range wt {
			wt[d] = 1
		}
	}
	return w.cens.seenShare(&wt)
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
// carrier|stage|horizon, carrier|horizon, carrier, then every carrier's
// *|stage|horizon and *|horizon, and all. A carrier too thin for a
// segment of its own is served by its stage and horizon before the whole
// slice: how far off a parcel out for delivery is differs more from how
// far off one at its label than one carrier from another.
func segmentKeys(carrier, service string, stage, horizon int) [segmentLevels]string {
	s, h := stages[stage], horizons[horizon]
	if !stageSegments {
		return [segmentLevels]string{carrier + "|" + service + "|" + s + "|" + h, carrier + "|" + s + "|" + h, carrier + "|" + h, carrier, "*", "*", "*"}
	}
	return [segmentLevels]string{carrier + "|" + service + "|" + s + "|" + h, carrier + "|" + s + "|" + h, carrier + "|" + h, carrier,
		"*|" + s + "|" + h, "*|" + h, "*"}
}

// segmentLevels is how many residual segments a prediction may fall back
// through.
const segmentLevels = 7

// stageSegments is off only in the tests that show what the carriers'
// shared stage and horizon segments change.
var stageSegments = true

// segCache holds, for one fit, the residual quantiles it resolved for
// every carrier, service, stage and horizon, so the backtest's loops
// build no keys and make one lookup per snapshot. One per goroutine and
// fit; a nil cache resolves each time.
type segCache map[[2]string]*[len(stages)][len(horizons)]segment

// segment is one residual segment's quantiles and commit.
type segment struct {
	q      []float64 // at ResidualLevels
	commit float64
	// hasCommit is false for a fit without commits (an artifact from
	// before them).
	hasCommit bool
}

// segment is f's residual segment for a snapshot of carrier and service
// at status st with the given hours to go (Fit.segment).
func (c segCache) segment(f *Fit, carrier, service string, st schemas.Status, hours float64) segment {
	si, hi := stageIndex(st), horizonIndex(hours)
	if c == nil {
		k := segmentKeys(carrier, service, si, hi)
		return f.segment(&k)
	}
	cs := [2]string{carrier, service}
	t, ok := c[cs]
	if !ok {
		t = new([len(stages)][len(horizons)]segment)
		for s := range stages {
			for h := range horizons {
				k := segmentKeys(carrier, service, s, h)
				t[s][h] = f.segment(&k)
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
func (id segID) keys() []string {
	k := segmentKeys(id.carrier, id.service, int(id.stage), int(id.horizon))
	return k[:]
}

// promiseKeys are the promise segments of a first snapshot's residual,
// from most to least specific: carrier|service, carrier, all.
func (id segID) promiseKeys() []string {
	k := promiseSegmentKeys(id.carrier, id.service)
	return k[:]
}

func promiseSegmentKeys(carrier, service string) [3]string {
	return [3]string{carrier + "|" + service, carrier, "*"}
}

// minPromiseRows is the least first snapshots a promise segment needs to
// get its own quantiles: one shipment is one row here, so fewer than
// minSegmentRows.
const minPromiseRows = 300

// promiseResiduals are f's residual quantiles for a first snapshot of
// carrier and service, from the most specific promise segment with
// enough rows; nil for an artifact without them.
func (f *Fit) promiseResiduals(carrier, service string) []float64 {
	if len(f.PromiseResiduals) == 0 {
		return nil
	}
	for _, k := range promiseSegmentKeys(carrier, service) {
		if q, ok := f.PromiseResiduals[k]; ok {
			return q
		}
	}
	return nil
}

// promiseCommit is f's commit quantile for a first snapshot of carrier
// and service, from the promise segment promiseResiduals picks; false for
// a fit without promise commits.
func (f *Fit) promiseCommit(carrier, service string) (float64, bool) {
	for _, k := range promiseSegmentKeys(carrier, service) {
		if _, ok := f.PromiseResiduals[k]; ok {
			c, ok := f.PromiseCommits[k]
			return c, ok
		}
	}
	return 0, false
}

func newResidualHist() *hist { return newHist(-5, 5, 0.005) }

// quantiles are the residual quantiles of every segment with enough rows,
// each segment's histograms the sum of its most specific ones: the
// delivered residuals, and the in-flight snapshots' bounds (nil for none),
// which Kaplan–Meier turns into one distribution (kmHist). The histogram
// is then widened by the drift margin's normal shift of standard
// deviation drift (0 for none), and every level but the median is moved
// outward by its sampling error (conservativeLevel): the p10 to the p90,
// which the interval's coverage over all snapshots rests on, by that of
// every delivered residual of the slice, the outer levels (the commits'
// and promises') by the segment's own. The commits are each
// segment's quantile at commitLevel (none when it is 0), found as the
// upper levels are.
func quantiles(resid, bounds map[segID]*hist, drift, commitLevel, minRows float64, keysOf func(segID) []string) (map[string][]float64, map[string]float64) {
	groups, censored := groupHists(resid, keysOf), groupHists(bounds, keysOf)
	// Rows are counted as their effective number (hist.effectiveN): the
	// same as their count unless each weighs its follow-up's weight.
	var rows float64 // every delivered residual of the slice
	if all, ok := groups["*"]; ok {
		rows = all.effectiveN()
	}
	out := map[string][]float64{}
	var commits map[string]float64
	if commitLevel > 0 {
		commits = map[string]float64{}
	}
	for k, h := range groups {
		// A segment's own quantiles need minRows snapshots behind them,
		// counted as the snapshots its deliveries stand for (their weights'
		// sum); the margin counts the deliveries' effective number, what
		// was seen.
		if h.total < minRows && k != "*" {
			continue
		}
		n := h.effectiveN()
		km := kmHist(h, censored[k])
		wide := km.blurred(drift)
		if commits != nil {
			c := conservativeLevel(commitLevel, n)
			commits[k] = math.Max(km.quantile(c), wide.quantile(c))
		}
		q := make([]float64, len(ResidualLevels))
		for i, l := range ResidualLevels {
			// The drift margin only widens: where the estimate ends at
			// the slowest delivery seen, the blur would move an upper
			// level down into it. The median stays.
			c := conservativeLevel(l, n)
			if l >= ResidualLevels[levelP10] && l <= ResidualLevels[levelP90] {
				// The p10–p90 is held over all snapshots: its error is
				// the whole slice's, each segment's errors averaging out.
				c = conservativeLevel(l, rows)
			}
			switch v, w := km.quantile(c), wide.quantile(c); {
			case l > 0.5:
				q[i] = math.Max(v, w)
			case l < 0.5:
				q[i] = math.Min(v, w)
			default:
				q[i] = v
			}
		}
		out[k] = q
	}
	return out, commits
}

// groupHists sums the histograms of the most specific segments into every
// segment they belong to.
func groupHists(resid map[segID]*hist, keysOf func(segID) []string) map[string]*hist {
	groups := map[string]*hist{}
	// In a fixed order, so sums of fractions come out the same every run.
	for _, id := range slices.SortedFunc(maps.Keys(resid), compareSeg) {
		h := resid[id]
		keys := keysOf(id)
		for i, k := range keys {
			if i > 0 && k == keys[i-1] { // a level that adds nothing
				continue
			}
			g, ok := groups[k]
			if !ok {
				g = newResidualHist()
				groups[k] = g
			}
			g.merge(h)
		}
	}
	return groups
}

// kmHist is the Kaplan–Meier estimate of a distribution seen as the
// values of delivered and as lower bounds in censored (nil or empty for
// none): each censored value's weight goes to the values above it
// (Efron's redistribution to the right). The weight of censored values
// with no delivery above them is left out: no delivery as late was seen
// before the cut-off, and most such journeys are never delivered (an
// order stuck in "shipped"), which the test slice, scoring deliveries,
// never meets either. Within a bin the deliveries count before the
// censored values.
func kmHist(delivered, censored *hist) *hist {
	if censored == nil || censored.total == 0 {
		return delivered
	}
	all := delivered.total + censored.total
	out := &hist{lo: delivered.lo, width: delivered.width, bins: delivered.bins, total: all}
	lo, hi := delivered.first, delivered.first+len(delivered.w)
	if len(censored.w) > 0 {
		lo, hi = min(lo, censored.first), max(hi, censored.first+len(censored.w))
	}
	at := func(h *hist, i int) float64 {
		if i < h.first || i >= h.first+len(h.w) {
			return 0
		}
		return h.w[i-h.first]
	}
	atRisk, surv := all, 1.0
	for i := lo; i < hi; i++ {
		d, c := at(delivered, i), at(censored, i)
		if d > 0 && atRisk > 0 {
			next := surv * (1 - d/atRisk)
			*out.slot(i) += all * (surv - next)
			surv = next
		}
		atRisk -= d + c
	}
	if len(out.w) == 0 { // nothing delivered: nothing to place
		return delivered
	}
	out.total = all * (1 - surv)
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
