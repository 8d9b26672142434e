package predict

import (
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// FuzzInstructionBody: any body and Idempotency-Key POSTed as an
// instruction gets one of the route's answers, in the error shape when
// refused; an instruction given is of a known type with what it needs,
// its date a future working day and its addresses valid.
func FuzzInstructionBody(f *testing.F) {
	for _, b := range []string{holdBody, rescheduleBody, redirectBody, returnBody, `{"type":"reschedule","date":"2026-11-26"}`,
		`{"type":"redirect","address":{"line1":"x","city":"y","postal_code":"H2X 1Y4","country":"CA","region":"QC"}}`, `{}`, `[]`, `{"type":1}`} {
		f.Add(b, "key-1")
	}
	m := newTestServer(f).Model()
	f.Fuzz(func(t *testing.T, body, key string) {
		store := newStore()
		s := NewServer(store, m, Options{Now: func() time.Time { return instructionNow }, Instructions: &memInstructions{}})
		r := httptest.NewRequest("POST", "/v1/shipments/"+upsOpen+"/instructions", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if strings.ContainsFunc(key, func(c rune) bool { return c == '\r' || c == '\n' || c == 0 }) {
			key = ""
		}
		r.Header.Set("Idempotency-Key", key)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if !slices.Contains([]int{201, 400, 409, 413, 422}, w.Code) {
			t.Fatalf("code %d for %q: %s", w.Code, body, w.Body)
		}
		if w.Code != 201 {
			var e apiError
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code == "" {
				t.Fatalf("%d not in the error shape: %s", w.Code, w.Body)
			}
			return
		}
		var resp InstructionResponse
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatalf("201 body: %v: %s", err, w.Body)
		}
		in := resp.Instruction
		switch schemas.InstructionType(in.Type) {
		case schemas.InstructionHoldAtLocation:
			if in.PickupPoint == nil || in.PickupPoint.ID == "" || schemas.CheckAddress(in.PickupPoint.Address) != nil {
				t.Fatalf("hold given with %+v", in.PickupPoint)
			}
		case schemas.InstructionReschedule:
			day, err := time.Parse(time.DateOnly, in.Date)
			if err != nil || !day.After(instructionNow) || !model.IsWorkday("US", day) {
				t.Fatalf("reschedule given for %q", in.Date)
			}
		case schemas.InstructionRedirect:
			if in.Address == nil || schemas.CheckAddress(*in.Address) != nil {
				t.Fatalf("redirect given to %+v", in.Address)
			}
		case schemas.InstructionReturnToSender:
		default:
			t.Fatalf("instruction of type %q given", in.Type)
		}
	})
}
