package model

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strconv"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// featureRules describes how features are built. A model artifact stores
// its hash; a loader with other rules refuses the artifact. Change the
// text whenever Encoder changes.
const featureRules = `v6: bias; log1p elapsed hours; log1p scans; local hour sin/cos;
peak: the learned excess of log transit time of the destination country's ISO week a year before the local day;
promise: has, log1p hours to it (0 once passed), passed; by carrier|service and by stage too;
a linear spline of log1p hours to promise: tent functions at promiseKnots (two nonzero per row);
lane date: log1p hours to the end of the lane days' working days after the start day (label day plus label delay before it), passed, its tents at laneDateKnots, by stage;
log1p hours since the scan before, by stage; attempts and exceptions so far;
hol:k federal holiday k=1..7 local days ahead; st:status; sthour sin/cos by status; stel: log1p elapsed hours by status; wd:local weekday;
per carrier|service: cs, csst:status, cswd:weekday, cshol:holidays in the next 5 days, cspeak, cselapsed, csprom,
cspair and cssvcpair (the area pair's excess over every service and over the service, out of fold in training), csstd (the lane date);
o:area; d:area; lane:o>d, areas being regions (US: first ZIP digit; elsewhere country-region);
then empirical-Bayes offsets per carrier|service|o>d lane, shrunk along country > region > postal prefix;
a row not encoded for training reads the hours to the promise and the lane date within their stage's train range, then every feature but the tents within its own`

// FeatureSchema is the hash of the feature rules in this build.
func FeatureSchema() string {
	s := sha256.Sum256([]byte(featureRules))
	return "v6-" + hex.EncodeToString(s[:8])
}

// Feature name prefixes and the global numeric features.
const (
	fBias       = "bias"
	fElapsedLog = "elapsed_log"
	fScansLog   = "scans_log"
	fHourSin    = "hour_sin"
	fHourCos    = "hour_cos"
	fPeak       = "peak"
	fPromised   = "promised"
	fPromLog    = "promised_log"
	fPromPassed = "promised_passed"
	fAttempts   = "attempts"
	fExceptions = "exceptions"
	fStdLog     = "std_log"
	fStdPassed  = "std_passed"
	holidayDays = 7 // hol:1 … hol:7
	csHolDays   = 5 // cshol counts holidays in the next 5 days
)

// promiseKnots are the hours to the promise where the slope of the
// promise's effect may change. Feature "promk:<hours>" is the tent that
// is 1 at its knot (on the log1p scale) and falls linearly to 0 at the
// knots either side; the last is 1 beyond its knot. A row has at most two
// of them set, so the spline costs the normal equations little.
var promiseKnots = [...]float64{0, 12, 24, 36, 48, 72, 96, 144, 192, 336}

// laneDateKnots are the lane date's: the promise's, then three and six
// weeks, for lanes that take longer than a carrier's promise reaches (a
// national post's economy service, a marketplace's far states).
var laneDateKnots = [...]float64{0, 12, 24, 36, 48, 72, 96, 144, 192, 336, 504, 1008}

// promiseKnotLogs and laneDateKnotLogs are log1p of the knots.
var promiseKnotLogs, laneDateKnotLogs = knotLogs(promiseKnots[:]), knotLogs(laneDateKnots[:])

func knotLogs(hours []float64) []float64 {
	l := make([]float64, len(hours))
	for i, h := range hours {
		l[i] = math.Log1p(h)
	}
	return l
}

// Vocabulary lists the categories seen in training.
type Vocabulary struct {
	CarrierServices []string // "carrier|service"
	Areas           []string
	Lanes           []string // "o>d"
}

// csFeatures is the block of features each carrier|service owns, in order
// after "cs:<cs>".
func csFeatures(cs string) []string {
	names := []string{"cs:" + cs}
	for _, st := range schemas.Statuses {
		names = append(names, "csst:"+cs+"|"+string(st))
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		names = append(names, "cswd:"+cs+"|"+strconv.Itoa(int(d)))
	}
	return append(names, "cshol:"+cs, "cspeak:"+cs, "cselapsed:"+cs, "csprom:"+cs, "cspair:"+cs, "cssvcpair:"+cs, "csstd:"+cs)
}

