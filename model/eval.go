package model

import "math"

// BaselineScore is how a baseline did on the test slice, over the
// snapshots it gave an estimate for: the carrier standard abstains where
// there is neither a promise nor a known standard for the service.
type BaselineScore struct {
	// N is how many snapshots the baseline estimated.
	N          int     `json:"n"`
	MAEHours   float64 `json:"mae_hours"`
	RMSEHours  float64 `json:"rmse_hours"`
	Within1Day float64 `json:"within_1_day"`
	// ModelMAEHours is the model's MAE over the same N snapshots, what
	// the baseline's MAE compares with.
	ModelMAEHours float64 `json:"model_mae_hours"`
}

// Score is the model's backtest on one group of test snapshots.
type Score struct {
	N          int     `json:"n"`
	MAEHours   float64 `json:"mae_hours"`
	RMSEHours  float64 `json:"rmse_hours"`
	Within1Day float64 `json:"within_1_day"` // |p50 − actual| ≤ 24 h
	Coverage80 float64 `json:"coverage_p10_p90"`
	P95OnTime  float64 `json:"p95_on_time"`
	// P95SlackHours is the mean time from delivery to the p95 commit,
	// over the snapshots delivered by it: what the promise gave away.
	// P95SlackAllHours is the same over every snapshot, a late one
	// counting 0.
	P95SlackHours    float64                  `json:"p95_slack_hours"`
	P95SlackAllHours float64                  `json:"p95_slack_all_hours"`
	Baselines        map[string]BaselineScore `json:"baselines"`
}

// Reduction is how much lower the model's MAE is than a baseline's, as a
// share of the baseline's (0.35 = 35% lower), over the snapshots the
// baseline estimated.
func (s Score) Reduction(baseline string) float64 {
	bs := s.Baselines[baseline]
	if bs.MAEHours == 0 {
		return 0
	}
	model := s.MAEHours
	if bs.N > 0 && bs.N < s.N {
		model = bs.ModelMAEHours
	}
	return 1 - model/bs.MAEHours
}

// CalibrationPoint compares a nominal quantile level with the share of
// test deliveries that came before that quantile of the prediction.
type CalibrationPoint struct {
	Level    float64 `json:"level"`
	Observed float64 `json:"observed"`
}

// ErrorHistogram counts test errors (p50 − actual, hours) in bins of
// equal width, From the first bin's lower edge. The bins span the test
// errors but their outer 0.5% on either side, which the end bins count.
type ErrorHistogram struct {
	From   float64 `json:"from_hours"`
	Width  float64 `json:"width_hours"`
	Counts []int   `json:"counts"`
}

// DaysToGoBuckets are the groups of ByDaysToGo, by the true time left.
var DaysToGoBuckets = []string{"0-1d", "1-2d", "2-3d", "3-5d", "5d+"}

func daysToGoBucket(hours float64) string {
	switch d := hours / 24; {
	case d < 1:
		return DaysToGoBuckets[0]
	case d < 2:
		return DaysToGoBuckets[1]
	case d < 3:
		return DaysToGoBuckets[2]
	case d < 5:
		return DaysToGoBuckets[3]
	}
	return DaysToGoBuckets[4]
}

type scoreAcc struct {
	n                                    int
	abs, sq, w1d, covered, onTime, slack float64
	baseAbs, baseSq, baseW1d             perBaseline
	baseN, modelAbs                      perBaseline // rows each baseline estimated; the model's |error| on them
}

func (a *scoreAcc) add(actual float64, p Prediction, base perBaseline) {
	a.n++
	e := p.P50 - actual
	a.abs += math.Abs(e)
	a.sq += e * e
	if math.Abs(e) <= 24 {
		a.w1d++
	}
	if actual >= p.P10 && actual <= p.P90 {
		a.covered++
	}
	if actual <= p.P95 {
		a.onTime++
		a.slack += p.P95 - actual
	}
	for i, b := range base {
		if math.IsNaN(b) { // the baseline abstains
			continue
		}
		a.baseN[i]++
		a.modelAbs[i] += math.Abs(p.P50 - actual)
		e := b - actual
		a.baseAbs[i] += math.Abs(e)
		a.baseSq[i] += e * e
		if math.Abs(e) <= 24 {
			a.baseW1d[i]++
		}
	}
}

