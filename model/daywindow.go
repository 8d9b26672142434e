package model

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// The delivery-day window: on the day a parcel goes out for delivery (or
// on its ETA day before that), the local time of day it should arrive in,
// such as 14:00–18:00. It is learned from the delivered scans' local hour
// (each in its own offset) by carrier, service, destination area and the
// local hour the parcel went out; a thin cell falls back to a coarser one.
// The window is the shortest run of half hours holding a mass of the
// cell's deliveries, and that mass is chosen on the calibration slice so
// the window covers DayWindowTarget of them there.

// DayWindowTarget is the share of deliveries a window is meant to hold.
const DayWindowTarget = 0.8

const (
	dayBinMinutes = 30
	dayBins       = 24 * 60 / dayBinMinutes
	// dayMinCount is the least deliveries a cell needs to be kept; a
	// thinner one serves from the next coarser level.
	dayMinCount = 100
	// dayPrior is how many deliveries' worth of the coarser level's
	// distribution a cell's own counts are mixed with (a Dirichlet prior):
	// a cell just past dayMinCount still leans on its parent.
	dayPrior = 50
)

// dayMasses are the masses the calibration may choose, lowest first:
// never less than the target, so a window holds at least that share of
// the train slice's deliveries too.
var dayMasses = func() []float64 {
	var ms []float64
	for p := int(math.Round(100 * DayWindowTarget)); p <= 99; p++ {
		ms = append(ms, float64(p)/100)
	}
	return ms
}()

// dayMinCalibration is the least calibration deliveries that may widen a
// kind of window past the target mass; with fewer, the target it is.
const dayMinCalibration = 200

// Out-for-delivery buckets: the local hour a parcel went out. Bucket 0
// is a parcel not out yet, whose window is for its ETA day and pools
// every delivery of the cell.
const (
	ofdAny = iota
	ofdBefore8
	ofd8to10
	ofd10to12
	ofdAfter12
	ofdBuckets
)

// OutForDeliveryBuckets names the buckets in cell keys and metrics.
var OutForDeliveryBuckets = [ofdBuckets]string{"any", "before_8", "8_10", "10_12", "after_12"}

func ofdBucket(minuteOfDay int) int {
	switch h := minuteOfDay / 60; {
	case h < 8:
		return ofdBefore8
	case h < 10:
		return ofd8to10
	case h < 12:
		return ofd10to12
	}
	return ofdAfter12
}

// DayWindowLevels name the levels a window can come from, finest first.
var DayWindowLevels = [...]string{"carrier_service_postal", "carrier_service_region", "carrier_service_country",
	"carrier_service", "carrier", "all"}

const dayLevels = len(DayWindowLevels)

// dayKeys are a delivery's cell keys at every level, finest first.
type dayKeys [dayLevels]string

func dayKeysFor(carrier, service string, dest AreaPath, bucket int) dayKeys {
	b := OutForDeliveryBuckets[bucket]
	cs := carrier + "|" + service + "|"
	return dayKeys{
		"0|" + cs + dest[areaPostal] + "|" + b,
		"1|" + cs + dest[areaRegion] + "|" + b,
		"2|" + cs + dest[areaCountry] + "|" + b,
		"3|" + cs + "*|" + b,
		"4|" + carrier + "|*|*|" + b,
		"5|*|*|*|" + b,
	}
}

// DayCell is one cell's window: minutes from local midnight, [Start, End).
type DayCell struct {
	N     int `json:"n"`
	Start int `json:"start_minute"`
	End   int `json:"end_minute"`
	// Mass is the share of the cell's (smoothed) deliveries inside it.
	Mass float64 `json:"mass"`
}

// DayPath is how the windows of one kind were calibrated.
type DayPath struct {
	// Mass is the mass each cell's window holds, chosen on the
	// calibration slice; Coverage is the share of that slice's
	// deliveries the windows held.
	Mass     float64 `json:"mass"`
	Coverage float64 `json:"calibration_coverage"`
	N        int     `json:"calibration_n"`
}

// DayWindows is the learned delivery-day window of a model.
type DayWindows struct {
	// OutForDelivery calibrates the windows given once a parcel is out;
	// ETADay those given for the ETA day before, on the hour alone: the
	// day itself is the ETA's to get right.
	OutForDelivery DayPath `json:"out_for_delivery"`
	ETADay         DayPath `json:"eta_day"`
	// Cells are keyed by level|carrier|service|area|bucket (dayKeysFor).
	Cells map[string]DayCell `json:"cells"`
}

