package predict

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// EstimateRequest is one lane of POST /v1/estimates.
type EstimateRequest struct {
	Carrier     string           `json:"carrier"`
	Service     string           `json:"service"`
	Origin      schemas.Location `json:"origin"`
	Destination schemas.Location `json:"destination"`
	// ShipTime is when the label is created; now when omitted.
	ShipTime *time.Time `json:"ship_time,omitempty"`
	// AllowFallback answers a lane whose carrier, service or area the
	// model has not seen, from the level it knows, at a lower confidence;
	// without it such a lane is refused with the part named.
	AllowFallback bool `json:"allow_fallback,omitempty"`
}

// estimateBody is the body of POST /v1/estimates: one lane, or a batch
// of them in Requests.
type estimateBody struct {
	EstimateRequest
	Requests []EstimateRequest `json:"requests"`
}

// EstimateResponse is the answer for one lane.
type EstimateResponse struct {
	Carrier      string  `json:"carrier"`
	Service      string  `json:"service"`
	ETA          *Window `json:"eta"`
	TransitHours float64 `json:"transit_hours_p50"`
	ModelVersion string  `json:"model_version"`
	// Percentiles are the delivery time at SmartRate's percentiles.
	Percentiles []Percentile `json:"percentiles"`
	// Level is the finest level at which the model knows the lane;
	// Fallback is set when the answer comes from a coarser one than the
	// lane's own carrier, service and areas.
	Level    string `json:"level"`
	Fallback bool   `json:"fallback"`
}

// Percentile is one percentile of the delivery time.
type Percentile struct {
	Percentile int       `json:"percentile"`
	At         time.Time `json:"at"`
	Hours      float64   `json:"hours"`
	// BusinessDays are the working days of the destination's calendar
	// from the ship day to the delivery day.
	BusinessDays int `json:"business_days"`
}

// BatchResponse is the answer to a batch: one item per lane, in order,
// each an estimate or an error.
type BatchResponse struct {
	Estimates []BatchItem `json:"estimates"`
}

