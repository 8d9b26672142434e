package model

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"time"
)

// PeakWeeks is the peak season learned from the train slice: by
// destination country, by ISO week (ISO year×100 + week), the mean excess
// of the shipments' log transit time over their country's mean, shrunk
// toward zero by empirical Bayes. A served snapshot's peak feature is the
// excess of its own local week a year before, and 0 for a week the
// history does not hold a year back; in the fit pass such a train row
// reads its own week's instead (peakOwnWeek), an in-sample mean over the
// week's shipments as the lane offsets are.
type PeakWeeks map[string]map[int]float64

// peakLearning is off only in the test that shows what the learned peak
// does.
var peakLearning = true

// pairLearning is off only where a test measures what the area pairs do.
var pairLearning = true

// excess is the peak feature of a snapshot on a civil day in a country:
// the learned excess of the same ISO week of the year before, and
// whether the history holds that week.
func (p PeakWeeks) excess(country string, day int32) (float64, bool) {
	weeks := p[country]
	if weeks == nil {
		return 0, false
	}
	y, w := time.Unix(int64(day)*86400, 0).UTC().ISOWeek()
	v, ok := weeks[(y-1)*100+w]
	return v, ok
}

// peakOwnWeek: in the fit pass, a train row whose week a year back the
// history does not hold reads its own week's excess instead, so that the
// peak feature's coefficient is learned from the peak weeks the train
// slice has, not only from the rows with a year before them (when the
// history is a year and a little more, those are weeks outside any
// peak). Every other pass reads the feature as served.
var peakOwnWeek = true

// ownWeek is the learned excess of the ISO week of a civil day itself.
func (p PeakWeeks) ownWeek(country string, day int32) float64 {
	weeks := p[country]
	if weeks == nil {
		return 0
	}
	y, w := time.Unix(int64(day)*86400, 0).UTC().ISOWeek()
	return weeks[y*100+w]
}

// peakKey is a destination country's ISO week.
type peakKey struct {
	country string
	week    int
}

// peakSum is a week's shipments: their count, and the sum and sum of
// squares of their log transit hours.
type peakSum struct{ n, sum, sumSq float64 }

// peakWorker is one goroutine's share of the peak pass over the train
// slice: one log transit time per delivered shipment, by its destination
// country and the ISO week of its first scan.
type peakWorker struct {
	weeks   map[peakKey]*peakSum
	regions map[string]*peakSum // by destination region, for the promise's spread
	pairs   [pairFolds]pairSums // by fold (journeyFold), carrier×service and area pair (AreaPairs)
	labels  labelSums           // LabelDelay
	n       int
}

func newPeakWorker() *peakWorker {
	w := &peakWorker{weeks: map[peakKey]*peakSum{}, regions: map[string]*peakSum{}, labels: labelSums{}}
	for i := range w.pairs {
		w.pairs[i] = pairSums{}
	}
	return w
}

func (w *peakWorker) journey(j *Journey) {
	if len(j.Scans) == 0 {
		return
	}
	done, ok := j.DeliveredAt()
	if !ok {
		return
	}
	first := j.Scans[0].Time
	y := math.Log1p(math.Max(done.Sub(first).Hours(), 0))
	yr, wk := first.UTC().ISOWeek()
	a := Areas(j.Destination)
	w.add(peakKey{areasCountry(a), yr*100 + wk}, y)
	o := Areas(j.Origin)
	cal := calendarOf(areasCountry(a))
	w.labels.add(j, cal)
	days, sat, _ := workingDaysTaken(j, cal)
	w.pairs[journeyFold(j)-1].add(j.Carrier+"|"+j.Service, &o, &a, y,
		[2]float64{math.Log1p(float64(days[0])), math.Log1p(float64(days[1]))}, sat)
	r := a[areaRegion]
	s := w.regions[r]
	if s == nil {
		s = &peakSum{}
		w.regions[r] = s
	}
	s.n, s.sum, s.sumSq = s.n+1, s.sum+y, s.sumSq+y*y
}

func (w *peakWorker) add(k peakKey, y float64) {
	s := w.weeks[k]
	if s == nil {
		s = &peakSum{}
		w.weeks[k] = s
	}
	s.n++
	s.sum += y
	s.sumSq += y * y
	w.n++
}

