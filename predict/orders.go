package predict

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// ShipmentSummary is one shipment of an order or a customer: its status
// and ETA (as /eta gives them), its references and tracking page.
type ShipmentSummary struct {
	ETAResponse
	OnTime      string         `json:"on_time_status,omitempty"`
	TrackingURL string         `json:"tracking_url,omitempty"`
	References  ReferencesBody `json:"references"`
}

// ArrivingBy is when the last of an order's undelivered shipments is
// expected: the latest p50 of their ETAs, and the latest p90.
type ArrivingBy struct {
	P50 time.Time `json:"p50"`
	P90 time.Time `json:"p90"`
}

// OrderResponse is the body of GET /v1/orders/{order_ref}.
type OrderResponse struct {
	OrderRef  string            `json:"order_ref"`
	Shipments []ShipmentSummary `json:"shipments"`
	// ArrivingBy is over the shipments in flight with an ETA; absent when
	// none is (every shipment delivered, returned or cancelled).
	ArrivingBy *ArrivingBy `json:"arriving_by,omitempty"`
	// DeliveredAt is the last delivery, once every shipment that was not
	// returned or cancelled is delivered.
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

// CustomerShipmentsResponse is the body of GET
// /v1/customers/{customer_ref}/shipments: one page.
type CustomerShipmentsResponse struct {
	CustomerRef string            `json:"customer_ref"`
	Shipments   []ShipmentSummary `json:"shipments"`
	// NextCursor asks for the next page; absent after the last.
	NextCursor string `json:"next_cursor,omitempty"`
}

// Customer pages: their default and largest size, and the longest cursor.
const (
	DefaultPageLimit = 20
	MaxPageLimit     = 100
	maxCursorLen     = 512
)

func (s *Server) summary(sh *Shipment) ShipmentSummary {
	sum := ShipmentSummary{ETAResponse: s.etaResponse(sh, s.model.Load()),
		References: ReferencesBody{OrderRef: sh.OrderRef, CustomerRef: sh.CustomerRef}}
	if sum.TrackingNumber == "" {
		sum.TrackingNumber = sh.TrackingNumber
	}
	if last := sh.Scans[len(sh.Scans)-1].Status; sum.DeliveredAt != nil || !last.Terminal() {
		sum.OnTime = onTimeStatus(sh.Promised, sum.DeliveredAt, sum.ETA)
	}
	sum.TrackingURL = trackingURL(sh)
	return sum
}

// pathRef reads a reference from the path, writing a 400 when it is not
// one.
func pathRef(w http.ResponseWriter, r *http.Request, name string) (string, bool) {
	ref := r.PathValue(name)
	if ref == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", name+" is empty")
		return "", false
	}
	if err := checkRef(name, ref); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return "", false
	}
	return ref, true
}

func (s *Server) handleOrder(w http.ResponseWriter, r *http.Request) {
	ref, ok := pathRef(w, r, "order_ref")
	if !ok {
		return
	}
	ships, p := s.ordersOf(r.Context(), ref)
	if p != nil {
		writeProblem(w, p)
		return
	}
	resp := OrderResponse{OrderRef: ref, Shipments: make([]ShipmentSummary, 0, len(ships))}
	for i := range ships {
		resp.Shipments = append(resp.Shipments, s.summary(&ships[i]))
	}
	resp.ArrivingBy, resp.DeliveredAt = arrival(resp.Shipments)
	writeJSON(w, 200, resp)
}

// ordersOf is every shipment with scans carrying the order reference:
// 404 when there is none, 503 without an order index or when the lookup
// fails.
func (s *Server) ordersOf(ctx context.Context, ref string) ([]Shipment, *Problem) {
	if s.orders == nil {
		return nil, &Problem{Status: http.StatusServiceUnavailable, Code: "not_configured", Message: "orders are not served by this server"}
	}
	ships, err := lookup(ctx, s, func(ctx context.Context) ([]Shipment, error) { return s.orders.ByOrder(ctx, ref) })
	if err != nil {
		s.dbLog.Error("order", "order lookup failed", "err", err)
		return nil, retryProblem(http.StatusServiceUnavailable, "lookup_failed", "order lookup failed; retry later")
	}
	out := ships[:0:0]
	for i := range ships {
		if len(ships[i].Scans) > 0 {
			out = append(out, ships[i])
		}
	}
	if len(out) == 0 {
		return nil, &Problem{Status: http.StatusNotFound, Code: "not_found", Message: "no shipments for order " + ref}
	}
	return out, nil
}