// DeliveryWindow is the local time of day a shipment should be delivered
// in, on one local date.
type DeliveryWindow struct {
	// Date is the local civil date, at midnight UTC.
	Date time.Time
	// Start and End are minutes from local midnight, [Start, End).
	Start, End    int
	OffsetMinutes int
	// Level is the cell's level (DayWindowLevels); Basis is
	// "out_for_delivery" or "eta_day".
	Level, Basis string
	// Coverage is the share of calibration deliveries such windows held
	// (for eta_day: of those delivered on the day given).
	Coverage float64
}

// StartAt is the window's start as an instant.
func (w DeliveryWindow) StartAt() time.Time { return w.instant(w.Start) }

// EndAt is the window's end as an instant.
func (w DeliveryWindow) EndAt() time.Time { return w.instant(w.End) }

func (w DeliveryWindow) instant(minute int) time.Time {
	return w.Date.Add(time.Duration(minute-w.OffsetMinutes) * time.Minute)
}

// ClockTime formats minutes from midnight as "14:00"; the day's end is "24:00".
func ClockTime(minute int) string {
	return fmt.Sprintf("%02d:%02d", minute/60, minute%60)
}

// OffsetString formats an offset as "+02:00" or "-05:30".
func OffsetString(minutes int) string {
	sign := "+"
	if minutes < 0 {
		sign, minutes = "-", -minutes
	}
	return sign + ClockTime(minutes)
}

// Basis values of DeliveryWindow.
const (
	BasisOutForDelivery = "out_for_delivery"
	BasisETADay         = "eta_day"
)

// DayWindow is the delivery window of snapshot s, with p its prediction:
// once out for delivery, for that local day and the hour it went out;
// before, for the local day of the p50 ETA, in the offset of the last
// scan. False for a model without windows, a shipment delivered, returned
// or cancelled, or a p50 that is not a finite number of hours.
func (m *Model) DayWindow(s Snapshot, p Prediction) (DeliveryWindow, bool) {
	cells := newDayCellCache(s.Carrier, s.Service, s.DestAreas)
	return m.dayWindow(&s, p, &cells)
}

// dayWindow is DayWindow with the cells of s's lane from cells.
func (m *Model) dayWindow(s *Snapshot, p Prediction, cells *dayCellCache) (DeliveryWindow, bool) {
	dw := m.DayWindows
	if dw == nil || s.Status.Terminal() {
		return DeliveryWindow{}, false
	}
	w := DeliveryWindow{OffsetMinutes: s.OffsetMinutes}
	var day int32
	bucket := ofdAny
	path := dw.ETADay
	if s.Status == schemas.StatusOutForDelivery {
		var sec int64
		day, sec = s.localDay()
		bucket = ofdBucket(int(sec / 60))
		w.Basis, path = BasisOutForDelivery, dw.OutForDelivery
	} else {
		if !(p.P50 >= 0) || math.IsInf(p.P50, 1) {
			return DeliveryWindow{}, false // no ETA day to give a window for
		}
		eta := *s
		eta.At = s.At.Add(time.Duration(p.P50 * float64(time.Hour)))
		day, _ = eta.localDay()
		w.Basis = BasisETADay
	}
	lv, c, ok := cells.get(dw, bucket)
	if !ok {
		return DeliveryWindow{}, false
	}
	w.Date = time.Unix(int64(day)*86400, 0).UTC()
	w.Start, w.End, w.Level, w.Coverage = c.Start, c.End, DayWindowLevels[lv], path.Coverage
	return w, true
}

// dayCellCache holds the cells of one shipment's lane, by
// out-for-delivery bucket, as they are looked up: its snapshots share
// them.
type dayCellCache struct {
	carrier, service string
	dest             AreaPath
	done, ok         [ofdBuckets]bool
	lv               [ofdBuckets]int
	cell             [ofdBuckets]DayCell
}

func newDayCellCache(carrier, service string, dest AreaPath) dayCellCache {
	return dayCellCache{carrier: carrier, service: service, dest: dest}
}

// get is the finest cell of the bucket that dw holds, and its level.
func (c *dayCellCache) get(dw *DayWindows, bucket int) (int, DayCell, bool) {
	if !c.done[bucket] {
		keys := dayKeysFor(c.carrier, c.service, c.dest, bucket)
		c.lv[bucket], c.cell[bucket], c.ok[bucket] = dw.cell(&keys)
		c.done[bucket] = true
	}
	return c.lv[bucket], c.cell[bucket], c.ok[bucket]
}