// Offsets inside a carrier|service block (see csFeatures).
var (
	csOffStatus  = 1
	csOffWeekday = csOffStatus + len(schemas.Statuses)
	csOffHol     = csOffWeekday + 7
	csOffPeak    = csOffHol + 1
	csOffElapsed = csOffPeak + 1
	csOffPromise = csOffElapsed + 1
	csOffPair    = csOffPromise + 1
	csOffSvcPair = csOffPair + 1
	csOffStd     = csOffSvcPair + 1
)

// featureNames lays out the feature vector for a vocabulary.
func featureNames(v Vocabulary) []string {
	names := []string{fBias, fElapsedLog, fScansLog, fHourSin, fHourCos, fPeak, fPromised, fPromLog, fPromPassed, fAttempts, fExceptions,
		fStdLog, fStdPassed}
	for _, sg := range stages {
		names = append(names, "dwell:"+sg, "stprom:"+sg, "ststd:"+sg)
	}
	for _, k := range promiseKnots {
		names = append(names, "promk:"+strconv.Itoa(int(k)))
	}
	for _, k := range laneDateKnots {
		names = append(names, "stdk:"+strconv.Itoa(int(k)))
	}
	for k := 1; k <= holidayDays; k++ {
		names = append(names, "hol:"+strconv.Itoa(k))
	}
	for _, st := range schemas.Statuses {
		names = append(names, "st:"+string(st), "sthour_sin:"+string(st), "sthour_cos:"+string(st), "stel:"+string(st))
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		names = append(names, "wd:"+strconv.Itoa(int(d)))
	}
	for _, cs := range v.CarrierServices {
		names = append(names, csFeatures(cs)...)
	}
	for _, a := range v.Areas {
		names = append(names, "o:"+a, "d:"+a)
	}
	for _, l := range v.Lanes {
		names = append(names, "lane:"+l)
	}
	return names
}

// globalFeatures are the indices of the global numeric features (-1 for
// a name the layout lacks).
type globalFeatures struct {
	bias, elapsedLog, scansLog, hourSin, hourCos, peak int
	// The promise's: has one, log1p hours to it, passed.
	promised, promLog, promPassed int
	attempts, exceptions          int
}

// statusFeatures are the indices of one status's features.
type statusFeatures struct{ st, hourSin, hourCos, elapsed int }

// noStatus is statusFeatures of a status the layout does not know.
var noStatus = statusFeatures{-1, -1, -1, -1}

// Encoder turns snapshots into sparse feature vectors. It is immutable
// and safe for concurrent use; per-goroutine scratch lives in Row.
type Encoder struct {
	names  []string
	index  map[string]int
	global globalFeatures
	dwell  [len(stages)]int // by stageIndex
	stprom [len(stages)]int
	promk  [len(promiseKnots)]int
	// promise marks the features a promise sets, peakFeature the peak's.
	promise, peakFeature []bool
	hol                  [holidayDays]int
	status               [schemas.StatusCount]statusFeatures // by Status.Ordinal
	wd                   [7]int
	cs                   map[[2]string]int // carrier, service → block start
	orig                 map[string]int
	dest                 map[string]int
	lanes                map[[2]string]int
	// peaks gives the peak feature's value (the model's PeakWeeks).
	peaks PeakWeeks
	// pairs gives the area pair's feature (the model's AreaPairs);
	// foldPairs, during training only, each fold's from the other folds'
	// shipments (Row.Fold).
	pairs     AreaPairs
	foldPairs [pairFolds]AreaPairs
	// laneDays turns a lane into its date (the model's LaneDays).
	laneDays   LaneDays
	labelDelay LabelDelay
	// ranges, once the fit pass has measured them, bound every row not
	// encoded for training (Row.Fold 0): FeatureRanges.
	ranges *FeatureRanges
	// tent marks the splines' tents, which their bounded hours keep in
	// [0, 1] summing to 1: clamped one by one they would not sum to 1.
	tent []bool
	// The lane date's features: log1p hours to it, passed, its spline's
	// tents, and by stage.
	stdLog, stdPassed int
	stdk              [len(laneDateKnots)]int
	ststd             [len(stages)]int
}

