package model

import (
	"math"
	"strconv"
	"strings"

	"github.com/parcelcast/parcelcast/schemas"
)

// dwellAcc collects the time to the next scan: per carrier and status in
// calendar hours (Model.Dwell), and per leg in working hours
// (Model.DwellLegs); and, of the journeys delivered by their promise, how
// long before it they went out for delivery (Model.OutForDelivery). Each
// carrier's status histograms are indexed by Status.Ordinal, so a journey
// costs one map lookup there.
type dwellAcc struct {
	h     map[string]*[schemas.StatusCount]*hist
	legs  map[string]*hist
	leads map[string]*hist
}

func newDwellAcc() *dwellAcc {
	return &dwellAcc{h: map[string]*[schemas.StatusCount]*hist{}, legs: map[string]*hist{}, leads: map[string]*hist{}}
}

// newDwellHist holds log1p(hours): up to about 124 days.
func newDwellHist() *hist { return newHist(0, 8, 0.01) }

// add records the dwell after every scan of a journey up to its delivery.
func (a *dwellAcc) add(j *Journey) {
	hs := a.h[j.Carrier]
	if hs == nil {
		hs = new([schemas.StatusCount]*hist)
		a.h[j.Carrier] = hs
	}
	band := promisedBand(j)
	origin, dest := countryCode(j.Origin), countryCode(j.Destination)
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
			h = newDwellHist()
			hs[o] = h
		}
		next := j.Scans[k+1].Time
		h.add(math.Log1p(next.Sub(sc.Time).Hours()), 1)
		work := math.Log1p(WorkingHours(legCountry(j, k, origin, dest), sc.OffsetMinutes, sc.Time, next).Hours())
		fine, coarse := dwellLegKeys(j, k, band)
		for _, key := range [...]string{fine, coarse} {
			lh := a.legs[key]
			if lh == nil {
				lh = newDwellHist()
				a.legs[key] = lh
			}
			lh.add(work, 1)
		}
	}
	a.addLead(j)
}