// cell is the finest cell of keys the windows hold.
func (dw *DayWindows) cell(keys *dayKeys) (int, DayCell, bool) {
	for lv, k := range keys {
		if c, ok := dw.Cells[k]; ok {
			return lv, c, true
		}
	}
	return 0, DayCell{}, false
}

// check refuses windows that cannot be served.
func (dw *DayWindows) check() error {
	for _, p := range []DayPath{dw.OutForDelivery, dw.ETADay} {
		if !(p.Mass >= 0 && p.Mass <= 1) || !(p.Coverage >= 0 && p.Coverage <= 1) {
			return fmt.Errorf("%w: day window mass %v or coverage %v out of [0, 1]", ErrBadArtifact, p.Mass, p.Coverage)
		}
	}
	for k, c := range dw.Cells {
		if c.Start < 0 || c.End > 24*60 || c.Start >= c.End || !(c.Mass >= 0 && c.Mass <= 1) {
			return fmt.Errorf("%w: day window cell %q: [%d, %d) minutes, mass %v", ErrBadArtifact, k, c.Start, c.End, c.Mass)
		}
	}
	return nil
}

// dayHist counts deliveries by local half hour; other counts those of an
// out-for-delivery cell delivered on another day than the parcel went out.
type dayHist struct {
	bins   [dayBins]float64
	other  float64
	parent string // the cell one level coarser; "" at the coarsest
}

func (h *dayHist) total() float64 {
	t := h.other
	for _, v := range h.bins {
		t += v
	}
	return t
}

func (h *dayHist) merge(o *dayHist) {
	for i, v := range o.bins {
		h.bins[i] += v
	}
	h.other += o.other
}

// shortestWindow is the shortest run of bins [start, end) whose mass is at
// least q of total (the bins' sum when total is 0); of runs as short, the
// one with the most mass, then the earliest. When no run reaches q (mass
// beyond the bins), it is the span from the first to the last bin with
// mass. ok is false when the bins are empty.
func shortestWindow(bins []float64, total, q float64) (start, end int, mass float64, ok bool) {
	var sum float64
	first, last := -1, -1
	for i, v := range bins {
		sum += v
		if v > 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return 0, 0, 0, false
	}
	if total <= 0 {
		total = sum
	}
	need := q*total - 1e-9*total
	best := -1
	var in float64
	lo := 0
	for hi := 0; hi < len(bins); hi++ { // the run [lo, hi]
		in += bins[hi]
		for lo < hi && in-bins[lo] >= need {
			in -= bins[lo]
			lo++
		}
		if in < need {
			continue
		}
		if n := hi + 1 - lo; best < 0 || n < best || n == best && in > mass+1e-12 {
			best, start, end, mass = n, lo, hi+1, in
		}
	}
	if best < 0 {
		start, end = first, last+1
		mass = 0
		for _, v := range bins[first : last+1] {
			mass += v
		}
	}
	return start, end, mass / total, true
}

// dayAcc learns the windows: the train slice's deliveries per cell.
// leaves finds a lane's cells at every level with one lookup: the finest
// area names the coarser ones (Areas).
type dayAcc struct {
	h      map[string]*dayHist
	leaves map[dayLeaf]*[dayLevels]*dayHist
}

// dayLeaf is a cell at the finest level.
type dayLeaf struct {
	carrier, service, area string
	bucket                 int
}

func newDayAcc() *dayAcc {
	return &dayAcc{h: map[string]*dayHist{}, leaves: map[dayLeaf]*[dayLevels]*dayHist{}}
}

// cells are the cells of a lane and bucket at every level, finest first.
func (a *dayAcc) cells(carrier, service string, dest *AreaPath, bucket int) *[dayLevels]*dayHist {
	leaf := dayLeaf{carrier, service, dest[areaPostal], bucket}
	hs, ok := a.leaves[leaf]
	if !ok {
		keys := dayKeysFor(carrier, service, *dest, bucket)
		hs = new([dayLevels]*dayHist)
		for lv := range keys {
			hs[lv] = a.get(&keys, lv)
		}
		a.leaves[leaf] = hs
	}
	return hs
}

// delivery is what a journey says about its delivery's time of day: the
// delivered scan's local bin and day, and the last out-for-delivery scan
// before it, if any.
type delivery struct {
	bin    int
	day    int32
	ofd    bool
	ofdDay int32
	bucket int
}

// localOf is a scan's local civil day and minute of day.
func localOf(sc Scan) (int32, int) {
	t := sc.Time.Unix() + int64(sc.OffsetMinutes)*60
	day := t / 86400
	if t%86400 < 0 {
		day--
	}
	return int32(day), int((t - day*86400) / 60)
}

