package predict

import (
	"context"
	"math"
	"net/http"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
	"github.com/parcelcast/parcelcast/schemas/trackno"
)

// lookupShipment reads the tracking number of the path and finds its
// shipment (findShipment), writing the error response and returning
// false when it cannot.
func (s *Server) lookupShipment(w http.ResponseWriter, r *http.Request, needModel bool) (Shipment, *model.Model, bool) {
	sh, m, p := s.findShipment(r.Context(), r.PathValue("tracking_number"), needModel)
	if p != nil {
		writeProblem(w, p)
		return Shipment{}, nil, false
	}
	return sh, m, true
}

// findShipment checks a tracking number and finds its shipment: 400 for
// a malformed number, 503 without a model (when one is needed) or when
// the lookup fails, 404 for a number without scans.
func (s *Server) findShipment(ctx context.Context, number string, needModel bool) (Shipment, *model.Model, *Problem) {
	tn := schemas.NormalizeTrackingNumber(number)
	if err := trackno.Check("", tn); err != nil {
		return Shipment{}, nil, &Problem{Status: http.StatusBadRequest, Code: "invalid_tracking_number", Message: err.Error()}
	}
	m := s.model.Load()
	if m == nil && needModel {
		return Shipment{}, nil, problemNoModel
	}
	type found struct {
		sh Shipment
		ok bool
	}
	f, err := lookup(ctx, s, func(ctx context.Context) (found, error) {
		sh, ok, err := s.shipments.Shipment(ctx, tn)
		return found{sh, ok}, err
	})
	sh, ok := f.sh, f.ok
	if err != nil {
		s.dbLog.Error("shipment", "shipment lookup failed", "err", err)
		return Shipment{}, nil, retryProblem(http.StatusServiceUnavailable, "lookup_failed", "shipment lookup failed; retry later")
	}
	if !ok || len(sh.Scans) == 0 {
		return Shipment{}, nil, &Problem{Status: http.StatusNotFound, Code: "not_found", Message: "no scans for tracking number " + tn}
	}
	if sh.TrackingNumber == "" {
		sh.TrackingNumber = tn
	}
	return sh, m, nil
}

// etaResponse is the /eta answer of a shipment: its delivery if it was
// delivered, nothing to predict if it was returned or cancelled, else
// the model's ETA from its latest scan (m may be nil: no ETA then).
func (s *Server) etaResponse(sh *Shipment, m *model.Model) ETAResponse {
	j := &sh.Journey
	last := j.Scans[len(j.Scans)-1]
	resp := ETAResponse{
		TrackingNumber: j.TrackingNumber, Carrier: j.Carrier, Service: j.Service,
		Status: last.Status, ShipmentKey: j.ShipmentKey, FirstScanAt: j.Scans[0].Time, LastScanAt: last.Time,
	}
	if at, ok := j.DeliveredAt(); ok {
		resp.DeliveredAt = &at
		resp.Status = schemas.StatusDelivered
		return resp
	}
	if last.Status.Terminal() || m == nil {
		return resp // returned or cancelled: no delivery to predict
	}
	now := s.now()
	// An instruction in effect: the ETA is from the journey as it makes
	// it, bounded to a rescheduled day.
	in := activeInstruction(s.instructions.of(sh))
	ij := instructed(j, in)
	snap := ij.SnapshotAt(len(j.Scans) - 1)
	pred := m.Predict(snap)
	resp.ETA = window(snap.At, now, pred)
	resp.DeliveryWindow = deliveryWindow(m, snap, pred, now)
	if in != nil {
		v := viewOf(in, sh)
		resp.ActiveInstruction, resp.ExpectedEvent = &v, expectedEvent(in)
		boundToDay(resp.ETA, in, last.OffsetMinutes)
		switch {
		case in.Type == schemas.InstructionHoldAtLocation:
			resp.DeliveryWindow = nil // collected at the point, not brought to the door
		case in.Type == schemas.InstructionReschedule && resp.DeliveryWindow != nil && resp.DeliveryWindow.Date != in.Date:
			resp.DeliveryWindow = nil // learned for another day than the one asked for
		}
	}
	resp.ModelVersion = m.Version
	s.sample(j, snap, resp.ETA, m.Version)
	hours := math.Round(max(resp.ETA.P50.Sub(now).Hours(), 0)*10) / 10
	days := model.BusinessDaysBetween(ij.Destination.Country, now, resp.ETA.P50, last.OffsetMinutes)
	resp.HoursToGo, resp.BusinessDaysToGo = &hours, &days
	return resp
}

// Estimate is what the model gave, or gives, at one scan of a shipment:
// its window as it stood then, not moved to the present.
type Estimate struct {
	// At is the scan's instant; Scans how many scans were known then.
	At    time.Time `json:"at"`
	Scans int       `json:"scans"`
	Window
	ModelVersion string `json:"model_version"`
	// ChangedBy says what made this estimate differ from the first:
	// new_scan, new_model, delivery_instruction, or none.
	ChangedBy string `json:"changed_by,omitempty"`
}

// What changes an estimate.
const (
	ChangedByNone        = "none"
	ChangedByNewScan     = "new_scan"
	ChangedByNewModel    = "new_model"
	ChangedByInstruction = "delivery_instruction"
)

// estimateAt is model m's estimate at scan k of j.
func estimateAt(j *model.Journey, k int, m *model.Model) *Estimate {
	snap := j.SnapshotAt(k)
	p := m.Predict(snap)
	t := func(h float64) time.Time {
		return snap.At.Add(time.Duration(h * float64(time.Hour))).UTC().Round(time.Minute)
	}
	return &Estimate{At: snap.At, Scans: k + 1, ModelVersion: m.Version,
		Window: Window{P50: t(p.P50), P10: t(p.P10), P90: t(p.P90), P95Commit: t(p.P95), Confidence: 0.8}}
}

// estimates are the first and the latest estimate of a shipment, both
// from the served model: at its first scan and at its last scan before
// the journey ended (a delivery, a return, a cancellation). The latest is
// changed by a new scan when scans came after the first. The estimates
// are not kept, so both are computed again with the model served now; the
// handler says new_model when that model took over after the shipment's
// newest scan came.
func estimates(j *model.Journey, m *model.Model) (first, latest *Estimate) {
	if m == nil {
		return nil, nil
	}
	k := len(j.Scans) - 1
	for k >= 0 && j.Scans[k].Status.Terminal() {
		k--
	}
	if k < 0 {
		return nil, nil
	}
	first, latest = estimateAt(j, 0, m), estimateAt(j, k, m)
	latest.ChangedBy = ChangedByNone
	if k > 0 {
		latest.ChangedBy = ChangedByNewScan
	}
	return first, latest
}
