package model

import (
	"math"

	"github.com/parcelcast/parcelcast/schemas"
)

// dwellAcc collects, per carrier and status, the time to the next scan.
// Each carrier's histograms are indexed by Status.Ordinal, so a journey
// costs one map lookup.
type dwellAcc struct {
	h map[string]*[schemas.StatusCount]*hist
}

func newDwellAcc() *dwellAcc { return &dwellAcc{h: map[string]*[schemas.StatusCount]*hist{}} }

// add records the dwell after every scan of a journey up to its delivery.
func (a *dwellAcc) add(j *Journey) {
	hs := a.h[j.Carrier]
	if hs == nil {
		hs = new([schemas.StatusCount]*hist)
		a.h[j.Carrier] = hs
	}
	for k := 0; k+1 < len(j.Scans); k++ {
		sc := j.Scans[k]
		if sc.Status.Terminal() {
			break
		}
		o := sc.Status.Ordinal()
		if o < 0 {
			continue
		}
		h := hs[o]
		if h == nil {
			h = newHist(0, 8, 0.01) // log1p(hours): up to about 124 days
			hs[o] = h
		}
		h.add(math.Log1p(j.Scans[k+1].Time.Sub(sc.Time).Hours()), 1)
	}
}

func (a *dwellAcc) merge(o *dwellAcc) {
	for c, theirs := range o.h {
		mine := a.h[c]
		if mine == nil {
			a.h[c] = theirs
			continue
		}
		for i, h := range theirs {
			switch {
			case h == nil:
			case mine[i] == nil:
				mine[i] = h
			default:
				mine[i].merge(h)
			}
		}
	}
}

func (a *dwellAcc) finish() map[string]Dwell {
	out := map[string]Dwell{}
	for c, hs := range a.h {
		for i, h := range hs {
			if h == nil {
				continue
			}
			out[c+"|"+string(schemas.Statuses[i])] = Dwell{N: int(h.total), P50Hours: math.Expm1(h.quantile(0.5)),
				P90Hours: math.Expm1(h.quantile(0.9)), P99Hours: math.Expm1(h.quantile(0.99))}
		}
	}
	return out
}
