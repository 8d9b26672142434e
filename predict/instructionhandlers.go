package predict

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// InstructionRequest is the body of POST
// /v1/shipments/{tracking_number}/instructions: the type and what it
// needs (a pickup point for a hold, a date for a reschedule, an address
// for a redirect, nothing for a return).
type InstructionRequest struct {
	Type        schemas.InstructionType `json:"type"`
	PickupPoint *schemas.PickupPoint    `json:"pickup_point,omitempty"`
	Date        string                  `json:"date,omitempty"`
	Address     *schemas.Address        `json:"address,omitempty"`
}

// InstructionView is an instruction as the API shows it.
type InstructionView struct {
	ID          string               `json:"id"`
	Type        string               `json:"type"`
	State       string               `json:"state"` // pending, acted_on, cancelled
	CreatedAt   time.Time            `json:"created_at"`
	CancelledAt *time.Time           `json:"cancelled_at,omitempty"`
	ActedOnAt   *time.Time           `json:"acted_on_at,omitempty"`
	PickupPoint *schemas.PickupPoint `json:"pickup_point,omitempty"`
	Date        string               `json:"date,omitempty"`
	Address     *schemas.Address     `json:"address,omitempty"`
}

// InstructionResponse is the body of a successful POST or DELETE of an
// instruction.
type InstructionResponse struct {
	TrackingNumber string          `json:"tracking_number"`
	Instruction    InstructionView `json:"instruction"`
}

// OptionsResponse is the body of GET
// /v1/shipments/{tracking_number}/options.
type OptionsResponse struct {
	TrackingNumber string         `json:"tracking_number"`
	Carrier        string         `json:"carrier"`
	Status         schemas.Status `json:"status"`
	Options        []Option       `json:"options"`
}

// Option is one instruction type and whether it can be given now: what
// it needs when it can, why not when it cannot.
type Option struct {
	Type      schemas.InstructionType `json:"type"`
	Available bool                    `json:"available"`
	Requires  []string                `json:"requires"`
	Reason    string                  `json:"reason,omitempty"`
	// Dates are the next working days of the destination a reschedule
	// may name.
	Dates []string `json:"dates,omitempty"`
}

func viewOf(in *schemas.Instruction, sh *Shipment) InstructionView {
	state, acted := instructionStatus(in, sh)
	return InstructionView{ID: in.ID, Type: string(in.Type), State: state, CreatedAt: in.CreatedAt.UTC(), CancelledAt: in.CancelledAt,
		ActedOnAt: acted, PickupPoint: in.PickupPoint, Date: in.Date, Address: in.Address}
}

// currentStatus is the shipment's status as instructions read it:
// delivered once any scan says so, else the latest scan's.
func currentStatus(sh *Shipment) schemas.Status {
	if _, ok := sh.DeliveredAt(); ok {
		return schemas.StatusDelivered
	}
	return sh.Scans[len(sh.Scans)-1].Status
}