// addLead records, for a journey delivered by its promise, the hours from
// its first out-for-delivery scan to the promise.
func (a *dwellAcc) addLead(j *Journey) {
	if j.Promised.IsZero() {
		return
	}
	at, ok := j.DeliveredAt()
	if !ok || at.After(j.Promised) {
		return
	}
	for _, sc := range j.Scans {
		if sc.Status != schemas.StatusOutForDelivery {
			continue
		}
		if lead := j.Promised.Sub(sc.Time).Hours(); lead >= 0 {
			for _, key := range [...]string{j.Carrier + "|" + j.Service, j.Carrier + "|*"} {
				h := a.leads[key]
				if h == nil {
					h = newDwellHist()
					a.leads[key] = h
				}
				h.add(math.Log1p(lead), 1)
			}
		}
		return
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
	mergeHists(a.legs, o.legs)
	mergeHists(a.leads, o.leads)
}

func mergeHists(mine, theirs map[string]*hist) {
	for k, h := range theirs {
		if m := mine[k]; m != nil {
			m.merge(h)
		} else {
			mine[k] = h
		}
	}
}

func dwellOf(h *hist) Dwell {
	return Dwell{N: int(h.total), P50Hours: math.Expm1(h.quantile(0.5)), P90Hours: math.Expm1(h.quantile(0.9)),
		P99Hours: math.Expm1(h.quantile(0.99)), P999Hours: math.Expm1(h.quantile(0.999))}
}

func (a *dwellAcc) finish() map[string]Dwell {
	out := map[string]Dwell{}
	for c, hs := range a.h {
		for i, h := range hs {
			if h == nil {
				continue
			}
			out[c+"|"+string(schemas.Statuses[i])] = dwellOf(h)
		}
	}
	return out
}

// finishLegs is Model.DwellLegs.
func (a *dwellAcc) finishLegs() map[string]Dwell {
	out := make(map[string]Dwell, len(a.legs))
	for k, h := range a.legs {
		out[k] = dwellOf(h)
	}
	return out
}

// finishLeads is Model.OutForDelivery.
func (a *dwellAcc) finishLeads() map[string]Lead {
	out := make(map[string]Lead, len(a.leads))
	for k, h := range a.leads {
		out[k] = Lead{N: int(h.total), P01Hours: math.Expm1(h.quantile(0.01)), P10Hours: math.Expm1(h.quantile(0.1)),
			P50Hours: math.Expm1(h.quantile(0.5))}
	}
	return out
}

// Lead is how long before its promise a parcel that made it went out for
// delivery, in hours: its low quantiles, the latest an on-time parcel
// goes out.
type Lead struct {
	N        int     `json:"n"`
	P01Hours float64 `json:"p01_hours"`
	P10Hours float64 `json:"p10_hours"`
	P50Hours float64 `json:"p50_hours"`
}

// maxHop and maxBand cap a leg's hop and promised days: the last value
// stands for it and all above.
const (
	maxHop  = 2
	maxBand = 6
)

// DwellLegKeys are the keys of Model.DwellLegs for scan k of j, the fine
// one and the coarse one: carrier|service|status|hop|band, where hop is
// how many scans of the same status came before (the origin facility,
// the hub, the destination facility …) and band is the working days from
// the first scan to the promise (the lane's length as the carrier
// counts it; "-" without a promise, "*" in the coarse key).
func DwellLegKeys(j *Journey, k int) (fine, coarse string) {
	return dwellLegKeys(j, k, promisedBand(j))
}

func dwellLegKeys(j *Journey, k int, band string) (fine, coarse string) {
	st := j.Scans[k].Status
	hop := 0
	for i := 0; i < k && hop < maxHop; i++ {
		if j.Scans[i].Status == st {
			hop++
		}
	}
	base := j.Carrier + "|" + j.Service + "|" + string(st) + "|" + strconv.Itoa(hop) + "|"
	return base + band, base + "*"
}

// promisedBand is the band of DwellLegKeys.
func promisedBand(j *Journey) string {
	if j.Promised.IsZero() || len(j.Scans) == 0 {
		return "-"
	}
	first := j.Scans[0]
	return strconv.Itoa(min(BusinessDaysBetween(countryCode(j.Destination), first.Time, j.Promised, first.OffsetMinutes), maxBand))
}

// countryCode is a location's ISO country code as the calendars key it.
func countryCode(l schemas.Location) string { return strings.ToUpper(strings.TrimSpace(l.Country)) }

// DwellCell is one learned dwell a scan falls in; Working tells that it
// is counted in working hours (a leg cell), not calendar hours.
type DwellCell struct {
	Dwell
	Working bool
}

// DwellCells are the learned dwells of scan k of j, finest first: its
// fine and coarse leg cells (DwellLegKeys, nil in an artifact trained
// before them), then its carrier and status cell. Cells the model lacks
// or whose figures are not a distribution are left out.
func (m *Model) DwellCells(j *Journey, k int) []DwellCell {
	var out []DwellCell
	fine, coarse := DwellLegKeys(j, k)
	for _, key := range [...]string{fine, coarse} {
		if d, ok := m.DwellLegs[key]; ok && d.valid() {
			out = append(out, DwellCell{Dwell: d, Working: true})
		}
	}
	if d, ok := m.DwellFor(j.Carrier, j.Scans[k].Status); ok && d.valid() {
		out = append(out, DwellCell{Dwell: d})
	}
	return out
}

func (d Dwell) valid() bool {
	return finite(d.P50Hours) && finite(d.P90Hours) && finite(d.P99Hours) && finite(d.P999Hours) &&
		d.P50Hours >= 0 && d.P90Hours >= d.P50Hours && d.P99Hours >= d.P90Hours
}

// OutForDeliveryLead is the lead of a carrier's service (else of the
// carrier's services together) with at least minN on-time deliveries.
func (m *Model) OutForDeliveryLead(carrier, service string, minN int) (Lead, bool) {
	for _, key := range [...]string{carrier + "|" + service, carrier + "|*"} {
		if l, ok := m.OutForDelivery[key]; ok && l.N >= minN && finite(l.P01Hours) && finite(l.P10Hours) &&
			finite(l.P50Hours) && l.P01Hours >= 0 && l.P10Hours >= l.P01Hours && l.P50Hours >= l.P10Hours {
			return l, true
		}
	}
	return Lead{}, false
}

// legCountry is whose working days count a dwell after scan k of j: the
// origin's before the parcel leaves its first facility, else the
// destination's (a journey carries no scan locations).
func legCountry(j *Journey, k int, origin, dest string) string {
	switch j.Scans[k].Status {
	case schemas.StatusInfoReceived, schemas.StatusPickedUp:
		return origin
	case schemas.StatusDepartedFacility:
		for i := 0; i < k; i++ {
			if j.Scans[i].Status == schemas.StatusDepartedFacility {
				return dest
			}
		}
		return origin
	}
	return dest
}