func (a *scoreAcc) score() Score {
	if a.n == 0 {
		return Score{}
	}
	n := float64(a.n)
	s := Score{N: a.n, MAEHours: a.abs / n, RMSEHours: math.Sqrt(a.sq / n), Within1Day: a.w1d / n,
		Coverage80: a.covered / n, P95OnTime: a.onTime / n, Baselines: map[string]BaselineScore{}}
	if a.onTime > 0 {
		s.P95SlackHours = a.slack / a.onTime
	}
	s.P95SlackAllHours = a.slack / n
	for i, name := range BaselineNames {
		bn := a.baseN[i]
		if bn == 0 {
			s.Baselines[name] = BaselineScore{}
			continue
		}
		s.Baselines[name] = BaselineScore{N: int(bn), MAEHours: a.baseAbs[i] / bn, RMSEHours: math.Sqrt(a.baseSq[i] / bn),
			Within1Day: a.baseW1d[i] / bn, ModelMAEHours: a.modelAbs[i] / bn}
	}
	return s
}

// backtest scores predictions on the test slice.
type backtest struct {
	shipments  int
	all        scoreAcc
	groups     map[[2]string]*scoreAcc // kind, name
	levelBelow [len(ResidualLevels)]float64
	errHist    ErrorHistogram
	promises   *promiseBacktest

	carrier, service         *scoreAcc // the groups of the last snapshot added
	carrierName, serviceName string
}

func newBacktest() *backtest { return newBacktestFor(DefaultPromiseTarget) }

// newBacktestFor is a backtest whose promise curve includes the commit of
// promiseTarget.
func newBacktestFor(promiseTarget float64) *backtest {
	return &backtest{groups: map[[2]string]*scoreAcc{}, promises: newPromiseBacktest(promiseTarget),
		errHist: ErrorHistogram{From: -errSpanHours, Width: 1, Counts: make([]int, 2*errSpanHours)}}
}

// The backtest counts errors in one-hour bins over ±errSpanHours (the end
// bins take what is beyond) and fill merges them into at most errBins bins
// of a round width over the span the errors cover.
const (
	errSpanHours = 90 * 24
	errBins      = 40
	errTail      = 0.005 // the share of errors beyond the plot on either side
)

// errWidths are the bin widths (hours) the plotted histogram may have.
var errWidths = []float64{1, 2, 3, 4, 6, 8, 12, 24, 48, 72, 96, 168, 336, 720}

// scaled merges hourly bins into a histogram over the span of the errors.
func (h ErrorHistogram) scaled() ErrorHistogram {
	n := 0
	for _, c := range h.Counts {
		n += c
	}
	if n == 0 {
		return ErrorHistogram{From: -96, Width: 6, Counts: make([]int, 32)}
	}
	tail := int(math.Floor(errTail * float64(n)))
	lo, hi, seen := 0, len(h.Counts)-1, 0
	for i, c := range h.Counts { // the first bin past the lower tail
		if seen += c; seen > tail {
			lo = i
			break
		}
	}
	seen = 0
	for i := len(h.Counts) - 1; i >= 0; i-- {
		if seen += h.Counts[i]; seen > tail {
			hi = i
			break
		}
	}
	from, to := h.From+h.Width*float64(lo), h.From+h.Width*float64(hi+1)
	width := errWidths[len(errWidths)-1]
	for _, w := range errWidths {
		if w >= h.Width && math.Ceil(to/w)-math.Floor(from/w) <= errBins {
			width = w
			break
		}
	}
	out := ErrorHistogram{From: math.Floor(from/width) * width, Width: width}
	out.Counts = make([]int, max(1, int(math.Ceil(to/width)-math.Floor(from/width))))
	for i, c := range h.Counts {
		k := int(math.Floor((h.From + h.Width*float64(i) - out.From) / width))
		out.Counts[min(max(k, 0), len(out.Counts)-1)] += c
	}
	return out
}

func (b *backtest) group(kind, name string) *scoreAcc {
	k := [2]string{kind, name}
	a, ok := b.groups[k]
	if !ok {
		a = &scoreAcc{}
		b.groups[k] = a
	}
	return a
}

