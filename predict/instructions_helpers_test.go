package predict

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// memInstructions is the memory fake of the instruction store and of
// the publisher.
type memInstructions struct {
	mu                   sync.Mutex
	stored               []schemas.Instruction // every put, in order
	published            []schemas.Instruction
	failStore, failPubly bool
}

func (m *memInstructions) PutInstruction(_ context.Context, in schemas.Instruction, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failStore {
		return errors.New("clickhouse down")
	}
	m.stored = append(m.stored, in)
	return nil
}

func (m *memInstructions) PublishInstruction(_ context.Context, in schemas.Instruction) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failPubly {
		return errors.New("kafka down")
	}
	m.published = append(m.published, in)
	return nil
}

// Since gives the latest put of each id, oldest first.
func (m *memInstructions) Since(_ context.Context, since time.Time, fn func(schemas.Instruction) error) error {
	m.mu.Lock()
	latest := map[string]int{}
	var order []string
	for i, in := range m.stored {
		if _, ok := latest[in.ID]; !ok {
			order = append(order, in.ID)
		}
		latest[in.ID] = i
	}
	var out []schemas.Instruction
	for _, id := range order {
		if in := m.stored[latest[id]]; !in.CreatedAt.Before(since) {
			out = append(out, in)
		}
	}
	m.mu.Unlock()
	for _, in := range out {
		if err := fn(in); err != nil {
			return err
		}
	}
	return nil
}

func (m *memInstructions) counts() (stored, published int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.stored), len(m.published)
}

// The numbers the instruction tests use from newStore: a UPS parcel
// picked up, a FedEx one picked up, a USPS one delivered, a postal one
// returned. All go to San Francisco (US, UTC−5 at the scans), now being
// Monday 2026-11-23 10:00 local, the week of Thanksgiving.
const (
	upsOpen   = "1Z999AA10123456784"
	fedexOpen = "799531274483"
	delivered = "9400111899223100000017"
	returnedN = "RB123456785GB"
)

// instructionNow is the clock of newInstructionServer: t0+4h.
var instructionNow = t0.Add(4 * time.Hour)

// instructionModel is testModel with parcels to the area US1 (New York)
// taking longer, so a new destination changes the ETA.
func instructionModel(t testing.TB) *model.Model {
	t.Helper()
	m := testModel()
	m.Features = append(m.Features, "d:US1")
	m.Lane.Coef = append(m.Lane.Coef, 0.5)
	path := t.TempDir() + "/m.json"
	if _, err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

func newInstructionServer(t testing.TB, store *memStore, ins *memInstructions) *Server {
	t.Helper()
	s := NewServer(store, instructionModel(t), Options{Now: func() time.Time { return instructionNow },
		Orders: store, References: store, LiveReferences: store, Instructions: ins, InstructionPublisher: ins})
	return s
}

// setStatus appends a scan of the status at hours after t0.
func (m *memStore) setStatus(tn string, h float64, st schemas.Status) {
	m.mu.Lock()
	defer m.mu.Unlock()
	sh := m.ships[tn]
	at := t0.Add(time.Duration(h * float64(time.Hour)))
	sh.Scans = append(append([]model.Scan(nil), sh.Scans...), model.Scan{Time: at, Status: st, OffsetMinutes: -300})
	sh.Timeline = append(append([]TimelineScan(nil), sh.Timeline...), TimelineScan{Time: at, Status: st, OffsetMinutes: -300})
	sh.UpdatedAt = at.Add(time.Minute)
	m.ships[tn] = sh
}

// sendInstr makes a request with an Idempotency-Key (when key is not "") and
// a JSON body, returning the code and the decoded body.
func sendInstr(t testing.TB, s *Server, method, path, key, body string) (int, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		r.Header.Set("Idempotency-Key", key)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: %d %q: %v", method, path, w.Code, w.Body.String(), err)
	}
	return w.Code, out
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// The bodies of one instruction of each type, valid for upsOpen now.
const (
	holdBody       = `{"type":"hold_at_location","pickup_point":{"id":"UPS-AP-94107","name":"The UPS Store","address":{"line1":"1 King St","city":"San Francisco","region":"CA","postal_code":"94107","country":"US"}}}`
	rescheduleBody = `{"type":"reschedule","date":"2026-11-25"}`
	redirectBody   = `{"type":"redirect","address":{"line1":"10 Broadway","city":"New York","region":"NY","postal_code":"10004","country":"US"}}`
	returnBody     = `{"type":"return_to_sender"}`
)

// postNoType POSTs a body without a Content-Type.
func postNoType(t testing.TB, s *Server, path, key, body string) (int, map[string]any) {
	t.Helper()
	r := httptest.NewRequest("POST", path, strings.NewReader(body))
	r.Header.Set("Idempotency-Key", key)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("POST %s: %d %q: %v", path, w.Code, w.Body.String(), err)
	}
	return w.Code, out
}