func (s *Server) handleCustomerShipments(w http.ResponseWriter, r *http.Request) {
	ref, ok := pathRef(w, r, "customer_ref")
	if !ok {
		return
	}
	q := r.URL.Query()
	limit := DefaultPageLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageLimit {
			writeError(w, http.StatusBadRequest, "invalid_request", "limit must be an integer from 1 to "+strconv.Itoa(MaxPageLimit))
			return
		}
		limit = n
	}
	cursor := q.Get("cursor")
	if len(cursor) > maxCursorLen {
		writeError(w, http.StatusBadRequest, "invalid_request", "cursor is too long")
		return
	}
	if s.orders == nil {
		writeError(w, http.StatusServiceUnavailable, "not_configured", "customers are not served by this server")
		return
	}
	type page struct {
		ships []Shipment
		next  string
	}
	p, err := lookup(r.Context(), s, func(ctx context.Context) (page, error) {
		ships, next, err := s.orders.ByCustomer(ctx, ref, cursor, limit)
		return page{ships, next}, err
	})
	ships, next := p.ships, p.next
	if err != nil {
		var bad *BadCursorError
		if errors.As(err, &bad) {
			writeError(w, http.StatusBadRequest, "invalid_cursor", err.Error())
			return
		}
		s.dbLog.Error("customer", "customer lookup failed", "err", err)
		writeRetry(w, http.StatusServiceUnavailable, retryAfterBusy, "lookup_failed", "customer lookup failed; retry later")
		return
	}
	resp := CustomerShipmentsResponse{CustomerRef: ref, Shipments: make([]ShipmentSummary, 0, len(ships)), NextCursor: next}
	for i := range ships {
		if len(ships[i].Scans) > 0 {
			resp.Shipments = append(resp.Shipments, s.summary(&ships[i]))
		}
	}
	if len(resp.Shipments) == 0 && cursor == "" {
		writeError(w, http.StatusNotFound, "not_found", "no shipments for customer "+ref)
		return
	}
	writeJSON(w, 200, resp)
}

// arrival is when an order arrives: by the latest p50 and the latest p90
// of its shipments in flight with an ETA, or, once every shipment that
// was not returned or cancelled is delivered, at the last delivery.
func arrival(ships []ShipmentSummary) (*ArrivingBy, *time.Time) {
	var (
		by           *ArrivingBy
		delivered    *time.Time
		allDelivered = true
	)
	for i := range ships {
		sum := &ships[i]
		switch {
		case sum.DeliveredAt != nil:
			if delivered == nil || sum.DeliveredAt.After(*delivered) {
				delivered = sum.DeliveredAt
			}
		case sum.Status.Terminal(): // returned or cancelled: it will not arrive
		default:
			allDelivered = false
			if sum.ETA == nil {
				continue
			}
			if by == nil {
				by = &ArrivingBy{P50: sum.ETA.P50, P90: sum.ETA.P90}
			}
			if sum.ETA.P50.After(by.P50) {
				by.P50 = sum.ETA.P50
			}
			if sum.ETA.P90.After(by.P90) {
				by.P90 = sum.ETA.P90
			}
		}
	}
	if !allDelivered {
		delivered = nil
	}
	return by, delivered
}

// BadCursorError is what an Orders implementation returns for a cursor
// it did not issue: the request gets a 400.
type BadCursorError struct{ Cursor string }

func (e *BadCursorError) Error() string {
	return "cursor " + strconv.Quote(e.Cursor) + " is not one this server issued"
}
