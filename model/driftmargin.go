package model

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The interval's drift margin. The calibration slice's residuals say how
// wrong the model is in the weeks just before the cut-off; the test slice
// (and production after it) is later, and a history whose level moves
// from week to week in ways the features do not explain (a strike, a
// slow season, a carrier's bad month) is wrong there by a shift those
// residuals do not hold. How far a week's mean residual strays from the
// weeks before it is measured on the train slice, in the split's own
// geometry: for every week o, the gap between the mean residual of each
// of the H weeks from o and that of the K weeks before o (K the
// calibration slice's weeks, H the test slice's), less the gap their
// sampling noise explains, by destination country. Its mean square is the
// variance of the shift; the residual quantiles are widened by a normal
// shift of that variance (the residual histograms are convolved with it).

// driftMargin is off only in the tests that show what the margin
// changes.
var driftMargin = true

// driftWeek is the week of a first scan, counted from the Unix epoch.
func driftWeek(t time.Time) int64 { return t.Unix() / (7 * 86400) }

// weekKeys are the lane keys the fit pass sums a journey's rows under for
// the drift margin: its destination country and first-scan week, the
// same at every level. (By region, the weeks of a history of a few
// thousand shipments are too thin: their noise hides the shift.)
func weekKeys(j *Journey) laneKeys {
	var k laneKeys
	key := journeyCountry(j) + "#" + strconv.FormatInt(driftWeek(j.Scans[0].Time), 10)
	for l := range k {
		k[l] = key
	}
	return k
}

// driftSpread is the standard deviation, on target t's scale, of a week's
// mean residual's shift from the mean of the calibWeeks weeks before it,
// for the testWeeks weeks from it, with coefficients coef and a row's
// residual variance sigma2 (a week's mean of m shipments has noise
// sigma2/m). It is 0 when the train slice is too short to hold one such
// span.
func (l *laneStats) driftSpread(coef []float64, t int, sigma2 float64, calibWeeks, testWeeks int) float64 {
	if !driftMargin || calibWeeks < 1 || testWeeks < 1 {
		return 0
	}
	type week struct {
		resid, rows, shipments float64
	}
	countries := map[string]map[int64]week{}
	for _, key := range slices.Sorted(maps.Keys(l.lanes)) {
		s := l.lanes[key]
		if s.rows == 0 || s.shipments == 0 {
			continue
		}
		i := strings.LastIndexByte(key, '#')
		wk, err := strconv.ParseInt(key[i+1:], 10, 64)
		if err != nil {
			continue
		}
		r := key[:i]
		if countries[r] == nil {
			countries[r] = map[int64]week{}
		}
		countries[r][wk] = week{s.sumY[t] - s.sumX.dot(coef), float64(s.rows), float64(s.shipments)}
	}
	var sum, n float64
	for _, r := range slices.Sorted(maps.Keys(countries)) {
		ws := countries[r]
		order := slices.Sorted(maps.Keys(ws))
		lo, hi := order[0], order[len(order)-1]
		for o := lo + int64(calibWeeks); o <= hi; o++ {
			var b week
			for w := o - int64(calibWeeks); w < o; w++ {
				if s, ok := ws[w]; ok {
					b.resid, b.rows, b.shipments = b.resid+s.resid, b.rows+s.rows, b.shipments+s.shipments
				}
			}
			if b.rows == 0 {
				continue
			}
			for w := o; w < o+int64(testWeeks) && w <= hi; w++ {
				s, ok := ws[w]
				if !ok {
					continue
				}
				d := s.resid/s.rows - b.resid/b.rows
				// Weighted by the week's rows, as the test slice scores
				// them.
				sum += s.rows * (d*d - sigma2/s.shipments - sigma2/b.shipments)
				n += s.rows
			}
		}
	}
	if n == 0 {
		return 0
	}
	return math.Sqrt(math.Max(sum/n, 0))
}

// spanWeeks is how many whole or part weeks [from, to) spans.
func spanWeeks(from, to time.Time) int {
	return int(math.Ceil(to.Sub(from).Hours() / (7 * 24)))
}

// blurred is h convolved with a normal of standard deviation sd: the
// distribution of a residual plus an independent normal shift. The
// weights' total and squares are h's, so its effective number is too.
func (h *hist) blurred(sd float64) *hist {
	if sd <= 0 || len(h.w) == 0 {
		return h
	}
	reach := int(math.Ceil(4 * sd / h.width))
	kernel := make([]float64, 2*reach+1)
	var ksum float64
	for i := range kernel {
		x := float64(i-reach) * h.width / sd
		kernel[i] = math.Exp(-x * x / 2)
		ksum += kernel[i]
	}
	out := &hist{lo: h.lo, width: h.width, bins: h.bins, total: h.total, sq: h.sq}
	for i, w := range h.w {
		if w == 0 {
			continue
		}
		for j, k := range kernel {
			b := min(max(h.first+i+j-reach, 0), h.bins-1)
			*out.slot(b) += w * k / ksum
		}
	}
	return out
}
