package model

import (
	"math"

	"github.com/parcelcast/parcelcast/schemas"
)

// dwellAcc collects, per carrier and status, the time to the next scan.
type dwellAcc struct{ h map[dwellKey]*hist }

type dwellKey struct {
	carrier string
	status  schemas.Status
}

func newDwellAcc() *dwellAcc { return &dwellAcc{h: map[dwellKey]*hist{}} }

// add records the dwell after every scan of a journey up to its delivery.
func (a *dwellAcc) add(j *Journey) {
	for k := 0; k+1 < len(j.Scans); k++ {
		sc := j.Scans[k]
		if sc.Status.Terminal() {
			break
		}
		key := dwellKey{j.Carrier, sc.Status}
		h, ok := a.h[key]
		if !ok {
			h = newHist(0, 8, 0.01) // log1p(hours): up to about 124 days
			a.h[key] = h
		}
		h.add(math.Log1p(j.Scans[k+1].Time.Sub(sc.Time).Hours()), 1)
	}
}

func (a *dwellAcc) merge(o *dwellAcc) {
	for k, h := range o.h {
		if mine, ok := a.h[k]; ok {
			mine.merge(h)
		} else {
			a.h[k] = h
		}
	}
}

func (a *dwellAcc) finish() map[string]Dwell {
	out := make(map[string]Dwell, len(a.h))
	for k, h := range a.h {
		out[k.carrier+"|"+string(k.status)] = Dwell{N: int(h.total), P50Hours: math.Expm1(h.quantile(0.5)),
			P90Hours: math.Expm1(h.quantile(0.9)), P99Hours: math.Expm1(h.quantile(0.99))}
	}
	return out
}