// NewEncoder returns an encoder for the given feature names (a model's
// layout). Missing names contribute nothing.
func NewEncoder(names []string) *Encoder {
	e := &Encoder{names: names, index: make(map[string]int, len(names)),
		cs:   map[[2]string]int{},
		orig: map[string]int{}, dest: map[string]int{}, lanes: map[[2]string]int{}}
	for i, n := range names {
		e.index[n] = i
	}
	at := func(n string) int {
		if i, ok := e.index[n]; ok {
			return i
		}
		return -1
	}
	e.global = globalFeatures{
		bias: at(fBias), elapsedLog: at(fElapsedLog), scansLog: at(fScansLog),
		hourSin: at(fHourSin), hourCos: at(fHourCos), peak: at(fPeak),
		promised: at(fPromised), promLog: at(fPromLog), promPassed: at(fPromPassed),
		attempts: at(fAttempts), exceptions: at(fExceptions),
	}
	e.stdLog, e.stdPassed = at(fStdLog), at(fStdPassed)
	for i, sg := range stages {
		e.dwell[i] = at("dwell:" + sg)
		e.stprom[i] = at("stprom:" + sg)
		e.ststd[i] = at("ststd:" + sg)
	}
	for k := range e.hol {
		e.hol[k] = at("hol:" + strconv.Itoa(k+1))
	}
	for k, h := range promiseKnots {
		e.promk[k] = at("promk:" + strconv.Itoa(int(h)))
	}
	for k, h := range laneDateKnots {
		e.stdk[k] = at("stdk:" + strconv.Itoa(int(h)))
	}
	for i, st := range schemas.Statuses {
		e.status[i] = statusFeatures{at("st:" + string(st)), at("sthour_sin:" + string(st)), at("sthour_cos:" + string(st)), at("stel:" + string(st))}
	}
	for d := range e.wd {
		e.wd[d] = at("wd:" + strconv.Itoa(d))
	}
	for i, n := range names {
		switch {
		case len(n) > 3 && n[:3] == "cs:":
			c, s, _ := cut(n[3:], '|')
			e.cs[[2]string{c, s}] = i
		case len(n) > 2 && n[:2] == "o:":
			e.orig[n[2:]] = i
		case len(n) > 2 && n[:2] == "d:":
			e.dest[n[2:]] = i
		case len(n) > 5 && n[:5] == "lane:":
			o, d, _ := cut(n[5:], '>')
			e.lanes[[2]string{o, d}] = i
		}
	}
	e.promise = make([]bool, len(names))
	for _, i := range e.promiseFeatures() {
		e.promise[i] = true
	}
	e.tent = make([]bool, len(names))
	for _, i := range appendSet(appendSet(nil, e.promk[:]...), e.stdk[:]...) {
		e.tent[i] = true
	}
	e.peakFeature = make([]bool, len(names))
	if e.global.peak >= 0 {
		e.peakFeature[e.global.peak] = true
	}
	for _, b := range e.cs {
		e.peakFeature[b+csOffPeak] = true
	}
	return e
}