func deliveryOf(j *Journey) (delivery, bool) {
	var d delivery
	for _, sc := range j.Scans {
		if sc.Status == schemas.StatusDelivered {
			day, min := localOf(sc)
			d.day, d.bin = day, min/dayBinMinutes
			return d, true
		}
		if sc.Status == schemas.StatusOutForDelivery {
			day, min := localOf(sc)
			d.ofd, d.ofdDay, d.bucket = true, day, ofdBucket(min)
		}
	}
	return d, false
}

// get is the cell of keys[lv], made with its parent when new.
func (a *dayAcc) get(keys *dayKeys, lv int) *dayHist {
	h, ok := a.h[keys[lv]]
	if !ok {
		h = &dayHist{}
		if lv+1 < dayLevels {
			h.parent = keys[lv+1]
		}
		a.h[keys[lv]] = h
	}
	return h
}

// add counts one delivered journey: in the pooled cells, and in the
// out-for-delivery cells of its last out-for-delivery scan.
func (a *dayAcc) add(j *Journey) {
	d, ok := deliveryOf(j)
	if !ok {
		return
	}
	dest := Areas(j.Destination)
	for _, h := range a.cells(j.Carrier, j.Service, &dest, ofdAny) {
		h.bins[d.bin]++
	}
	if !d.ofd {
		return
	}
	for _, h := range a.cells(j.Carrier, j.Service, &dest, d.bucket) {
		if d.ofdDay == d.day {
			h.bins[d.bin]++
		} else {
			h.other++
		}
	}
}

func (a *dayAcc) merge(o *dayAcc) {
	for k, h := range o.h {
		if mine, ok := a.h[k]; ok {
			mine.merge(h)
		} else {
			a.h[k] = h
		}
	}
}

// dayLearned is the smoothed distribution of every kept cell, before the
// calibration chooses the masses.
type dayLearned struct {
	dist map[string]*dayHist // smoothed: bins and other add up to 1
	n    map[string]int
}

// finish smooths the cells from the coarsest level down, each toward its
// parent, and keeps those with at least dayMinCount deliveries (the
// coarsest whatever its count). A cell whose area is its parent's is
// not kept: it would say the same.
func (a *dayAcc) finish() *dayLearned {
	l := &dayLearned{dist: map[string]*dayHist{}, n: map[string]int{}}
	twin := map[string]*dayHist{} // cells skipped as their parent's twin: the parent's distribution
	keys := slices.Sorted(maps.Keys(a.h))
	for lv := dayLevels - 1; lv >= 0; lv-- {
		for _, k := range keys {
			h := a.h[k]
			if int(k[0]-'0') != lv {
				continue
			}
			n := h.total()
			pd, hasParent := l.dist[h.parent]
			if !hasParent {
				pd, hasParent = twin[h.parent]
			}
			if hasParent && sameArea(k, h.parent) {
				twin[k] = pd
				continue
			}
			if lv < dayLevels-1 && (n < dayMinCount || !hasParent) {
				continue
			}
			d := &dayHist{}
			prior := 0.0
			if hasParent {
				prior = dayPrior
			}
			for i, v := range h.bins {
				w := 0.0
				if hasParent {
					w = pd.bins[i]
				}
				d.bins[i] = (v + prior*w) / (n + prior)
			}
			po := 0.0
			if hasParent {
				po = pd.other
			}
			d.other = (h.other + prior*po) / (n + prior)
			l.dist[k], l.n[k] = d, int(n)
		}
	}
	return l
}

// sameArea reports whether cell k names the same area as its parent p
// (a location without a postal code or region): the same cell again.
func sameArea(k, p string) bool { return k[1:] == p[1:] }

// window is a kept cell's window at mass q.
func (l *dayLearned) window(k string, q float64) (DayCell, bool) {
	d := l.dist[k]
	start, end, mass, ok := shortestWindow(d.bins[:], 1, q)
	if !ok {
		return DayCell{}, false
	}
	return DayCell{N: l.n[k], Start: start * dayBinMinutes, End: end * dayBinMinutes, Mass: math.Round(mass*1e4) / 1e4}, true
}

// served is the finest kept cell of keys, "" when none is.
func (l *dayLearned) served(keys *dayKeys) string {
	for _, k := range keys {
		if _, ok := l.dist[k]; ok {
			return k
		}
	}
	return ""
}

// dayCalib counts the calibration slice's deliveries by the cell that
// would serve them and their half hour (bin dayBins: delivered on another
// day), for the two kinds of window.
type dayCalib struct {
	ofd, eta map[string]*[dayBins + 1]float64
}