func (w *peakWorker) merge(o *peakWorker) {
	for k, s := range o.weeks {
		t := w.weeks[k]
		if t == nil {
			t = &peakSum{}
			w.weeks[k] = t
		}
		t.n, t.sum, t.sumSq = t.n+s.n, t.sum+s.sum, t.sumSq+s.sumSq
	}
	for k, s := range o.regions {
		t := w.regions[k]
		if t == nil {
			t = &peakSum{}
			w.regions[k] = t
		}
		t.n, t.sum, t.sumSq = t.n+s.n, t.sum+s.sum, t.sumSq+s.sumSq
	}
	w.labels.merge(o.labels)
	for i := range w.pairs {
		w.pairs[i].merge(o.pairs[i])
	}
	w.n += o.n
}

func (w *peakWorker) rows() int { return w.n }

// finish shrinks each week's deviation from its country's mean by
// τ²/(τ² + σ²/n): σ² is the country's pooled within-week variance, τ²
// the weeks' spread beyond the σ²/n their noise explains (method of
// moments, weighted by shipments so that a week of one or two does not
// swing it). A week of few shipments, or a country
// whose weeks vary no more than their noise, shrinks to about 0.
func (w *peakWorker) finish() PeakWeeks {
	// Sums in key order, so a history trains to the same bits every time.
	keys := make([]peakKey, 0, len(w.weeks))
	for k := range w.weeks {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b peakKey) int {
		return cmp.Or(cmp.Compare(a.country, b.country), cmp.Compare(a.week, b.week))
	})
	type country struct{ n, sum, within, df float64 }
	cs := map[string]*country{}
	for _, k := range keys {
		s := w.weeks[k]
		c := cs[k.country]
		if c == nil {
			c = &country{}
			cs[k.country] = c
		}
		c.n += s.n
		c.sum += s.sum
		c.within += s.sumSq - s.sum*s.sum/s.n
		c.df += s.n - 1
	}
	tau2 := map[string]float64{}
	weeks := map[string]float64{}
	for _, k := range keys {
		s := w.weeks[k]
		c := cs[k.country]
		if c.df <= 0 {
			continue
		}
		d := s.sum/s.n - c.sum/c.n
		tau2[k.country] += s.n*d*d - c.within/c.df
		weeks[k.country] += s.n
	}
	out := PeakWeeks{}
	for _, k := range keys {
		s := w.weeks[k]
		c := cs[k.country]
		if c.df <= 0 {
			continue
		}
		t2 := math.Max(tau2[k.country]/weeks[k.country], 1e-6)
		sigma2 := c.within / c.df
		d := s.sum/s.n - c.sum/c.n
		if out[k.country] == nil {
			out[k.country] = map[int]float64{}
		}
		out[k.country][k.week] = d * t2 / (t2 + sigma2/s.n)
	}
	return out
}

// journeyCountry is a journey's destination country.
func journeyCountry(j *Journey) string { return areasCountry(Areas(j.Destination)) }

// areasCountry is the country of an area path.
func areasCountry(a AreaPath) string {
	if c := a[areaCountry]; c != "" {
		return c
	}
	return areaCountryCode(a[areaRegion])
}

// destCountry is a snapshot's destination country.
func (s *Snapshot) destCountry() string {
	if c := s.DestAreas[areaCountry]; c != "" {
		return c
	}
	return areaCountryCode(s.DestArea)
}

// promiseSpreadPrior is how many shipments' worth the overall spread
// weighs in a region's: a region of few shipments keeps about 1.
const promiseSpreadPrior = 30

// spreads are, by destination region, how much wider its shipments' log
// transit times spread than all of them on the train slice (a standard
// deviation ratio, its variance shrunk toward the overall one).
func (w *peakWorker) spreads() map[string]float64 {
	var all peakSum
	for _, k := range slices.Sorted(maps.Keys(w.regions)) {
		s := w.regions[k]
		all.n, all.sum, all.sumSq = all.n+s.n, all.sum+s.sum, all.sumSq+s.sumSq
	}
	if all.n < 2 {
		return nil
	}
	vAll := (all.sumSq - all.sum*all.sum/all.n) / (all.n - 1)
	if !(vAll > 0) {
		return nil
	}
	out := map[string]float64{}
	for k, s := range w.regions {
		if s.n < 2 {
			continue
		}
		v := (s.sumSq - s.sum*s.sum/s.n) / (s.n - 1)
		out[k] = math.Sqrt(((s.n-1)*v + promiseSpreadPrior*vAll) / (s.n - 1 + promiseSpreadPrior) / vAll)
	}
	return out
}
