package predict

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// ExceptionsResponse is the body of GET /v1/exceptions: one page.
type ExceptionsResponse struct {
	Exceptions []schemas.Exception `json:"exceptions"`
	// NextCursor asks for the next page; absent after the last.
	NextCursor string `json:"next_cursor,omitempty"`
}

// The exception list's parameters and their bounds.
var exceptionParams = []string{"type", "carrier", "state", "limit", "cursor"}

const (
	maxCarrierLen   = 64
	maxExceptionCur = 64
	// stateAll asks for open and resolved exceptions alike.
	stateAll = "all"
)

// ParseExceptionQuery reads GET /v1/exceptions's parameters: type (one
// of ExceptionTypes), carrier, state (open by default, resolved, or all),
// limit (1 to MaxPageLimit, DefaultPageLimit by default) and cursor (the
// next_cursor of the page before). An unknown or repeated parameter is an
// error.
func ParseExceptionQuery(v url.Values) (ExceptionQuery, error) {
	q := ExceptionQuery{State: schemas.ExceptionOpen, Limit: DefaultPageLimit}
	for k, vs := range v {
		if !slices.Contains(exceptionParams, k) {
			return q, fmt.Errorf("unknown parameter %q (want %v)", k, exceptionParams)
		}
		if len(vs) > 1 {
			return q, fmt.Errorf("parameter %q given %d times", k, len(vs))
		}
	}
	if t := v.Get("type"); t != "" {
		if !ValidExceptionType(t) {
			return q, fmt.Errorf("type %q is not one of %v", t, ExceptionTypes)
		}
		q.Type = t
	}
	q.Carrier = v.Get("carrier")
	if len(q.Carrier) > maxCarrierLen {
		return q, fmt.Errorf("carrier is longer than %d bytes", maxCarrierLen)
	}
	switch st := v.Get("state"); st {
	case "", string(schemas.ExceptionOpen):
	case string(schemas.ExceptionResolved):
		q.State = schemas.ExceptionResolved
	case stateAll:
		q.State = ""
	default:
		return q, fmt.Errorf("state %q is not open, resolved or all", st)
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxPageLimit {
			return q, fmt.Errorf("limit must be an integer from 1 to %d", MaxPageLimit)
		}
		q.Limit = n
	}
	q.After = v.Get("cursor")
	if len(q.After) > maxExceptionCur || !isHex(q.After) {
		return q, fmt.Errorf("cursor is not one this server made")
	}
	return q, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (s *Server) handleExceptions(w http.ResponseWriter, r *http.Request) {
	q, err := ParseExceptionQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if s.exceptionList == nil {
		writeRetry(w, http.StatusServiceUnavailable, retryAfterBusy, "not_configured", "exceptions are not served by this server")
		return
	}
	list, next := s.exceptionList.ListExceptions(q)
	if list == nil {
		list = []schemas.Exception{}
	}
	writeJSON(w, 200, ExceptionsResponse{Exceptions: list, NextCursor: next})
}

// exceptionsOf is the shipment view's list: the exceptions of the
// shipment shown (a reused number's older shipments had their own),
// empty without a source.
func (s *Server) exceptionsOf(sh *Shipment) []schemas.Exception {
	out := []schemas.Exception{}
	if s.shipmentExceptions == nil || len(sh.Scans) == 0 {
		return out
	}
	start := sh.Scans[0].Time.Truncate(time.Second)
	for _, e := range s.shipmentExceptions.ExceptionsOf(sh.TrackingNumber) {
		if e.Carrier == sh.Carrier && e.ShipmentKey == sh.ShipmentKey && e.ShipmentStart.Equal(start) {
			out = append(out, e)
		}
	}
	return out
}
