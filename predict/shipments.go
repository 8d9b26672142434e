package predict

import (
	"net/http"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
	"github.com/parcelcast/parcelcast/schemas/trackno"
)

// ShipmentResponse is the body of GET /v1/shipments/{tracking_number}:
// the whole view of a shipment.
type ShipmentResponse struct {
	ETAResponse
	Mode         string           `json:"mode,omitempty"`
	StatusDetail string           `json:"status_detail,omitempty"`
	Origin       schemas.Location `json:"origin"`
	Destination  schemas.Location `json:"destination"`
	// PromisedDelivery is the carrier's or the merchant's promise.
	PromisedDelivery *time.Time `json:"promised_delivery,omitempty"`
	// OnTime is the shipment against its promise (OnTime, AtRisk, Late);
	// empty without a promise, or for a return or a cancellation.
	OnTime         string          `json:"on_time_status,omitempty"`
	FirstEstimate  *Estimate       `json:"first_estimate,omitempty"`
	LatestEstimate *Estimate       `json:"latest_estimate,omitempty"`
	Timeline       []TimelineEntry `json:"timeline"`
	TrackingURL    string          `json:"tracking_url,omitempty"`
	References     ReferencesBody  `json:"references"`
	// Exceptions are the shipment's open and resolved exceptions, oldest
	// first.
	Exceptions []schemas.Exception `json:"exceptions"`
	// Instructions are the shipment's delivery instructions, oldest
	// first, cancelled and acted-on ones included.
	Instructions []InstructionView `json:"instructions"`
	UpdatedAt    time.Time         `json:"updated_at,omitzero"`
}

// TimelineEntry is one scan of the timeline: its instant in UTC and as
// the local time of the place, the place, the carrier's own code and
// text, and the canonical status.
type TimelineEntry struct {
	Time          time.Time        `json:"time"`
	LocalTime     string           `json:"local_time"`
	OffsetMinutes int              `json:"utc_offset_minutes"`
	Status        schemas.Status   `json:"status"`
	StatusDetail  string           `json:"status_detail,omitempty"`
	CarrierCode   string           `json:"carrier_code,omitempty"`
	Description   string           `json:"description,omitempty"`
	Location      schemas.Location `json:"location"`
	Mode          string           `json:"mode,omitempty"`
}

// ReferencesBody is a shipment's order and customer references, as the
// API reads and writes them.
type ReferencesBody struct {
	OrderRef    string `json:"order_ref"`
	CustomerRef string `json:"customer_ref"`
}

// The on-time statuses of a shipment against its promise.
const (
	OnTime = "on_time"
	AtRisk = "at_risk"
	Late   = "late"
)

// onTimeStatus rates a shipment against its promise. Delivered: on time
// when delivered by the promise, else late. In flight: late when the
// ETA's p50 is past the promise (the promise passed undelivered, or the
// model expects it to), at risk when the p90 is, else on time. Empty
// without a promise, or without an ETA for a shipment in flight.
func onTimeStatus(promise time.Time, delivered *time.Time, eta *Window) string {
	switch {
	case promise.IsZero():
		return ""
	case delivered != nil:
		if delivered.After(promise) {
			return Late
		}
		return OnTime
	case eta == nil:
		return ""
	case eta.P50.After(promise):
		return Late
	case eta.P90.After(promise):
		return AtRisk
	}
	return OnTime
}

func (s *Server) handleShipment(w http.ResponseWriter, r *http.Request) {
	sh, m, ok := s.lookupShipment(w, r, false)
	if !ok {
		return
	}
	writeJSON(w, 200, s.shipmentResponse(&sh, m))
}

func (s *Server) shipmentResponse(sh *Shipment, m *model.Model) ShipmentResponse {
	resp := ShipmentResponse{
		ETAResponse: s.etaResponse(sh, m),
		Mode:        sh.Mode, Origin: sh.Origin, Destination: sh.Destination,
		References: ReferencesBody{OrderRef: sh.OrderRef, CustomerRef: sh.CustomerRef},
		Exceptions: s.exceptionsOf(sh), UpdatedAt: sh.UpdatedAt,
		Timeline: make([]TimelineEntry, 0, max(len(sh.Timeline), len(sh.Scans))),
	}
	if !sh.Promised.IsZero() {
		p := sh.Promised.UTC()
		resp.PromisedDelivery = &p
	}
	timeline := sh.Timeline
	if len(timeline) == 0 {
		// A store that keeps only the journey: its scans, without detail.
		timeline = make([]TimelineScan, len(sh.Scans))
		for i, sc := range sh.Scans {
			timeline[i] = TimelineScan{Time: sc.Time, OffsetMinutes: sc.OffsetMinutes, Status: sc.Status}
		}
	}
	for _, sc := range timeline {
		local := sc.Time.In(time.FixedZone("", sc.OffsetMinutes*60))
		resp.Timeline = append(resp.Timeline, TimelineEntry{
			Time: sc.Time.UTC(), LocalTime: local.Format(time.RFC3339), OffsetMinutes: sc.OffsetMinutes,
			Status: sc.Status, StatusDetail: sc.StatusDetail, CarrierCode: sc.CarrierCode, Description: sc.Description,
			Location: sc.Location, Mode: sc.Mode,
		})
	}
	if n := len(timeline); n > 0 {
		resp.StatusDetail = timeline[n-1].StatusDetail
	}
	resp.TrackingURL = trackingURL(sh)
	resp.FirstEstimate, resp.LatestEstimate = estimates(&sh.Journey, m)
	news := lastNews(sh)
	if at := s.replacedAt.Load(); at != 0 && resp.LatestEstimate != nil && news.Before(time.Unix(0, at)) {
		// Nothing came for the shipment since another model took over:
		// the latest estimate is that model's change.
		resp.LatestEstimate.ChangedBy = ChangedByNewModel
		news = time.Unix(0, at)
	}
	ins := s.instructions.of(sh)
	resp.Instructions = s.instructionViews(sh, ins)
	resp.LatestEstimate = instructedEstimate(&sh.Journey, m, resp.LatestEstimate, activeInstruction(ins), news)
	last := sh.Scans[len(sh.Scans)-1].Status
	if resp.DeliveredAt != nil || !last.Terminal() {
		resp.OnTime = onTimeStatus(sh.Promised, resp.DeliveredAt, resp.ETA)
	}
	return resp
}

// trackingURL is the carrier's public tracking page of the shipment, ""
// when none is known.
func trackingURL(sh *Shipment) string {
	u, _ := trackno.URL(sh.Carrier, sh.TrackingNumber)
	return u
}

// lastNews is when the shipment's newest scan became known: when it was
// ingested, else its own time.
func lastNews(sh *Shipment) time.Time {
	if !sh.UpdatedAt.IsZero() {
		return sh.UpdatedAt
	}
	return sh.Scans[len(sh.Scans)-1].Time
}