// add scores one snapshot: the true hours left, the prediction at every
// residual level on the target scale of the fit that made it, and the
// baselines' estimates.
func (b *backtest) add(carrier, service string, actual float64, levels []float64, commit, scale float64, base perBaseline) {
	p := Prediction{P10: fromTarget(levels[levelP10], scale), P50: fromTarget(levels[levelP50], scale),
		P90: fromTarget(levels[levelP90], scale), P95: fromTarget(commit, scale)}
	actualLog := toTarget(actual, scale)
	b.all.add(actual, p, base)
	// A journey's snapshots share carrier and service: look their groups
	// up once.
	if b.carrier == nil || carrier != b.carrierName {
		b.carrier, b.carrierName = b.group("carrier", carrier), carrier
	}
	if b.service == nil || service != b.serviceName {
		b.service, b.serviceName = b.group("service", service), service
	}
	b.carrier.add(actual, p, base)
	b.service.add(actual, p, base)
	b.group("togo", daysToGoBucket(actual)).add(actual, p, base)
	for i, v := range levels {
		if actualLog <= v {
			b.levelBelow[i]++
		}
	}
	i := int(math.Floor((p.P50 - actual - b.errHist.From) / b.errHist.Width))
	b.errHist.Counts[min(max(i, 0), len(b.errHist.Counts)-1)]++
}

func (a *scoreAcc) merge(o *scoreAcc) {
	a.n += o.n
	a.abs += o.abs
	a.sq += o.sq
	a.w1d += o.w1d
	a.covered += o.covered
	a.onTime += o.onTime
	a.slack += o.slack
	for i := range a.baseAbs {
		a.baseAbs[i] += o.baseAbs[i]
		a.baseSq[i] += o.baseSq[i]
		a.baseW1d[i] += o.baseW1d[i]
		a.baseN[i] += o.baseN[i]
		a.modelAbs[i] += o.modelAbs[i]
	}
}

// merge adds another worker's backtest.
func (b *backtest) merge(o *backtest) {
	b.shipments += o.shipments
	b.all.merge(&o.all)
	for k, a := range o.groups {
		b.group(k[0], k[1]).merge(a)
	}
	for i, v := range o.levelBelow {
		b.levelBelow[i] += v
	}
	for i, c := range o.errHist.Counts {
		b.errHist.Counts[i] += c
	}
	b.promises.merge(o.promises)
}

func (b *backtest) fill(m *Metrics, target float64) {
	m.TestShipments = b.shipments
	m.TestRows = b.all.n
	m.Overall = b.all.score()
	m.ByCarrier, m.ByService, m.ByDaysToGo = map[string]Score{}, map[string]Score{}, map[string]Score{}
	for k, a := range b.groups {
		switch k[0] {
		case "carrier":
			m.ByCarrier[k[1]] = a.score()
		case "service":
			m.ByService[k[1]] = a.score()
		case "togo":
			m.ByDaysToGo[k[1]] = a.score()
		}
	}
	m.Calibration = nil
	for i, l := range ResidualLevels {
		obs := 0.0
		if b.all.n > 0 {
			obs = b.levelBelow[i] / float64(b.all.n)
		}
		m.Calibration = append(m.Calibration, CalibrationPoint{Level: l, Observed: obs})
	}
	m.Errors = b.errHist.scaled()
	m.Promises = b.promises.curve(target)
	m.MAEHours = m.Overall.MAEHours
	m.BaselineMAEHours = m.Overall.Baselines[BaselineLaneMedian].MAEHours
	m.Coverage80 = m.Overall.Coverage80
	m.P95OnTime = m.Overall.P95OnTime
}

// Strongest is the baseline with the lowest MAE among those that
// estimated every snapshot of s (a score without counts, from an older
// artifact, counts as every one): what the model's headline compares
// with. False when none did.
func (s Score) Strongest() (string, bool) {
	best, found := "", false
	for _, name := range BaselineNames {
		b, ok := s.Baselines[name]
		if !ok || !(b.MAEHours > 0) || (b.N != s.N && b.N != 0) {
			continue
		}
		if !found || b.MAEHours < s.Baselines[best].MAEHours {
			best, found = name, true
		}
	}
	return best, found
}