func newDayCalib() *dayCalib {
	return &dayCalib{ofd: map[string]*[dayBins + 1]float64{}, eta: map[string]*[dayBins + 1]float64{}}
}

func countIn(m map[string]*[dayBins + 1]float64, k string, bin int) {
	c, ok := m[k]
	if !ok {
		c = new([dayBins + 1]float64)
		m[k] = c
	}
	c[bin]++
}

// add counts a calibration journey: its delivery hour in the pooled
// cell, and at every out-for-delivery scan before delivery the day and
// hour it came.
func (c *dayCalib) add(l *dayLearned, j *Journey) {
	d, ok := deliveryOf(j)
	if !ok {
		return
	}
	dest := Areas(j.Destination)
	keys := dayKeysFor(j.Carrier, j.Service, dest, ofdAny)
	if k := l.served(&keys); k != "" {
		countIn(c.eta, k, d.bin)
	}
	for _, sc := range j.Scans {
		if sc.Status == schemas.StatusDelivered {
			break
		}
		if sc.Status != schemas.StatusOutForDelivery {
			continue
		}
		day, min := localOf(sc)
		keys := dayKeysFor(j.Carrier, j.Service, dest, ofdBucket(min))
		k := l.served(&keys)
		if k == "" {
			continue
		}
		bin := d.bin
		if day != d.day {
			bin = dayBins
		}
		countIn(c.ofd, k, bin)
	}
}

// inFlight counts a calibration journey still in flight at the cut-off
// asOf: each out-for-delivery scan whose local day ended before asOf is
// known by then to have missed its day. Without them the calibration
// would see only the deliveries that came soon enough.
func (c *dayCalib) inFlight(l *dayLearned, j *Journey, asOf time.Time) {
	dest := Areas(j.Destination)
	for _, sc := range j.Scans {
		if !sc.Time.Before(asOf) {
			break
		}
		if sc.Status != schemas.StatusOutForDelivery {
			continue
		}
		day, min := localOf(sc)
		if end := (int64(day)+1)*86400 - int64(sc.OffsetMinutes)*60; asOf.Unix() < end {
			continue // its day was not over at the cut-off
		}
		keys := dayKeysFor(j.Carrier, j.Service, dest, ofdBucket(min))
		if k := l.served(&keys); k != "" {
			countIn(c.ofd, k, dayBins)
		}
	}
}

func (c *dayCalib) merge(o *dayCalib) {
	for _, p := range [][2]map[string]*[dayBins + 1]float64{{c.ofd, o.ofd}, {c.eta, o.eta}} {
		for k, v := range p[1] {
			mine, ok := p[0][k]
			if !ok {
				p[0][k] = v
				continue
			}
			for i, x := range v {
				mine[i] += x
			}
		}
	}
}

// choose is the least mass whose windows hold DayWindowTarget of the
// counted deliveries (the largest mass tried when none does; the target
// itself when fewer than dayMinCalibration were counted), and what they
// hold.
func (l *dayLearned) choose(counts map[string]*[dayBins + 1]float64) DayPath {
	var n float64
	for _, c := range counts {
		for _, v := range c {
			n += v
		}
	}
	coverage := func(q float64) float64 {
		if n == 0 {
			return 0
		}
		var in float64
		for k, c := range counts {
			w, ok := l.window(k, q)
			if !ok {
				continue
			}
			for b := w.Start / dayBinMinutes; b < w.End/dayBinMinutes; b++ {
				in += c[b]
			}
		}
		return in / n
	}
	masses := dayMasses
	if n < dayMinCalibration {
		masses = dayMasses[:1]
	}
	var best DayPath
	for _, q := range masses {
		best = DayPath{Mass: q, Coverage: math.Round(coverage(q)*1e4) / 1e4, N: int(n)}
		if best.Coverage >= DayWindowTarget {
			break
		}
	}
	return best
}

// finish is the artifact's windows: every kept cell's window at the mass
// its kind was calibrated to.
func (l *dayLearned) finish(c *dayCalib) *DayWindows {
	dw := &DayWindows{OutForDelivery: l.choose(c.ofd), ETADay: l.choose(c.eta), Cells: map[string]DayCell{}}
	for k := range l.dist {
		q := dw.OutForDelivery.Mass
		if strings.HasSuffix(k, "|"+OutForDeliveryBuckets[ofdAny]) {
			q = dw.ETADay.Mass
		}
		if w, ok := l.window(k, q); ok {
			dw.Cells[k] = w
		}
	}
	return dw
}
