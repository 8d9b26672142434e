// Package predict serves ETAs over HTTP: for a tracking number from its
// scans so far, and before shipping for a lane.
package predict

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
	"github.com/parcelcast/parcelcast/schemas/trackno"
)

// Journeys finds a shipment's scans so far.
type Journeys interface {
	Journey(ctx context.Context, trackingNumber string) (model.Journey, bool, error)
}

// Server is the predict HTTP API.
type Server struct {
	journeys Journeys
	model    atomic.Pointer[model.Model]
	log      *slog.Logger
	now      func() time.Time
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	mux      *http.ServeMux
	ready    func() error
}

// Options configure a Server.
type Options struct {
	Log *slog.Logger
	// Registry receives the server's metrics and is served on /metrics;
	// a new one is made when nil.
	Registry *prometheus.Registry
	Now      func() time.Time
	// Ready, when set, is consulted by /readyz besides the model: an
	// error is reported as not ready (the live state bootstrapping).
	Ready func() error
}

// NewServer returns a server answering from journeys with model m (which
// may be nil until SetModel is called; /readyz says so).
func NewServer(journeys Journeys, m *model.Model, opts Options) *Server {
	s := &Server{journeys: journeys, log: opts.Log, now: opts.Now, reg: opts.Registry, ready: opts.Ready}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.reg == nil {
		s.reg = prometheus.NewRegistry()
	}
	if m != nil {
		s.model.Store(m)
	}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parcelcast_predict_requests_total", Help: "API requests by route and status code.",
	}, []string{"route", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "parcelcast_predict_request_duration_seconds", Help: "API latency by route.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	}, []string{"route"})
	s.reg.MustRegister(s.requests, s.latency)

	s.mux = http.NewServeMux()
	s.handle("GET /v1/shipments/{tracking_number}/eta", "eta", s.handleETA)
	s.handle("POST /v1/estimates", "estimates", s.handleEstimate)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) })
	s.mux.HandleFunc("GET /readyz", s.handleReady)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return s
}

// SetModel swaps the served model; requests in flight finish on the old.
func (s *Server) SetModel(m *model.Model) { s.model.Store(m) }

// Model returns the served model, or nil.
func (s *Server) Model() *model.Model { return s.model.Load() }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) { w.code = code; w.ResponseWriter.WriteHeader(code) }

func (s *Server) handle(pattern, route string, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: 200}
		h(sw, r)
		s.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		s.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
	})
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	m := s.model.Load()
	if m == nil {
		writeError(w, http.StatusServiceUnavailable, "no_model", "no model loaded yet")
		return
	}
	if s.ready != nil {
		if err := s.ready(); err != nil {
			writeError(w, http.StatusServiceUnavailable, "not_ready", err.Error())
			return
		}
	}
	writeJSON(w, 200, map[string]string{"status": "ready", "model_version": m.Version})
}

// Window is an ETA with its interval.
type Window struct {
	P50       time.Time `json:"p50"`
	P10       time.Time `json:"p10"`
	P90       time.Time `json:"p90"`
	P95Commit time.Time `json:"p95_commit"`
	// Confidence is the nominal coverage of the p10–p90 window.
	Confidence float64 `json:"confidence"`
}

// ETAResponse is the body of GET /v1/shipments/{tracking_number}/eta.
type ETAResponse struct {
	TrackingNumber string         `json:"tracking_number"`
	Carrier        string         `json:"carrier"`
	Service        string         `json:"service"`
	Status         schemas.Status `json:"status"`
	// ShipmentKey and FirstScanAt say which of a reused number's
	// shipments is answered for: the latest.
	ShipmentKey  string     `json:"shipment_key,omitempty"`
	FirstScanAt  time.Time  `json:"first_scan_at"`
	LastScanAt   time.Time  `json:"last_scan_at"`
	DeliveredAt  *time.Time `json:"delivered_at,omitempty"`
	ETA          *Window    `json:"eta,omitempty"`
	ModelVersion string     `json:"model_version,omitempty"`
}