// localToday is the destination's date now, read at the latest scan's
// offset.
func localToday(sh *Shipment, now time.Time) time.Time {
	off := sh.Scans[len(sh.Scans)-1].OffsetMinutes
	y, m, d := now.In(time.FixedZone("", off*60)).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (s *Server) handleOptions(w http.ResponseWriter, r *http.Request) {
	sh, _, ok := s.lookupShipment(w, r, false)
	if !ok {
		return
	}
	writeJSON(w, 200, s.OptionsOf(&sh))
}

// OptionsOf is what GET /v1/shipments/{tracking_number}/options answers
// for a shipment: the instructions that can be given now.
func (s *Server) OptionsOf(sh *Shipment) OptionsResponse {
	st := currentStatus(sh)
	pending := s.pendingInstruction(sh)
	resp := OptionsResponse{TrackingNumber: sh.TrackingNumber, Carrier: sh.Carrier, Status: st, Options: make([]Option, 0, len(schemas.InstructionTypes))}
	for _, t := range schemas.InstructionTypes {
		o := Option{Type: t, Requires: requiredFields[t]}
		o.Available, o.Reason = offered(sh.Carrier, st, t)
		if o.Available && pending != nil {
			o.Available, o.Reason = false, "instruction "+pending.ID+" is pending; cancel it first"
		}
		if o.Available && t == schemas.InstructionReschedule {
			o.Dates = nextWorkdays(sh.Destination.Country, localToday(sh, s.now()), rescheduleOffered)
		}
		resp.Options = append(resp.Options, o)
	}
	return resp
}

// nextWorkdays are the first n working days of a country after today, up
// to MaxRescheduleDays ahead.
func nextWorkdays(country string, today time.Time, n int) []string {
	var out []string
	for d := 1; d <= MaxRescheduleDays && len(out) < n; d++ {
		if day := today.AddDate(0, 0, d); model.IsWorkday(country, day) {
			out = append(out, day.Format(time.DateOnly))
		}
	}
	return out
}

// pendingInstruction is the shipment's instruction neither cancelled
// nor acted on, or nil.
func (s *Server) pendingInstruction(sh *Shipment) *schemas.Instruction {
	ins := s.instructions.of(sh)
	for i := range ins {
		if st, _ := instructionStatus(&ins[i], sh); st == string(schemas.InstructionPending) {
			return &ins[i]
		}
	}
	return nil
}

// checkShape refuses a request that is not well formed: an unknown type,
// a field the type needs missing, a field of another type, a date that
// is not YYYY-MM-DD. It returns the request normalized.
func checkShape(req InstructionRequest) (InstructionRequest, error) {
	if !req.Type.Valid() {
		return req, errors.New("type must be one of hold_at_location, reschedule, redirect, return_to_sender")
	}
	var errs []error
	want := func(field string, present, needed bool) {
		switch {
		case needed && !present:
			errs = append(errs, errors.New(field+" is required for "+string(req.Type)))
		case !needed && present:
			errs = append(errs, errors.New(field+" is not taken by "+string(req.Type)))
		}
	}
	want("pickup_point", req.PickupPoint != nil, req.Type == schemas.InstructionHoldAtLocation)
	want("date", req.Date != "", req.Type == schemas.InstructionReschedule)
	want("address", req.Address != nil, req.Type == schemas.InstructionRedirect)
	if req.PickupPoint != nil {
		p := *req.PickupPoint
		p.ID, p.Name = strings.TrimSpace(p.ID), strings.TrimSpace(p.Name)
		p.Address = schemas.NormalizeAddress(p.Address)
		if err := schemas.CheckReference(p.ID); err != nil || p.ID == "" {
			errs = append(errs, errors.New("pickup_point.id must be a non-empty reference of printable characters"))
		}
		req.PickupPoint = &p
	}
	if req.Date != "" {
		if _, err := time.Parse(time.DateOnly, req.Date); err != nil {
			errs = append(errs, errors.New("date must be YYYY-MM-DD"))
		}
	}
	if req.Address != nil {
		a := schemas.NormalizeAddress(*req.Address)
		req.Address = &a
	}
	return req, errors.Join(errs...)
}

// checkMeaning refuses a well-formed request that cannot be done: a date
// not a working day of the destination after its today (or too far
// ahead), an address that does not check.
func checkMeaning(req InstructionRequest, sh *Shipment, now time.Time) (code string, err error) {
	if req.Date != "" {
		day, _ := time.Parse(time.DateOnly, req.Date)
		today := localToday(sh, now)
		country := sh.Destination.Country
		switch {
		case !day.After(today):
			return "invalid_date", errors.New("date " + req.Date + " is not after the destination's today, " + today.Format(time.DateOnly))
		case day.After(today.AddDate(0, 0, MaxRescheduleDays)):
			return "invalid_date", errors.New("date " + req.Date + " is more than " + strconv.Itoa(MaxRescheduleDays) + " days ahead")
		case !model.IsWorkday(country, day):
			return "invalid_date", errors.New("date " + req.Date + " is not a working day of the carrier in " + country)
		}
	}
	if req.PickupPoint != nil {
		if err := schemas.CheckAddress(req.PickupPoint.Address); err != nil {
			return "invalid_address", errors.New("pickup_point.address: " + err.Error())
		}
	}
	if req.Address != nil {
		if err := schemas.CheckAddress(*req.Address); err != nil {
			return "invalid_address", errors.New("address: " + err.Error())
		}
	}
	return "", nil
}

// requestHash is the digest of a normalized request: what a retry under
// the same Idempotency-Key must match.
func requestHash(req InstructionRequest) string {
	b, _ := json.Marshal(req) // a struct of strings: always encodes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// instructionID is the id of the instruction a shipment's key names:
// the same on every retry and after a restart, and another for a later
// shipment under the same number (its first scan is another).
func instructionID(sh *Shipment, key string) string {
	start := ""
	if len(sh.Scans) > 0 {
		start = strconv.FormatInt(sh.Scans[0].Time.Unix(), 10)
	}
	sum := sha256.Sum256([]byte(sh.TrackingNumber + "\x00" + sh.ShipmentKey + "\x00" + start + "\x00" + key))
	return "ins_" + hex.EncodeToString(sum[:12])
}

// idempotencyKey reads the Idempotency-Key header: required, printable,
// at most maxIdempotencyKey bytes.
func idempotencyKey(r *http.Request) (string, error) {
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	switch {
	case key == "":
		return "", errors.New("the Idempotency-Key header is required")
	case len(key) > maxIdempotencyKey:
		return "", errors.New("the Idempotency-Key header is over " + strconv.Itoa(maxIdempotencyKey) + " bytes")
	case strings.ContainsFunc(key, func(c rune) bool { return c < ' ' || c > '~' }):
		return "", errors.New("the Idempotency-Key header must be printable ASCII")
	}
	return key, nil
}

// handlePostInstruction gives a delivery instruction. The same
// Idempotency-Key with the same body answers what the first request did;
// with another body, 422.
func (s *Server) handlePostInstruction(w http.ResponseWriter, r *http.Request) {
	sh, _, ok := s.lookupShipment(w, r, false)
	if !ok {
		return
	}
	if s.instrStore == nil {
		writeProblem(w, problemNoInstructions)
		return
	}
	key, err := idempotencyKey(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_idempotency_key", err.Error())
		return
	}
	if r.Header.Get("Content-Type") == "" { // a write says what it sends
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be application/json")
		return
	}
	var req InstructionRequest
	if !decodeJSON(w, r, s.limits.MaxBody, &req) {
		return
	}
	resp, p := s.give(r.Context(), &sh, key, req)
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusCreated, resp)
}

var problemNoInstructions = retryProblem(http.StatusServiceUnavailable, "not_configured", "instructions are not stored by this server")

// GiveInstruction gives a delivery instruction as POST
// /v1/shipments/{tracking_number}/instructions does, key standing for its
// Idempotency-Key: the same key and request answer what the first did.
func (s *Server) GiveInstruction(ctx context.Context, trackingNumber, key string, req InstructionRequest) (InstructionResponse, *Problem) {
	sh, _, p := s.findShipment(ctx, trackingNumber, false)
	if p != nil {
		return InstructionResponse{}, p
	}
	if s.instrStore == nil {
		return InstructionResponse{}, problemNoInstructions
	}
	return s.give(ctx, &sh, key, req)
}

func (s *Server) give(ctx context.Context, sh *Shipment, key string, req InstructionRequest) (InstructionResponse, *Problem) {
	refuse := func(status int, code, msg string) (InstructionResponse, *Problem) {
		return InstructionResponse{}, &Problem{Status: status, Code: code, Message: msg}
	}
	req, err := checkShape(req)
	if err != nil {
		return refuse(http.StatusBadRequest, "invalid_request", err.Error())
	}
	hash := requestHash(req)
	unlock := s.instructions.lock(sh.TrackingNumber)
	defer unlock()
	id := instructionID(sh, key)
	for _, in := range s.instructions.of(sh) {
		if in.ID != id {
			continue
		}
		if in.RequestHash != hash {
			return refuse(http.StatusUnprocessableEntity, "idempotency_key_reused", "Idempotency-Key "+key+" was used with another request")
		}
		if s.instructions.isUnpublished(in.ID) {
			if p := s.publish(ctx, in); p != nil {
				return InstructionResponse{}, p
			}
		}
		return InstructionResponse{TrackingNumber: sh.TrackingNumber, Instruction: viewOf(&in, sh)}, nil
	}
	st := currentStatus(sh)
	if closedStatus(st) {
		return refuse(http.StatusConflict, "shipment_closed", "no instruction can be given: "+notOfferedReason[st])
	}
	if ok, why := offered(sh.Carrier, st, req.Type); !ok {
		return refuse(http.StatusConflict, "option_unavailable", string(req.Type)+" is not offered now: "+why)
	}
	if p := s.pendingInstruction(sh); p != nil {
		return refuse(http.StatusConflict, "instruction_pending", "instruction "+p.ID+" is pending; cancel it first")
	}
	now := s.now()
	if code, err := checkMeaning(req, sh, now); err != nil {
		return refuse(http.StatusUnprocessableEntity, code, err.Error())
	}
	in := schemas.Instruction{ID: id, Type: req.Type, State: schemas.InstructionPending, TrackingNumber: sh.TrackingNumber,
		Carrier: sh.Carrier, ShipmentKey: sh.ShipmentKey, ShipmentStart: sh.Scans[0].Time.UTC(),
		PickupPoint: req.PickupPoint, Date: req.Date, Address: req.Address, CreatedAt: now.UTC(),
		IdempotencyKey: key, RequestHash: hash}
	if p := s.store(ctx, in, now); p != nil {
		return InstructionResponse{}, p
	}
	return InstructionResponse{TrackingNumber: sh.TrackingNumber, Instruction: viewOf(&in, sh)}, nil
}

// handleDeleteInstruction cancels an instruction the carrier has not
// acted on; cancelling a cancelled one answers it again.
func (s *Server) handleDeleteInstruction(w http.ResponseWriter, r *http.Request) {
	sh, _, ok := s.lookupShipment(w, r, false)
	if !ok {
		return
	}
	if s.instrStore == nil {
		writeProblem(w, problemNoInstructions)
		return
	}
	resp, p := s.cancel(r.Context(), &sh, r.PathValue("id"))
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, 200, resp)
}

