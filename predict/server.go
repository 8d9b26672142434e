// Package predict serves ETAs over HTTP: for a tracking number from its
// scans so far, and before shipping for a lane.
package predict

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict/webhooks"
	"github.com/parcelcast/parcelcast/schemas"
)

// Journeys finds a shipment's scans so far: what a store of shipments
// that keeps no timeline can answer from (chstore.History).
type Journeys interface {
	Journey(ctx context.Context, trackingNumber string) (model.Journey, bool, error)
}

// Server is the predict HTTP API.
type Server struct {
	shipments Shipments
	orders    Orders
	refStore  ReferenceStore
	liveRefs  ReferenceSetter
	sampler   *Sampler
	model     atomic.Pointer[model.Model]
	loadedAt  atomic.Int64 // unix nanoseconds the served model was set
	// replacedAt is when a model of another version last took over from
	// the one served before it (unix nanoseconds; 0: never).
	replacedAt atomic.Int64
	log        *slog.Logger
	dbLog      *throttledLog
	now        func() time.Time
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	refused    *prometheus.CounterVec
	models     modelMetrics
	mux        *http.ServeMux
	limits     Limits
	keys       *Keys
	inFlight   chan struct{}
	dbCalls    chan struct{} // database calls out, abandoned ones included
	lims       limiters
	checks     []ReadyCheck

	shipmentExceptions ShipmentExceptions
	exceptionList      ExceptionList
	// webhooks stores subscriptions; webhookSafety checks their URLs.
	webhooks      WebhookStore
	webhookSafety webhooks.Safety
	webhookGrace  time.Duration
	// instructions are the delivery instructions held, instrStore and
	// instrPub where they are stored and published.
	instructions *instructionBook
	instrStore   InstructionStore
	instrPub     InstructionPublisher
}

// ReadyCheck is a dependency /readyz asks: a nil error is ready.
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Options configure a Server.
type Options struct {
	Log *slog.Logger
	// Registry receives the server's metrics (the command serves it on
	// the admin listener); a new one is made when nil.
	Registry *prometheus.Registry
	Now      func() time.Time
	// Orders answers the order and customer views; they answer 503
	// without it.
	Orders Orders
	// References persists the references PUT sets, and LiveReferences
	// (the live state) is told of them; PUT answers 503 without a store.
	References     ReferenceStore
	LiveReferences ReferenceSetter
	// Sampler, when not nil, records served ETAs for online accuracy.
	Sampler *Sampler
	// Keys are the API keys accepted; nil lets every request in (the
	// command allows that only with --insecure-no-auth).
	Keys *Keys
	// Limits bound requests; zero fields take DefaultLimits.
	Limits Limits
	// Ready are the dependencies /readyz checks besides the model.
	Ready []ReadyCheck
	// Exceptions fill the shipment view's exceptions (empty without);
	// ExceptionList answers GET /v1/exceptions (503 without).
	Exceptions    ShipmentExceptions
	ExceptionList ExceptionList
	// Webhooks stores webhook subscriptions (the /v1/webhooks routes
	// answer 503 without it); WebhookSafety says which endpoint URLs are
	// allowed, WebhookGrace how long a rotated-out secret still signs
	// (0: webhooks.Defaults).
	Webhooks      WebhookStore
	WebhookSafety webhooks.Safety
	WebhookGrace  time.Duration
	// Instructions stores the delivery instructions given through the API
	// (they answer 503 without it), InstructionPublisher sends them to the
	// carrier integration (stored only when nil).
	Instructions         InstructionStore
	InstructionPublisher InstructionPublisher
}

