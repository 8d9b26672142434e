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
			Reason: "a delivery was attempted on " + attempt.Time.UTC().Format("2 Jan") + " and the parcel is not delivered yet",
			Detail: detailAfter(sh, attempt.Time, schemas.StatusDeliveryAttempted)})
	}
	if !done && (last.Status == schemas.StatusException || last.Status == schemas.StatusDeliveryAttempted) {
		if f, ok := exceptionScan(lastTL, last); ok {
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
func exceptionScan(tl predict.TimelineScan, sc model.Scan) (Finding, bool) {
	words := carrierWords(tl)
	switch tl.StatusDetail {
	case "customs":
		return Finding{Type: CustomsHold, OpenedAt: sc.Time, Reason: "held in customs since " + day(sc.Time), Detail: words}, true
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

// late flags a shipment whose promise passed undelivered, or whose p50
// ETA from the served model is past the promise.
func (c Config) late(sh *predict.Shipment, in Inputs, last model.Scan) (Finding, bool) {
	p := sh.Promised
	if p.IsZero() {
		return Finding{}, false
	}
	if in.Now.After(p) {
		return Finding{Type: Late, OpenedAt: p, Reason: "the promised delivery (" + day(p) + ") has passed and the parcel is not delivered"}, true
	}
	if in.Model == nil || in.SkipETA {
		return Finding{}, false
	}
	pr := in.Model.Predict(sh.SnapshotAt(len(sh.Scans) - 1))
	if math.IsNaN(pr.P50) || math.IsInf(pr.P50, 0) {
		return Finding{}, false
	}
	eta := last.Time.Add(time.Duration(pr.P50 * float64(time.Hour)))
	if eta.Sub(p) <= c.LateSlack {
		return Finding{}, false
	}
	return Finding{Type: Late, OpenedAt: last.Time,
		Reason: "expected on " + day(eta) + ", after the promised " + day(p)}, true
}

// stall flags a shipment with no scan for longer than the learned dwell
// of its carrier and status, counted in working time of the last scan's
// country; far beyond it, the parcel is presumed lost.
func (c Config) stall(sh *predict.Shipment, in Inputs, last model.Scan, tl predict.TimelineScan) []Finding {
	limit, usual := c.Threshold(in.Model, sh.Carrier, last.Status)
	country := tl.Location.Country
	if country == "" {
		country = sh.Destination.Country
	}
	since := WorkingSince(country, last.OffsetMinutes, last.Time, in.Now)
	if since <= limit {
		return nil
	}
	silent := "no scan for " + span(in.Now.Sub(last.Time))
	usually := "parcels at this point usually move within " + span(usual)
	out := []Finding{{Type: Stalled, OpenedAt: AddWorking(country, last.OffsetMinutes, last.Time, limit),
		Reason: silent + "; " + usually}}
	if lost := time.Duration(float64(limit) * c.LostFactor); since > lost {
		out = append(out, Finding{Type: Lost, OpenedAt: AddWorking(country, last.OffsetMinutes, last.Time, lost),
			Reason: silent + ", far beyond the " + span(usual) + " parcels at this point usually take; presumed lost"})
	}
	return out
}

// Threshold is how long (in working time) a shipment of carrier at status
// may go without a scan before it is stalled, and the learned dwell it
// comes from (for the reason): the dwell quantile of the carrier and
// status when the model has enough of them, else the default; never less
// than the floor.
func (c Config) Threshold(m *model.Model, carrier string, st schemas.Status) (limit, usual time.Duration) {
	c = c.withDefaults()
	usual = c.Default
	if m != nil {
		if d, ok := m.DwellFor(carrier, st); ok && d.N >= c.MinSamples {
			usual = hours(quantile(d, c.Quantile))
		}
	}
	return max(usual, c.Floor), usual
}

// quantile reads a dwell quantile from the three the model keeps,
// interpolating in log1p(hours), as the model's histograms are.
func quantile(d model.Dwell, q float64) float64 {
	pts := [...]struct{ q, h float64 }{{0.5, d.P50Hours}, {0.9, d.P90Hours}, {0.99, d.P99Hours}}
	switch {
	case q <= pts[0].q:
		return pts[0].h
	case q >= pts[2].q:
		return pts[2].h
	}
	i := 0
	if q > pts[1].q {
		i = 1
	}
	a, b := pts[i], pts[i+1]
	la, lb := math.Log1p(a.h), math.Log1p(b.h)
	return math.Expm1(la + (lb-la)*(q-a.q)/(b.q-a.q))
}

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

func day(t time.Time) string { return t.UTC().Format("Mon 2 Jan") }

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