// CancelInstruction cancels an instruction as DELETE
// /v1/shipments/{tracking_number}/instructions/{id} does.
func (s *Server) CancelInstruction(ctx context.Context, trackingNumber, id string) (InstructionResponse, *Problem) {
	sh, _, p := s.findShipment(ctx, trackingNumber, false)
	if p != nil {
		return InstructionResponse{}, p
	}
	if s.instrStore == nil {
		return InstructionResponse{}, problemNoInstructions
	}
	return s.cancel(ctx, &sh, id)
}

func (s *Server) cancel(ctx context.Context, sh *Shipment, id string) (InstructionResponse, *Problem) {
	unlock := s.instructions.lock(sh.TrackingNumber)
	defer unlock()
	for _, in := range s.instructions.of(sh) {
		if in.ID != id {
			continue
		}
		switch state, _ := instructionStatus(&in, sh); state {
		case string(schemas.InstructionCancelled):
			if s.instructions.isUnpublished(in.ID) {
				if p := s.publish(ctx, in); p != nil {
					return InstructionResponse{}, p
				}
			}
			return InstructionResponse{TrackingNumber: sh.TrackingNumber, Instruction: viewOf(&in, sh)}, nil
		case InstructionActedOn:
			return InstructionResponse{}, &Problem{Status: http.StatusConflict, Code: "instruction_acted_on", Message: "instruction " + id + " was acted on by the carrier"}
		}
		now := s.now()
		at := now.UTC()
		in.State, in.CancelledAt = schemas.InstructionCancelled, &at
		if p := s.store(ctx, in, now); p != nil {
			return InstructionResponse{}, p
		}
		return InstructionResponse{TrackingNumber: sh.TrackingNumber, Instruction: viewOf(&in, sh)}, nil
	}
	return InstructionResponse{}, &Problem{Status: http.StatusNotFound, Code: "instruction_not_found", Message: "no instruction " + id + " for tracking number " + sh.TrackingNumber}
}