// BatchItem is one lane's answer in a batch.
type BatchItem struct {
	*EstimateResponse
	Error *errorBody `json:"error,omitempty"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// estimatePercentiles are the percentiles answered, as EasyPost's
// SmartRate gives them.
var estimatePercentiles = []int{50, 75, 85, 90, 95, 97, 99}

// windowLevels are the levels of the Window, then estimatePercentiles.
var estimateLevels = func() []float64 {
	l := []float64{0.10, 0.50, 0.90, 0.95}
	for _, p := range estimatePercentiles {
		l = append(l, float64(p)/100)
	}
	return l
}()

// nominalConfidence is the nominal coverage of the p10–p90 window.
const nominalConfidence = 0.8

// confidence is the confidence of the p10–p90 window of a lane: the
// nominal coverage where the model has seen the carrier's service and
// both areas, less for an answer that falls back past an unknown area,
// service or carrier. The discounts are a prior the backtest has not
// measured yet.
func confidence(c model.Coverage) float64 {
	switch {
	case c.UnknownCarrier:
		return 0.4
	case c.UnknownService:
		return 0.5
	case c.UnknownOrigin || c.UnknownDest:
		return 0.6
	}
	return nominalConfidence
}

func (s *Server) handleEstimate(w http.ResponseWriter, r *http.Request) {
	m := s.model.Load()
	if m == nil {
		writeRetry(w, http.StatusServiceUnavailable, retryAfterBusy, "no_model", "no model loaded yet")
		return
	}
	var body estimateBody
	if !decodeJSON(w, r, s.limits.MaxBody, &body) {
		return
	}
	now := s.now()
	if body.Requests == nil {
		resp, status, e := s.estimate(m, &body.EstimateRequest, now)
		if e != nil {
			writeError(w, status, e.Code, e.Message)
			return
		}
		writeJSON(w, http.StatusOK, resp)
		return
	}
	switch {
	case body.EstimateRequest != (EstimateRequest{}):
		writeError(w, http.StatusBadRequest, "invalid_request", "a body is one lane or a batch in requests, not both")
		return
	case len(body.Requests) == 0:
		writeError(w, http.StatusBadRequest, "invalid_request", "requests is empty")
		return
	case s.limits.MaxBatch > 0 && len(body.Requests) > s.limits.MaxBatch:
		writeError(w, http.StatusBadRequest, "batch_too_large",
			fmt.Sprintf("%d lanes in one batch; at most %d", len(body.Requests), s.limits.MaxBatch))
		return
	}
	out := BatchResponse{Estimates: make([]BatchItem, len(body.Requests))}
	for i := range body.Requests {
		resp, _, e := s.estimate(m, &body.Requests[i], now)
		out.Estimates[i] = BatchItem{EstimateResponse: resp, Error: e}
	}
	writeJSON(w, http.StatusOK, out)
}

// estimate answers one lane, or says why not with a status and an error.
func (s *Server) estimate(m *model.Model, req *EstimateRequest, now time.Time) (*EstimateResponse, int, *errorBody) {
	if err := req.check(); err != nil {
		return nil, http.StatusBadRequest, &errorBody{"invalid_request", err.Error()}
	}
	ship := now
	if req.ShipTime != nil {
		ship = *req.ShipTime
	}
	_, off := ship.Zone()
	snap := model.Snapshot{
		Carrier: strings.ToLower(strings.TrimSpace(req.Carrier)), Service: strings.ToLower(strings.TrimSpace(req.Service)),
		OriginArea: model.Area(req.Origin), DestArea: model.Area(req.Destination),
		OriginAreas: model.Areas(req.Origin), DestAreas: model.Areas(req.Destination),
		Status: schemas.StatusInfoReceived, At: ship.UTC(), OffsetMinutes: off / 60, Scans: 1,
	}
	cov := m.Coverage(snap)
	if !cov.Known() && !req.AllowFallback {
		code, msg := unknownLane(m, &snap, cov)
		return nil, http.StatusUnprocessableEntity, &errorBody{code, msg}
	}
	hours := make([]float64, len(estimateLevels))
	m.Quantiles(snap, estimateLevels, hours)
	p := model.Prediction{P10: hours[0], P50: hours[1], P90: hours[2], P95: hours[3]}
	win := window(snap.At, ship, p)
	win.Confidence = confidence(cov)
	resp := &EstimateResponse{
		Carrier: snap.Carrier, Service: snap.Service, ETA: win, TransitHours: p.P50, ModelVersion: m.Version,
		Level: cov.Level.String(), Fallback: !cov.Known(),
	}
	country := model.CountryOf(snap.DestAreas)
	local := func(t time.Time) time.Time { return t.In(ship.Location()) }
	for i, pc := range estimatePercentiles {
		h := hours[4+i]
		at := ship.Add(time.Duration(h * float64(time.Hour))).UTC().Round(time.Minute)
		resp.Percentiles = append(resp.Percentiles, Percentile{
			Percentile: pc, At: at, Hours: roundHours(h),
			BusinessDays: model.BusinessDays(country, local(ship), local(at)),
		})
	}
	return resp, http.StatusOK, nil
}

// roundHours keeps a tenth of an hour.
func roundHours(h float64) float64 { return float64(int64(h*10+0.5)) / 10 }

// unknownLane names what the model has not seen of a lane, most
// important first, and the error code of the first.
func unknownLane(m *model.Model, s *model.Snapshot, c model.Coverage) (string, string) {
	var code string
	var parts []string
	add := func(unknown bool, c, msg string) {
		if !unknown {
			return
		}
		if code == "" {
			code = c
		}
		parts = append(parts, msg)
	}
	add(c.UnknownCarrier, "unknown_carrier", fmt.Sprintf("carrier %q", s.Carrier))
	add(c.UnknownService, "unknown_service", fmt.Sprintf("service %q of carrier %q", s.Service, s.Carrier))
	add(c.UnknownOrigin, "unknown_area", fmt.Sprintf("origin area %q", s.OriginArea))
	add(c.UnknownDest, "unknown_area", fmt.Sprintf("destination area %q", s.DestArea))
	return code, fmt.Sprintf("model %s has not seen %s; set allow_fallback to answer from the level it knows (%s)",
		m.Version, strings.Join(parts, ", "), c.Level)
}

func (r *EstimateRequest) check() error {
	var errs []error
	if strings.TrimSpace(r.Carrier) == "" {
		errs = append(errs, errors.New("carrier is required"))
	}
	if strings.TrimSpace(r.Service) == "" {
		errs = append(errs, errors.New("service is required"))
	}
	if r.Origin.PostalCode == "" && r.Origin.Country == "" {
		errs = append(errs, errors.New("origin needs a postal_code or a country"))
	}
	if r.Destination.PostalCode == "" && r.Destination.Country == "" {
		errs = append(errs, errors.New("destination needs a postal_code or a country"))
	}
	if r.ShipTime != nil && (r.ShipTime.Year() < 2000 || r.ShipTime.Year() > 2100) {
		errs = append(errs, fmt.Errorf("ship_time %s out of range", r.ShipTime.Format(time.RFC3339)))
	}
	return errors.Join(errs...)
}
