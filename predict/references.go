package predict

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// ReferenceStore persists the references set through the API, so that
// every replica finds them: at its next bootstrap, and on a lookup that
// falls back to the database.
type ReferenceStore interface {
	PutReferences(ctx context.Context, trackingNumber, orderRef, customerRef string, at time.Time) error
}

// ReferenceSetter applies references to the shipments a replica holds in
// memory.
type ReferenceSetter interface {
	SetReferences(ctx context.Context, trackingNumber string, refs References) error
}

// checkRef refuses a reference schemas.CheckReference refuses; what names
// it in the error.
func checkRef(what, ref string) error {
	if err := schemas.CheckReference(ref); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// ReferencesResponse is the body of a successful PUT of references.
type ReferencesResponse struct {
	TrackingNumber string         `json:"tracking_number"`
	References     ReferencesBody `json:"references"`
}

// handlePutReferences sets a known shipment's references: both at once,
// an empty one clearing it. They are stored first, then applied to this
// replica's live state; they win over the references of the feed.
func (s *Server) handlePutReferences(w http.ResponseWriter, r *http.Request) {
	var body ReferencesBody
	sh, _, ok := s.lookupShipment(w, r, false)
	if !ok {
		return
	}
	if r.Header.Get("Content-Type") == "" { // a write says what it sends
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be application/json")
		return
	}
	if !decodeJSON(w, r, s.limits.MaxBody, &body) {
		return
	}
	if err := errors.Join(checkRef("order_ref", body.OrderRef), checkRef("customer_ref", body.CustomerRef)); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if s.refStore == nil {
		writeError(w, http.StatusServiceUnavailable, "not_configured", "references are not stored by this server")
		return
	}
	tn := sh.TrackingNumber
	_, err := lookup(r.Context(), s, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.refStore.PutReferences(ctx, tn, body.OrderRef, body.CustomerRef, s.now())
	})
	if err != nil {
		s.dbLog.Error("references", "storing references failed", "err", err)
		writeRetry(w, http.StatusServiceUnavailable, retryAfterBusy, "store_failed", "references not stored; retry later")
		return
	}
	if s.liveRefs != nil {
		if err := s.liveRefs.SetReferences(r.Context(), tn, References(body)); err != nil {
			// Stored, so a retry of the PUT, which is idempotent, applies them.
			s.log.Error("applying references failed", "err", err)
			writeError(w, http.StatusServiceUnavailable, "apply_failed", "references stored but not applied; retry")
			return
		}
	}
	writeJSON(w, 200, ReferencesResponse{TrackingNumber: tn, References: body})
}