func cut(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// sharedFeatures is how many leading features rows of any lane may set:
// those before the first carrier×service block or area. A lane's rows set
// only these, its own block and its three area features.
func (e *Encoder) sharedFeatures() int {
	n := len(e.names)
	for _, m := range []map[string]int{e.orig, e.dest} {
		for _, i := range m {
			n = min(n, i)
		}
	}
	for _, i := range e.cs {
		n = min(n, i)
	}
	for _, i := range e.lanes {
		n = min(n, i)
	}
	return n
}

// Len is the number of features.
func (e *Encoder) Len() int { return len(e.names) }

// Row is a sparse feature vector and the encoder's per-journey cache. Its
// zero value is ready; reuse one per goroutine.
type Row struct {
	Idx []int32
	Val []float64

	cached     bool
	key        [4]string // carrier, service, origin, destination of the cache
	csBlock    int
	o, d, lane int
	cal        calendarID // the destination country's, for the key's destination area
	country    string     // the destination country
	// Fold, during training, is 1 to pairFolds for a train shipment: its
	// area pair's feature is then learned from the other folds' shipments only,
	// so a train row never reads its own outcome (out-of-fold encoding).
	// 0, as served, reads every train shipment's.
	Fold int
	// ownPeak, in the fit pass only, gives a row whose week a year back
	// the history lacks its own week's peak excess (PeakWeeks.ownWeek);
	// readOwnPeak says the last Encode did.
	ownPeak, readOwnPeak bool

	pairCached    bool
	pairKey       pairCacheKey
	pair, svcPair float64 // the area pair's excesses (AreaPairs)
	// laneDays is the lane's working days (LaneDays), 0 with hasDays false
	// for a carrier×service without a line.
	laneDays float64
	hasDays  bool
	saturday bool // the lane days count Saturdays
}

// pairCacheKey is what a row's area pair and lane days depend on.
type pairCacheKey struct {
	o, d             AreaPath
	carrier, service string
	fold             int
}

func (r *Row) set(i int, v float64) {
	if i >= 0 && v != 0 {
		r.Idx = append(r.Idx, int32(i))
		r.Val = append(r.Val, v)
	}
}

// Encode writes the features of s into r. Categories not seen in training
// contribute nothing.
func (e *Encoder) Encode(s *Snapshot, r *Row) {
	r.Idx, r.Val = r.Idx[:0], r.Val[:0]
	if k := [4]string{s.Carrier, s.Service, s.OriginArea, s.DestArea}; !r.cached || k != r.key {
		r.key, r.cached = k, true
		r.csBlock, r.o, r.d, r.lane = lookup(e.cs, [2]string{s.Carrier, s.Service}), lookup(e.orig, s.OriginArea),
			lookup(e.dest, s.DestArea), lookup(e.lanes, [2]string{s.OriginArea, s.DestArea})
		r.cal = s.calendar()
		r.country = s.destCountry()
	}
	if k := (pairCacheKey{s.OriginAreas, s.DestAreas, s.Carrier, s.Service, r.Fold}); !r.pairCached || k != r.pairKey {
		r.pairCached, r.pairKey = true, k
		pairs := e.pairs
		if r.Fold > 0 {
			pairs = e.foldPairs[r.Fold-1]
		}
		r.pair = pairs.of(pairAll, &s.OriginAreas, &s.DestAreas)
		r.svcPair = pairs.of(pairService(s.Carrier+"|"+s.Service), &s.OriginAreas, &s.DestAreas)
		line, ok := e.laneDays[s.Carrier+"|"+s.Service]
		r.hasDays = ok
		r.laneDays = 0
		if ok {
			r.laneDays = math.Expm1(line[0] + line[1]*r.pair + line[2]*r.svcPair)
			r.saturday = line[3] == 1
			// Slopes finite one by one can still overflow together.
			r.hasDays = !math.IsNaN(r.laneDays)
		}
	}
	day, secs := s.localDay()
	hs, hc := hourSinCos[secs/60][0], hourSinCos[secs/60][1]
	elapsed := math.Log1p(math.Max(s.ElapsedHours, 0))
	peak, yearBack := e.peaks.excess(r.country, day)
	r.readOwnPeak = false
	if r.ownPeak && !yearBack {
		peak = e.peaks.ownWeek(r.country, day)
		r.readOwnPeak = peak != 0
	}
	hol5 := 0.0

	g := e.global
	r.set(g.bias, 1)
	r.set(g.elapsedLog, elapsed)
	r.set(g.scansLog, log1pCount(s.Scans))
	r.set(g.hourSin, hs)
	r.set(g.hourCos, hc)
	r.set(g.peak, peak)
	r.set(g.attempts, float64(s.Attempts))
	r.set(g.exceptions, float64(s.Exceptions))
	si := stageIndex(s.Status)
	r.set(e.dwell[si], math.Log1p(math.Max(s.PrevDwellHours, 0)))
	var promLog float64
	if !s.Promised.IsZero() {
		left := s.Promised.Sub(s.At).Hours()
		// The hours to the promise, and below to the lane date, are read
		// within the range their stage had on the train slice, so every
		// feature made of them says the same thing.
		promLog = e.bound(r, e.stprom[si], math.Log1p(math.Max(left, 0)))
		r.set(g.promised, 1)
		r.set(g.promLog, promLog)
		r.set(e.stprom[si], promLog)
		setSpline(r, e.promk[:], promiseKnotLogs, promLog)
		if left < 0 {
			r.set(g.promPassed, 1)
		}
	}
	var stdLog float64
	if r.hasDays {
		days := r.laneDays
		if !s.Started {
			days += e.labelDelay.of(s.Carrier, labelSlotOf(s, r.cal))
		}
		left := hoursToLaneDate(s, r.cal, days, r.saturday)
		stdLog = e.bound(r, e.ststd[si], math.Log1p(math.Max(left, 0)))
		r.set(e.stdLog, stdLog)
		r.set(e.ststd[si], stdLog)
		setSpline(r, e.stdk[:], laneDateKnotLogs, stdLog)
		if left < 0 {
			r.set(e.stdPassed, 1)
		}
	}
	hols := r.cal.holidays()
	for k := range e.hol {
		if testBit(hols, day+int32(k)+1) {
			r.set(e.hol[k], 1)
			if k < csHolDays {
				hol5++
			}
		}
	}
	so := s.Status.Ordinal()
	st := noStatus
	if so >= 0 {
		st = e.status[so]
	}
	r.set(st.st, 1)
	r.set(st.hourSin, hs)
	r.set(st.hourCos, hc)
	r.set(st.elapsed, elapsed)
	wd := int((day%7 + 7 + 4) % 7) // 1970-01-01 was a Thursday
	r.set(e.wd[wd], 1)
	if b := r.csBlock; b >= 0 {
		r.set(b, 1)
		if so >= 0 {
			r.set(b+csOffStatus+so, 1)
		}
		r.set(b+csOffWeekday+wd, 1)
		r.set(b+csOffHol, hol5)
		r.set(b+csOffPeak, peak)
		r.set(b+csOffElapsed, elapsed)
		r.set(b+csOffPromise, promLog)
		r.set(b+csOffPair, r.pair)
		r.set(b+csOffSvcPair, r.svcPair)
		r.set(b+csOffStd, stdLog)
	}
	r.set(r.o, 1)
	r.set(r.d, 1)
	r.set(r.lane, 1)
	r.sort()
	if e.ranges != nil && r.Fold == 0 {
		e.ranges.clamp(r, e.tent)
	}
}

// bound is v within feature i's train range (FeatureRanges), for a row
// not encoded for training; v itself for a training row, before the
// ranges are known, for 0, which sets no feature, and where the train
// slice never set feature i, which then says nothing of v's range.
func (e *Encoder) bound(r *Row, i int, v float64) float64 {
	if e.ranges == nil || r.Fold != 0 || i < 0 || v == 0 {
		return v
	}
	lo, hi := e.ranges.Min[i], e.ranges.Max[i]
	if lo == 0 && hi == 0 {
		return v
	}
	return min(max(v, lo), hi)
}

// setSpline sets the two tents around x (log1p hours to a promise or
// lane date) among the tents at idx, whose knots are k (log1p hours).
func setSpline(r *Row, idx []int, k []float64, x float64) {
	last := len(k) - 1
	if x >= k[last] {
		r.set(idx[last], 1)
		return
	}
	j := 0
	for x >= k[j+1] {
		j++
	}
	w := (x - k[j]) / (k[j+1] - k[j])
	r.set(idx[j], 1-w)
	r.set(idx[j+1], w)
}

// sort orders the row by index; Encode's rows are nearly sorted already.
func (r *Row) sort() {
	for i := 1; i < len(r.Idx); i++ {
		for j := i; j > 0 && r.Idx[j] < r.Idx[j-1]; j-- {
			r.Idx[j], r.Idx[j-1] = r.Idx[j-1], r.Idx[j]
			r.Val[j], r.Val[j-1] = r.Val[j-1], r.Val[j]
		}
	}
}

func lookup[K comparable](m map[K]int, k K) int {
	if i, ok := m[k]; ok {
		return i
	}
	return -1
}

// Dot is the product of a sparse row and dense coefficients.
func (r *Row) Dot(coef []float64) float64 {
	var s float64
	for k, i := range r.Idx {
		s += r.Val[k] * coef[i]
	}
	return s
}

// promiseFeatures are the indices of the features a promise sets.
func (e *Encoder) promiseFeatures() []int {
	var out []int
	for _, i := range [...]int{e.global.promised, e.global.promLog, e.global.promPassed} {
		if i >= 0 {
			out = append(out, i)
		}
	}
	for _, b := range e.cs {
		out = append(out, b+csOffPromise)
	}
	return appendSet(appendSet(out, e.promk[:]...), e.stprom[:]...)
}

// servedPeak copies src into dst as served: without the peak features
// when src read its own week's excess (Row.ownPeak), as is otherwise.
func (e *Encoder) servedPeak(src, dst *Row) *Row {
	if !src.readOwnPeak {
		return src
	}
	copyWithout(src, dst, e.peakFeature)
	return dst
}

// encodeBoth encodes s into row and returns the row the lane fit reads:
// row itself when s has no promise, else hid, filled with row less the
// promise features.
func (e *Encoder) encodeBoth(s *Snapshot, row, hid *Row) *Row {
	e.Encode(s, row)
	if s.Promised.IsZero() {
		return row
	}
	e.dropPromise(row, hid)
	return hid
}

// dropPromise copies src into dst without the promise features: the row
// of the same snapshot had the carrier made no promise.
func (e *Encoder) dropPromise(src, dst *Row) { copyWithout(src, dst, e.promise) }

// copyWithout copies src into dst without the features drop marks.
func copyWithout(src, dst *Row, drop []bool) {
	dst.Idx, dst.Val = dst.Idx[:0], dst.Val[:0]
	for k, i := range src.Idx {
		if drop[i] {
			continue
		}
		dst.Idx = append(dst.Idx, i)
		dst.Val = append(dst.Val, src.Val[k])
	}
}

// hourSinCos is the sine and cosine of the local time of day at each
// minute, a day being one turn.
var hourSinCos = func() (t [24 * 60][2]float64) {
	for m := range t {
		t[m][0], t[m][1] = math.Sincos(2 * math.Pi * float64(m) / (24 * 60))
	}
	return t
}()

// log1pCounts caches log1p of small counts.
var log1pCounts = func() (t [64]float64) {
	for i := range t {
		t[i] = math.Log1p(float64(i))
	}
	return t
}()

func log1pCount(n int) float64 {
	if n >= 0 && n < len(log1pCounts) {
		return log1pCounts[n]
	}
	return math.Log1p(float64(n))
}

// CarrierServiceFeatures are the feature names a "carrier|service" owns,
// in the order an artifact lists them.
func CarrierServiceFeatures(cs string) []string { return csFeatures(cs) }

// laneDateFeatures are the indices of the features the area pairs and
// the lane date set.
func (e *Encoder) laneDateFeatures() []int {
	var out []int
	for _, i := range [...]int{e.stdLog, e.stdPassed} {
		if i >= 0 {
			out = append(out, i)
		}
	}
	for _, b := range e.cs {
		out = append(out, b+csOffPair, b+csOffSvcPair, b+csOffStd)
	}
	return appendSet(appendSet(out, e.stdk[:]...), e.ststd[:]...)
}

// appendSet appends the feature indexes that are set (not negative).
func appendSet(out []int, idx ...int) []int {
	for _, i := range idx {
		if i >= 0 {
			out = append(out, i)
		}
	}
	return out
}
