// Package exceptions finds shipments in trouble in the live state: a
// stall, a late parcel, a failed delivery, a return, a customs hold, an
// address issue, the carrier's own exception, a parcel presumed lost. Each
// exception opens once and later resolves; the scanner keeps them in
// memory, stores them and publishes them.
package exceptions

import (
	"fmt"
	"math"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// The exception types.
const (
	Stalled          = "stalled"
	Late             = "late"
	DeliveryFailed   = "delivery_failed"
	Returned         = "returned"
	CustomsHold      = "customs_hold"
	AddressIssue     = "address_issue"
	CarrierException = "carrier_exception"
	Lost             = "lost"
)

// Types are the exception types: the API's list.
var Types = predict.ExceptionTypes

// ValidType reports whether t is an exception type.
func ValidType(t string) bool { return predict.ValidExceptionType(t) }

// Finding is an exception a shipment has now: its type, when it began,
// and the reason in words.
type Finding struct {
	Type     string
	OpenedAt time.Time
	Reason   string
	Detail   string
}

// Inputs are what detection reads besides the shipment: the served model
// (its dwell statistics and ETAs; nil skips both) and the instant.
type Inputs struct {
	Model *model.Model
	Now   time.Time
	// SkipETA leaves out the ETA against the promise (the sweep: the ETA
	// changes only with a scan or a model).
	SkipETA bool
}

// Detect returns the exceptions shipment sh has at in.Now, at most one of
// each type. It is a pure function of its arguments.
func (c Config) Detect(sh *predict.Shipment, in Inputs) []Finding {
	c = c.withDefaults()
	n := len(sh.Scans)
	if n == 0 {
		return nil
	}
	var out []Finding
	last := sh.Scans[n-1]
	lastTL := timelineAt(sh, n-1)
	delivered, returned, cancelled := false, false, false
	var attempt *model.Scan
	for i := range sh.Scans {
		switch sh.Scans[i].Status {
		case schemas.StatusDelivered:
			delivered = true
		case schemas.StatusReturnedToSender:
			returned = true
		case schemas.StatusCancelled:
			cancelled = true
		case schemas.StatusDeliveryAttempted:
			if attempt == nil {
				attempt = &sh.Scans[i]
			}
		}
	}
	done := delivered || returned || cancelled

	if returned {
		at := firstOf(sh, schemas.StatusReturnedToSender)
		out = append(out, Finding{Type: Returned, OpenedAt: at, Reason: "the parcel is being returned to the sender"})
	}
	if attempt != nil && !done {
		out = append(out, Finding{Type: DeliveryFailed, OpenedAt: attempt.Time,
			Reason: "a delivery was attempted on " + zone.In(attempt.Time, sh.Destination).Format("2 Jan") + " and the parcel is not delivered yet",
			Detail: detailAfter(sh, attempt.Time, schemas.StatusDeliveryAttempted)})
	}
	if !done && (last.Status == schemas.StatusException || last.Status == schemas.StatusDeliveryAttempted) {
		if f, ok := exceptionScan(lastTL, last, sh.Destination); ok {
			out = append(out, f)
		}
	}
	if done {
		return out
	}
	if f, ok := c.late(sh, in, last); ok {
		out = append(out, f)
	}
	out = append(out, c.stall(sh, in, last, lastTL)...)
	return firstOfEach(out)
}

// firstOfEach keeps the first finding of each type (a parcel the carrier
// declared lost may also be long silent).
func firstOfEach(fs []Finding) []Finding {
	out := fs[:0]
	seen := map[string]bool{}
	for _, f := range fs {
		if !seen[f.Type] {
			seen[f.Type] = true
			out = append(out, f)
		}
	}
	return out
}

// exceptionScan reads the carrier's exception scan: customs, address, a
// parcel the carrier itself declared lost, or its own exception.
func exceptionScan(tl predict.TimelineScan, sc model.Scan, dest schemas.Location) (Finding, bool) {
	words := carrierWords(tl)
	switch tl.StatusDetail {
	case "customs":
		return Finding{Type: CustomsHold, OpenedAt: sc.Time, Reason: "held in customs since " + day(sc.Time, dest), Detail: words}, true
	case "address_issue":
		return Finding{Type: AddressIssue, OpenedAt: sc.Time, Reason: "the carrier cannot deliver to the address as given", Detail: words}, true
	case "lost":
		return Finding{Type: Lost, OpenedAt: sc.Time, Reason: "the carrier reported the parcel lost", Detail: words}, true
	}
	if sc.Status != schemas.StatusException {
		return Finding{}, false
	}
	reason := "the carrier reported an exception"
	if tl.StatusDetail != "" {
		reason += " (" + humanDetail(tl.StatusDetail) + ")"
	}
	return Finding{Type: CarrierException, OpenedAt: sc.Time, Reason: reason, Detail: words}, true
}

// late flags a shipment whose promise passed undelivered, or whose ETA
// from the served model (at LateQuantile: 0.5 is the median, lower is
// surer) is past the promise by more than the slack.
func (c Config) late(sh *predict.Shipment, in Inputs, last model.Scan) (Finding, bool) {
	p := sh.Promised
	if p.IsZero() {
		return Finding{}, false
	}
	if in.Now.After(p) {
		return Finding{Type: Late, OpenedAt: p, Reason: "the promised delivery (" + day(p, sh.Destination) + ") has passed and the parcel is not delivered"}, true
	}
	if in.Model == nil || in.SkipETA {
		return Finding{}, false
	}
	h := etaQuantile(in.Model.Predict(sh.SnapshotAt(len(sh.Scans)-1)), c.LateQuantile)
	if math.IsNaN(h) || math.IsInf(h, 0) {
		return Finding{}, false
	}
	eta := last.Time.Add(time.Duration(h * float64(time.Hour)))
	if eta.Sub(p) <= c.LateSlack {
		return Finding{}, false
	}
	return Finding{Type: Late, OpenedAt: last.Time,
		Reason: "expected on " + day(eta, sh.Destination) + ", after the promised " + day(p, sh.Destination)}, true
}

// etaQuantile reads quantile q of a prediction's hours, linearly between
// the levels it has (p10, p50, p90, p95); beyond them, the end.
func etaQuantile(p model.Prediction, q float64) float64 {
	pts := [...]struct{ q, h float64 }{{0.1, p.P10}, {0.5, p.P50}, {0.9, p.P90}, {0.95, p.P95}}
	if q <= pts[0].q {
		return pts[0].h
	}
	for i := 1; i < len(pts); i++ {
		if q <= pts[i].q {
			a, b := pts[i-1], pts[i]
			return a.h + (b.h-a.h)*(q-a.q)/(b.q-a.q)
		}
	}
	return pts[len(pts)-1].h
}

// stall flags a shipment with no scan for longer than the learned dwell
// of its leg, counted in working time of the last scan's country; or one
// not out for delivery by the time parcels that make their promise are
// (behind). Far beyond the dwell, the parcel is presumed lost.
func (c Config) stall(sh *predict.Shipment, in Inputs, last model.Scan, tl predict.TimelineScan) []Finding {
	var room [3]model.DwellCell
	cells := appendDwellCells(room[:0], in.Model, &sh.Journey, len(sh.Scans)-1)
	limit, usual := c.threshold(cells, c.Quantile)
	country := tl.Location.Country
	if country == "" {
		country = sh.Destination.Country
	}
	since := WorkingSince(country, last.OffsetMinutes, last.Time, in.Now)
	behind, behindOK := c.behind(sh, in)
	if since <= limit && !behindOK {
		return nil
	}
	silent := "no scan for " + span(in.Now.Sub(last.Time))
	var out []Finding
	if since > limit {
		opened := AddWorking(country, last.OffsetMinutes, last.Time, limit)
		f := Finding{Type: Stalled, OpenedAt: opened, Reason: silent + "; parcels at this point usually move within " + span(usual)}
		if behindOK && behind.OpenedAt.Before(opened) {
			f = behind
		}
		out = append(out, f)
	} else {
		out = append(out, behind)
	}
	if lost := time.Duration(float64(c.lostThreshold(cells)) * c.LostFactor); since > lost {
		out = append(out, Finding{Type: Lost, OpenedAt: AddWorking(country, last.OffsetMinutes, last.Time, lost),
			Reason: silent + ", far beyond the " + span(usual) + " parcels at this point usually take; presumed lost"})
	}
	return out
}

// behind finds a parcel with a promise that is not out for delivery by
// the time (OutQuantile of the learned lead) all but a few of the
// carrier's parcels that made their promise were. A parcel whose carrier
// reported an exception is left to that exception's own type: the
// carrier said why it waits.
func (c Config) behind(sh *predict.Shipment, in Inputs) (Finding, bool) {
	if in.Model == nil || sh.Promised.IsZero() || c.OutQuantile < 0 {
		return Finding{}, false
	}
	for _, sc := range sh.Scans {
		switch sc.Status {
		case schemas.StatusOutForDelivery, schemas.StatusDeliveryAttempted, schemas.StatusAvailableForPickup,
			schemas.StatusException:
			return Finding{}, false
		}
	}
	l, ok := in.Model.OutForDeliveryLead(sh.Carrier, sh.Service, c.MinSamples)
	if !ok {
		return Finding{}, false
	}
	lead := hours(leadQuantile(l, c.OutQuantile))
	by := sh.Promised.Add(-lead)
	if !in.Now.After(by) {
		return Finding{}, false
	}
	return Finding{Type: Stalled, OpenedAt: by, Reason: "not out for delivery " + span(lead) + " before the promised " +
		day(sh.Promised, sh.Destination) + ", when parcels that arrive on time are; last scan " + span(in.Now.Sub(sh.Scans[len(sh.Scans)-1].Time)) + " ago"}, true
}

// leadQuantile reads a low quantile of a lead from the three the model
// keeps, interpolating in log1p(hours).
func leadQuantile(l model.Lead, q float64) float64 {
	pts := [...]struct{ q, h float64 }{{0.01, l.P01Hours}, {0.1, l.P10Hours}, {0.5, l.P50Hours}}
	return interpolate(pts[:], q)
}

// Threshold is how long (in working time) a shipment may go without a
// scan after scan k of journey j before it is stalled, and the learned
// dwell it comes from (for the reason): the stall quantile of the finest
// cell the scan falls in (its leg, else its carrier and status) with
// enough dwell times to trust it; failing that, the cell with the most,
// at the highest quantile it can tell; with no cell of MinSamples, the
// default. Never less than the floor.
func (c Config) Threshold(m *model.Model, j *model.Journey, k int) (limit, usual time.Duration) {
	c = c.withDefaults()
	return c.threshold(appendDwellCells(nil, m, j, k), c.Quantile)
}

// appendDwellCells appends the model's dwell cells of scan k of j to dst
// (none without a model).
func appendDwellCells(dst []model.DwellCell, m *model.Model, j *model.Journey, k int) []model.DwellCell {
	if m == nil || k < 0 || k >= len(j.Scans) {
		return dst
	}
	return m.AppendDwellCells(dst, j, k)
}

// lostThreshold is the threshold at the p99 (or the stall quantile,
// when lower) that LostFactor multiplies: a parcel is presumed lost long
// after the usual, whatever the stall quantile.
func (c Config) lostThreshold(cells []model.DwellCell) time.Duration {
	limit, _ := c.threshold(cells, min(c.Quantile, lostQuantile))
	return limit
}

func (c Config) threshold(cells []model.DwellCell, q float64) (limit, usual time.Duration) {
	// A quantile is trusted with MinSamples dwell times and tailSamples
	// beyond it: p99.9 of a few hundred is their longest.
	need := max(c.MinSamples, int(math.Ceil(tailSamples/(1-q))))
	usual = c.Default
	var best *model.DwellCell
	for i := range cells {
		if cells[i].N >= need {
			best = nil
			usual = hours(quantile(cells[i].Dwell, q))
			break
		}
		if cells[i].N >= c.MinSamples && (best == nil || cells[i].N > best.N) {
			best = &cells[i]
		}
	}
	if best != nil {
		usual = hours(quantile(best.Dwell, min(q, 1-tailSamples/float64(best.N))))
	}
	return max(usual, c.Floor), usual
}

// quantile reads a dwell quantile from those the model keeps (p99.9
// only in artifacts that have it), interpolating in log1p(hours), as the
// model's histograms are.
func quantile(d model.Dwell, q float64) float64 {
	pts := []struct{ q, h float64 }{{0.5, d.P50Hours}, {0.9, d.P90Hours}, {0.99, d.P99Hours}}
	if d.P999Hours >= d.P99Hours && d.P999Hours > 0 {
		pts = append(pts, struct{ q, h float64 }{0.999, d.P999Hours})
	}
	return interpolate(pts, q)
}

// interpolate reads quantile q from points in increasing q, linearly in
// log1p(hours); beyond the ends it takes the end.
func interpolate(pts []struct{ q, h float64 }, q float64) float64 {
	if q <= pts[0].q {
		return pts[0].h
	}
	for i := 1; i < len(pts); i++ {
		if q <= pts[i].q {
			a, b := pts[i-1], pts[i]
			la, lb := math.Log1p(a.h), math.Log1p(b.h)
			return math.Expm1(la + (lb-la)*(q-a.q)/(b.q-a.q))
		}
	}
	return pts[len(pts)-1].h
}

// tailSamples is how many learned dwell times a cell needs beyond its
// stall quantile for the quantile to be trusted; lostQuantile is the
// quantile LostFactor multiplies.
const (
	tailSamples  = 10
	lostQuantile = 0.99
)

func hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

func timelineAt(sh *predict.Shipment, k int) predict.TimelineScan {
	if k < len(sh.Timeline) {
		return sh.Timeline[k]
	}
	return predict.TimelineScan{}
}

func firstOf(sh *predict.Shipment, st schemas.Status) time.Time {
	for _, sc := range sh.Scans {
		if sc.Status == st {
			return sc.Time
		}
	}
	return time.Time{}
}

// detailAfter is the carrier's words on the first scan of status st at t.
func detailAfter(sh *predict.Shipment, t time.Time, st schemas.Status) string {
	for _, tl := range sh.Timeline {
		if tl.Status == st && tl.Time.Equal(t) {
			return carrierWords(tl)
		}
	}
	return ""
}

// carrierWords is the carrier's own text of a scan, with its code.
func carrierWords(tl predict.TimelineScan) string {
	switch {
	case tl.Description != "" && tl.CarrierCode != "":
		return tl.CarrierCode + ": " + tl.Description
	case tl.Description != "":
		return tl.Description
	case tl.CarrierCode != "":
		return tl.CarrierCode
	}
	return tl.StatusDetail
}

// humanDetail is a status detail in words ("recipient_unavailable" →
// "recipient unavailable").
func humanDetail(d string) string {
	b := []byte(d)
	for i, c := range b {
		if c == '_' {
			b[i] = ' '
		}
	}
	return string(b)
}

// day is a date in the destination's time zone (UTC where its place
// resolves to none): a promise of Monday evening is said as Monday there.
func day(t time.Time, dest schemas.Location) string { return zone.In(t, dest).Format("Mon 2 Jan") }

// span is a duration in words: hours under two days, else days.
func span(d time.Duration) string {
	h := int(math.Round(d.Hours()))
	switch {
	case h <= 1:
		return "1 hour"
	case h < 48:
		return fmt.Sprintf("%d hours", h)
	}
	return fmt.Sprintf("%d days", int(math.Round(d.Hours()/24)))
}