// store writes an instruction as it stands now, holds it in memory and
// publishes it; a Problem when it cannot be stored or published (a retry
// of the request publishes it).
func (s *Server) store(ctx context.Context, in schemas.Instruction, now time.Time) *Problem {
	_, err := lookup(ctx, s, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.instrStore.PutInstruction(ctx, in, now)
	})
	if err != nil {
		s.dbLog.Error("instructions", "storing an instruction failed", "err", err)
		return retryProblem(http.StatusServiceUnavailable, "store_failed", "instruction not stored; retry later")
	}
	s.instructions.put(in)
	return s.publish(ctx, in)
}

// publish tells the carrier integration of a stored instruction; without
// a publisher the instruction is stored only.
func (s *Server) publish(ctx context.Context, in schemas.Instruction) *Problem {
	if s.instrPub == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.limits.LookupTimeout)
	defer cancel()
	if err := s.instrPub.PublishInstruction(ctx, in); err != nil {
		s.instructions.setPublished(in, false)
		s.dbLog.Error("instructions:publish", "publishing an instruction failed", "err", err)
		return retryProblem(http.StatusServiceUnavailable, "publish_failed", "instruction stored but not sent to the carrier; retry the same request")
	}
	s.instructions.setPublished(in, true)
	return nil
}
