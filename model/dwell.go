package model

import (
	"math"
	"strconv"
	"strings"
	"time"

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
	legs  map[[2]string]*legHists // by carrier and service
	leads map[[2]string]*hist     // by carrier and service, "*" for all
}

// legHists are one carrier service's leg histograms by status ordinal,
// hop and band slot (bandSlot).
type legHists [schemas.StatusCount][maxHop + 1][bandSlots]*hist

// A band slot is the promised working days 0…maxBand, then bandNone (no
// promise), then bandAny (the coarse cell).
const (
	bandNone  = maxBand + 1
	bandAny   = maxBand + 2
	bandSlots = maxBand + 3
)

func bandName(slot int) string {
	switch slot {
	case bandNone:
		return "-"
	case bandAny:
		return "*"
	}
	return strconv.Itoa(slot)
}

func newDwellAcc() *dwellAcc {
	return &dwellAcc{h: map[string]*[schemas.StatusCount]*hist{}, legs: map[[2]string]*legHists{}, leads: map[[2]string]*hist{}}
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
	lh := a.legs[[2]string{j.Carrier, j.Service}]
	if lh == nil {
		lh = new(legHists)
		a.legs[[2]string{j.Carrier, j.Service}] = lh
	}
	band := promisedSlot(j)
	origin, dest := countryCode(j.Origin), countryCode(j.Destination)
	var seen [schemas.StatusCount]int // scans of each status so far: the hop
	for k := 0; k+1 < len(j.Scans); k++ {
		sc := j.Scans[k]
		if sc.Status.Terminal() {
			break
		}
		o := sc.Status.Ordinal()
		if o < 0 {
			continue
		}
		hop := min(seen[o], maxHop)
		seen[o]++
		h := hs[o]
		if h == nil {
			h = newDwellHist()
			hs[o] = h
		}
		next := j.Scans[k+1].Time
		h.add(math.Log1p(next.Sub(sc.Time).Hours()), 1)
		work := math.Log1p(WorkingHours(legCountry(j, k, origin, dest), sc.OffsetMinutes, sc.Time, next).Hours())
		for _, b := range [...]int{band, bandAny} {
			cell := &lh[o][hop][b]
			if *cell == nil {
				*cell = newDwellHist()
			}
			(*cell).add(work, 1)
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
			for _, key := range [...][2]string{{j.Carrier, j.Service}, {j.Carrier, "*"}} {
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
	for cs, theirs := range o.legs {
		mine := a.legs[cs]
		if mine == nil {
			a.legs[cs] = theirs
			continue
		}
		for st := range theirs {
			for hop := range theirs[st] {
				for b, h := range theirs[st][hop] {
					switch m := &mine[st][hop][b]; {
					case h == nil:
					case *m == nil:
						*m = h
					default:
						(*m).merge(h)
					}
				}
			}
		}
	}
	mergeHists(a.leads, o.leads)
}

func mergeHists(mine, theirs map[[2]string]*hist) {
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
	out := map[string]Dwell{}
	for cs, lh := range a.legs {
		for st := range lh {
			for hop := range lh[st] {
				for b, h := range lh[st][hop] {
					if h != nil {
						out[cs[0]+"|"+cs[1]+"|"+string(schemas.Statuses[st])+"|"+strconv.Itoa(hop)+"|"+bandName(b)] = dwellOf(h)
					}
				}
			}
		}
	}
	return out
}

// finishLeads is Model.OutForDelivery.
func (a *dwellAcc) finishLeads() map[string]Lead {
	out := make(map[string]Lead, len(a.leads))
	for k, h := range a.leads {
		out[k[0]+"|"+k[1]] = Lead{N: int(h.total), P01Hours: math.Expm1(h.quantile(0.01)), P10Hours: math.Expm1(h.quantile(0.1)),
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
	band := bandName(promisedSlot(j))
	return string(appendLegKey(nil, j, k, band)), string(appendLegKey(nil, j, k, "*"))
}

// appendLegKey appends to b the leg key of scan k of j with band.
func appendLegKey(b []byte, j *Journey, k int, band string) []byte {
	st := j.Scans[k].Status
	hop := 0
	for i := 0; i < k && hop < maxHop; i++ {
		if j.Scans[i].Status == st {
			hop++
		}
	}
	b = append(append(append(append(b, j.Carrier...), '|'), j.Service...), '|')
	b = append(append(b, st...), '|')
	b = append(strconv.AppendInt(b, int64(hop), 10), '|')
	return append(b, band...)
}

// promisedSlot is the band slot of j (DwellLegKeys).
func promisedSlot(j *Journey) int {
	if j.Promised.IsZero() || len(j.Scans) == 0 {
		return bandNone
	}
	first := j.Scans[0]
	c := calendarOf(countryCode(j.Destination))
	off := int64(first.OffsetMinutes) * int64(time.Minute)
	// BusinessDaysBetween on the clock's nanoseconds (a fixed offset's
	// days are all 24 hours), up to maxBand.
	n := 0
	for d, last := floorDiv(first.Time.UnixNano()+off, nsPerDay)+1, floorDiv(j.Promised.UnixNano()+off, nsPerDay); d <= last && n < maxBand; d++ {
		if c.isWorkday(int32(d)) {
			n++
		}
	}
	return n
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
	return m.AppendDwellCells(nil, j, k)
}

// AppendDwellCells is DwellCells appending to dst: with room for three,
// it allocates nothing.
func (m *Model) AppendDwellCells(dst []DwellCell, j *Journey, k int) []DwellCell {
	var buf [128]byte
	for _, band := range [...]string{bandName(promisedSlot(j)), "*"} {
		key := appendLegKey(buf[:0], j, k, band)
		if d, ok := m.DwellLegs[string(key)]; ok && d.valid() {
			dst = append(dst, DwellCell{Dwell: d, Working: true})
		}
	}
	if d, ok := m.DwellFor(j.Carrier, j.Scans[k].Status); ok && d.valid() {
		dst = append(dst, DwellCell{Dwell: d})
	}
	return dst
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