func (s *Server) handleETA(w http.ResponseWriter, r *http.Request) {
	tn := schemas.NormalizeTrackingNumber(r.PathValue("tracking_number"))
	if err := trackno.Check("", tn); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_tracking_number", err.Error())
		return
	}
	m := s.model.Load()
	if m == nil {
		writeError(w, http.StatusServiceUnavailable, "no_model", "no model loaded yet")
		return
	}
	j, ok, err := s.journeys.Journey(r.Context(), tn)
	if err != nil {
		s.log.Error("journey lookup failed", "err", err)
		writeError(w, http.StatusServiceUnavailable, "lookup_failed", "shipment lookup failed; retry later")
		return
	}
	if !ok || len(j.Scans) == 0 {
		writeError(w, http.StatusNotFound, "not_found", "no scans for tracking number "+tn)
		return
	}
	last := j.Scans[len(j.Scans)-1]
	resp := ETAResponse{
		TrackingNumber: tn, Carrier: j.Carrier, Service: j.Service,
		Status: last.Status, ShipmentKey: j.ShipmentKey, FirstScanAt: j.Scans[0].Time, LastScanAt: last.Time,
	}
	if at, ok := j.DeliveredAt(); ok {
		resp.DeliveredAt = &at
		resp.Status = schemas.StatusDelivered
		writeJSON(w, 200, resp)
		return
	}
	if last.Status.Terminal() {
		writeJSON(w, 200, resp) // returned or cancelled: no delivery to predict
		return
	}
	snap := j.SnapshotAt(len(j.Scans) - 1)
	resp.ETA = window(snap.At, s.now(), m.Predict(snap))
	resp.ModelVersion = m.Version
	writeJSON(w, 200, resp)
}

// window turns hours-from-snapshot into times. A prediction already in
// the past (the parcel is late against its own ETA) is moved to now.
func window(at, now time.Time, p model.Prediction) *Window {
	t := func(h float64) time.Time {
		v := at.Add(time.Duration(h * float64(time.Hour))).UTC().Round(time.Minute)
		if v.Before(now) {
			return now.UTC().Truncate(time.Minute)
		}
		return v
	}
	return &Window{P50: t(p.P50), P10: t(p.P10), P90: t(p.P90), P95Commit: t(p.P95), Confidence: 0.8}
}

// EstimateRequest is the body of POST /v1/estimates.
type EstimateRequest struct {
	Carrier     string           `json:"carrier"`
	Service     string           `json:"service"`
	Origin      schemas.Location `json:"origin"`
	Destination schemas.Location `json:"destination"`
	// ShipTime is when the label is created; now when omitted.
	ShipTime *time.Time `json:"ship_time,omitempty"`
}

// EstimateResponse is the body of a successful POST /v1/estimates.
type EstimateResponse struct {
	Carrier      string  `json:"carrier"`
	Service      string  `json:"service"`
	ETA          *Window `json:"eta"`
	TransitHours float64 `json:"transit_hours_p50"`
	ModelVersion string  `json:"model_version"`
}

const maxBody = 64 << 10

func (s *Server) handleEstimate(w http.ResponseWriter, r *http.Request) {
	m := s.model.Load()
	if m == nil {
		writeError(w, http.StatusServiceUnavailable, "no_model", "no model loaded yet")
		return
	}
	var req EstimateRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", "request body: "+err.Error())
		return
	}
	if err := req.check(); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	now := s.now()
	ship := now
	if req.ShipTime != nil {
		ship = *req.ShipTime
	}
	_, off := ship.Zone()
	snap := model.Snapshot{
		Carrier: strings.ToLower(req.Carrier), Service: strings.ToLower(req.Service),
		OriginArea: model.Area(req.Origin), DestArea: model.Area(req.Destination),
		OriginAreas: model.Areas(req.Origin), DestAreas: model.Areas(req.Destination),
		Status: schemas.StatusInfoReceived, At: ship.UTC(), OffsetMinutes: off / 60, Scans: 1,
	}
	p := m.Predict(snap)
	writeJSON(w, 200, EstimateResponse{
		Carrier: snap.Carrier, Service: snap.Service,
		ETA:          window(snap.At, ship, p),
		TransitHours: p.P50, ModelVersion: m.Version,
	})
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

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var e apiError
	e.Error.Code, e.Error.Message = code, msg
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