// NewServer returns a server answering from shipments with model m (which
// may be nil until SetModel is called; /readyz says so).
func NewServer(shipments Shipments, m *model.Model, opts Options) *Server {
	s := &Server{shipments: shipments, log: opts.Log, now: opts.Now, reg: opts.Registry,
		orders: opts.Orders, refStore: opts.References, liveRefs: opts.LiveReferences, sampler: opts.Sampler,
		limits: opts.Limits.withDefaults(), keys: opts.Keys, checks: opts.Ready,
		shipmentExceptions: opts.Exceptions, exceptionList: opts.ExceptionList,
		lims:         limiters{by: map[string]*rate.Limiter{}},
		instructions: newInstructionBook(), instrStore: opts.Instructions, instrPub: opts.InstructionPublisher,
		webhooks: opts.Webhooks, webhookSafety: opts.WebhookSafety, webhookGrace: opts.WebhookGrace}
	if s.webhookGrace <= 0 {
		s.webhookGrace = webhooks.Defaults.RotationGrace
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.dbLog = newThrottledLog(s.log, 10*time.Second)
	if s.now == nil {
		s.now = time.Now
	}
	if s.reg == nil {
		s.reg = prometheus.NewRegistry()
	}
	if s.limits.MaxInFlight > 0 {
		s.inFlight = make(chan struct{}, s.limits.MaxInFlight)
	}
	if s.limits.MaxDBCalls > 0 {
		s.dbCalls = make(chan struct{}, s.limits.MaxDBCalls)
	}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parcelcast_predict_requests_total", Help: "API requests by route and status code.",
	}, []string{"route", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "parcelcast_predict_request_duration_seconds", Help: "API latency by route.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	}, []string{"route"})
	s.refused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parcelcast_predict_refused_total", Help: "API requests refused before their handler, by reason.",
	}, []string{"reason"})
	s.reg.MustRegister(s.requests, s.latency, s.refused)
	s.models = newModelMetrics(s.reg)
	if m != nil {
		s.SetModel(m)
	}

	s.mux = http.NewServeMux()
	s.handle("GET /v1/shipments/{tracking_number}/eta", "eta", s.handleETA)
	s.handleScoped("POST /v1/estimates", "estimates", ScopeRead, s.handleEstimate)
	s.handle("GET /v1/shipments/{tracking_number}", "shipment", s.handleShipment)
	s.handle("PUT /v1/shipments/{tracking_number}/references", "references", s.handlePutReferences)
	s.handle("GET /v1/orders/{order_ref}", "order", s.handleOrder)
	s.handle("GET /v1/customers/{customer_ref}/shipments", "customer_shipments", s.handleCustomerShipments)
	s.handle("GET /v1/shipments/{tracking_number}/options", "options", s.handleOptions)
	s.handle("POST /v1/shipments/{tracking_number}/instructions", "instructions", s.handlePostInstruction)
	s.handle("DELETE /v1/shipments/{tracking_number}/instructions/{id}", "instruction_cancel", s.handleDeleteInstruction)
	s.handle("GET /v1/models/current", "models_current", s.handleModelCurrent)
	s.handle("GET /v1/exceptions", "exceptions", s.handleExceptions)
	s.registerWebhooks()
	s.mux.HandleFunc("GET /healthz", routed(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) }))
	s.mux.HandleFunc("GET /readyz", routed(s.handleReady))
	return s
}

// SetModel swaps the served model; requests in flight finish on the old.
func (s *Server) SetModel(m *model.Model) {
	if old := s.model.Swap(m); old != nil && m != nil && old.Version != m.Version {
		s.replacedAt.Store(s.now().UnixNano())
	}
	s.loadedAt.Store(s.now().UnixNano())
	if m != nil {
		s.models.served(m.Version)
	}
}

// Model returns the served model, or nil.
func (s *Server) Model() *model.Model { return s.model.Load() }

// ServeHTTP implements http.Handler. The mux's own answers (no route,
// a route without the method) are rewritten in the JSON error shape.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(&muxErrors{ResponseWriter: w, r: r}, r)
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	m := s.model.Load()
	if m == nil {
		writeRetry(w, http.StatusServiceUnavailable, retryAfterBusy, "no_model", "no model loaded yet")
		return
	}
	for _, c := range s.checks {
		ctx, cancel := context.WithTimeout(r.Context(), s.limits.LookupTimeout)
		_, err := withDeadline(ctx, s.dbCalls, func(ctx context.Context) (struct{}, error) { return struct{}{}, c.Check(ctx) })
		cancel()
		if err != nil {
			s.dbLog.Error("ready:"+c.Name, "not ready", "check", c.Name, "err", err)
			writeRetry(w, http.StatusServiceUnavailable, retryAfterBusy, "not_ready", c.Name+" is not ready: "+err.Error())
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
	ShipmentKey string     `json:"shipment_key,omitempty"`
	FirstScanAt time.Time  `json:"first_scan_at"`
	LastScanAt  time.Time  `json:"last_scan_at"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	ETA         *Window    `json:"eta,omitempty"`
	// HoursToGo and BusinessDaysToGo are from now to the ETA's p50: the
	// working days of the destination country after today's local date
	// up to the p50's.
	HoursToGo        *float64 `json:"hours_to_go,omitempty"`
	BusinessDaysToGo *int     `json:"business_days_to_go,omitempty"`
	ModelVersion     string   `json:"model_version,omitempty"`

	// DeliveryWindow is the local time of day it should arrive in.
	DeliveryWindow *DeliveryWindow `json:"delivery_window,omitempty"`

	// ActiveInstruction is the delivery instruction the ETA follows, and
	// ExpectedEvent what the ETA is the time of under it (delivered,
	// available_for_pickup, returned_to_sender); both absent without one.
	ActiveInstruction *InstructionView `json:"active_instruction,omitempty"`
	ExpectedEvent     schemas.Status   `json:"expected_event,omitempty"`
}

func (s *Server) handleETA(w http.ResponseWriter, r *http.Request) {
	sh, m, ok := s.lookupShipment(w, r, true)
	if !ok {
		return
	}
	writeJSON(w, 200, s.etaResponse(&sh, m))
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
