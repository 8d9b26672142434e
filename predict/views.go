package predict

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// ShipmentView is what GET /v1/shipments/{tracking_number} answers,
// with the shipment it was made from.
func (s *Server) ShipmentView(ctx context.Context, trackingNumber string) (Shipment, ShipmentResponse, *Problem) {
	sh, m, p := s.findShipment(ctx, trackingNumber, false)
	if p != nil {
		return Shipment{}, ShipmentResponse{}, p
	}
	return sh, s.shipmentResponse(&sh, m), nil
}

// OrderView is one shipment of an order in full.
type OrderView struct {
	Shipment Shipment
	View     ShipmentResponse
}

// OrderShipments is the shipments carrying the order reference that keep
// says to show, in full (GET /v1/orders/{order_ref} gives summaries of
// all): 404 when there is none, or keep shows none, 503 without an order
// index or when the lookup fails. Only the shipments kept are estimated.
func (s *Server) OrderShipments(ctx context.Context, orderRef string, keep func(*Shipment) bool) ([]OrderView, *Problem) {
	notFound := &Problem{Status: http.StatusNotFound, Code: "not_found", Message: "no shipments for order " + orderRef}
	if err := checkRef("order_ref", orderRef); err != nil || orderRef == "" {
		return nil, &Problem{Status: http.StatusBadRequest, Code: "invalid_request", Message: "order_ref is not an order reference"}
	}
	ships, p := s.ordersOf(ctx, orderRef)
	if p != nil {
		return nil, p
	}
	m := s.model.Load()
	var out []OrderView
	for i := range ships {
		if keep(&ships[i]) {
			out = append(out, OrderView{Shipment: ships[i], View: s.shipmentResponse(&ships[i], m)})
		}
	}
	if len(out) == 0 {
		return nil, notFound
	}
	return out, nil
}

// Now is the server's clock.
func (s *Server) Now() time.Time { return s.now() }

// HandlePage registers a route of pages for people rather than programs
// (the tracking page): counted and timed like the API's routes, open
// without an API key and outside the API's cap on requests in flight (a
// page has its own, so open traffic cannot starve the API's clients); h
// answers its own errors.
func (s *Server) HandlePage(pattern, route string, h http.HandlerFunc) {
	latency := s.latency.WithLabelValues(route)
	s.mux.HandleFunc(pattern, routed(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h(sw, r)
		latency.Observe(time.Since(start).Seconds())
		s.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
	}))
}

// TakesInstructions is whether delivery instructions can be given here
// (the server has somewhere to store them).
func (s *Server) TakesInstructions() bool { return s.instrStore != nil }
