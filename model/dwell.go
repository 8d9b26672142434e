package model

// dwellAcc collects, per carrier and status, the time to the next scan.
type dwellAcc struct{ h map[string]*hist }

func newDwellAcc() *dwellAcc { return &dwellAcc{h: map[string]*hist{}} }

// add records the dwell after every scan of a journey up to its delivery.
func (a *dwellAcc) add(j *Journey) {
	for k := 0; k+1 < len(j.Scans); k++ {
		sc := j.Scans[k]
		if sc.Status.Terminal() {
			break
		}
		key := j.Carrier + "|" + string(sc.Status)
		h, ok := a.h[key]
		if !ok {
			h = newHist(0, 8, 0.01) // log1p(hours): up to about 124 days
			a.h[key] = h
		}
		h.add(hoursTarget(j.Scans[k+1].Time.Sub(sc.Time).Hours()), 1)
	}
}

func (a *dwellAcc) finish() map[string]Dwell {
	out := make(map[string]Dwell, len(a.h))
	for k, h := range a.h {
		out[k] = Dwell{N: int(h.total), P50Hours: targetHours(h.quantile(0.5)),
			P90Hours: targetHours(h.quantile(0.9)), P99Hours: targetHours(h.quantile(0.99))}
	}
	return out
}
