package live_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/schemas"
)

var t0 = time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// ev is a scan of number at t0+at, with its computed id.
func ev(number string, at time.Duration, status schemas.Status) schemas.ScanEvent {
	e := schemas.ScanEvent{TrackingNumber: number, Carrier: "ups", Service: "ground", Status: status,
		EventTime: t0.Add(at), UTCOffsetMinutes: -300, CarrierCode: string(status) + "-code", Description: "text of " + string(status),
		Location:    schemas.Location{City: "Atlanta", Region: "GA", PostalCode: "30301", Country: "US"},
		Origin:      schemas.Location{PostalCode: "10001", Region: "NY", Country: "US"},
		Destination: schemas.Location{PostalCode: "60601", Region: "IL", Country: "US"},
		Mode:        "ground", Source: schemas.Source{IngestedAt: t0.Add(at + time.Minute)}}
	e.EventID = schemas.ComputeEventID(&e)
	return e
}

func with(e schemas.ScanEvent, f func(*schemas.ScanEvent)) schemas.ScanEvent {
	f(&e)
	e.EventID = schemas.ComputeEventID(&e)
	return e
}

func newStore(t *testing.T, opts live.Options) *live.Store {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return t0.Add(5 * day) }
	}
	s, err := live.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func statuses(sh predict.Shipment) []schemas.Status {
	var out []schemas.Status
	for _, s := range sh.Scans {
		out = append(out, s.Status)
	}
	return out
}

const tn = "1Z999AA10123456784"

func TestApply(t *testing.T) {
	picked, transit, out, delivered := ev(tn, 0, schemas.StatusPickedUp), ev(tn, day, schemas.StatusInTransit),
		ev(tn, 2*day, schemas.StatusOutForDelivery), ev(tn, 2*day+4*time.Hour, schemas.StatusDelivered)
	for _, c := range []struct {
		name       string
		batches    [][]schemas.ScanEvent
		want       []schemas.Status
		wantScans  int
		wantDup    int
		wantFirst  time.Time
		wantDetail string
	}{
		{name: "in order", batches: [][]schemas.ScanEvent{{picked, transit, out}},
			want: []schemas.Status{"picked_up", "in_transit", "out_for_delivery"}, wantScans: 3},
		{name: "out of order sorted in", batches: [][]schemas.ScanEvent{{out}, {picked}, {transit}},
			want: []schemas.Status{"picked_up", "in_transit", "out_for_delivery"}, wantScans: 3},
		{name: "replay changes nothing", batches: [][]schemas.ScanEvent{{picked, transit}, {picked, transit}},
			want: []schemas.Status{"picked_up", "in_transit"}, wantScans: 2, wantDup: 2},
		{name: "duplicate in one batch", batches: [][]schemas.ScanEvent{{picked, picked, delivered}},
			want: []schemas.Status{"picked_up", "delivered"}, wantScans: 2, wantDup: 1},
		{name: "non-computed ids kept", batches: [][]schemas.ScanEvent{{
			with(picked, func(e *schemas.ScanEvent) {}), func() schemas.ScanEvent { e := transit; e.EventID = "raw-1"; return e }(),
			func() schemas.ScanEvent { e := transit; e.EventID = "raw-1"; return e }()}},
			want: []schemas.Status{"picked_up", "in_transit"}, wantScans: 2, wantDup: 1},
		{name: "a new label after a delivery is a new journey", batches: [][]schemas.ScanEvent{{picked, delivered,
			ev(tn, 9*day, schemas.StatusInfoReceived), ev(tn, 10*day, schemas.StatusPickedUp)}},
			want: []schemas.Status{"info_received", "picked_up"}, wantScans: 4, wantFirst: t0.Add(9 * day)},
		{name: "a new label after a long silence is a new journey", batches: [][]schemas.ScanEvent{{picked, transit,
			ev(tn, 40*day, schemas.StatusInfoReceived)}},
			want: []schemas.Status{"info_received"}, wantScans: 3, wantFirst: t0.Add(40 * day)},
		{name: "a second shipment key is its own journey, the newest wins", batches: [][]schemas.ScanEvent{{picked, transit,
			with(ev(tn, day/2, schemas.StatusPickedUp), func(e *schemas.ScanEvent) { e.ShipmentKey = "k2" })}},
			want: []schemas.Status{"picked_up"}, wantScans: 3, wantFirst: t0.Add(day / 2)},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t, live.Options{})
			for _, b := range c.batches {
				s.Apply(b)
			}
			sh, ok, err := s.Shipment(context.Background(), tn)
			if err != nil || !ok {
				t.Fatalf("Shipment: %v %v", ok, err)
			}
			if got := statuses(sh); !slices.Equal(got, c.want) {
				t.Errorf("statuses %v, want %v", got, c.want)
			}
			if _, n := s.Len(); n != c.wantScans {
				t.Errorf("scans held %d, want %d", n, c.wantScans)
			}
			if got := counter(t, s, "parcelcast_live_events_duplicate_total"); got != c.wantDup {
				t.Errorf("duplicates %d, want %d", got, c.wantDup)
			}
			if !c.wantFirst.IsZero() && !sh.Scans[0].Time.Equal(c.wantFirst) {
				t.Errorf("first scan %s, want %s", sh.Scans[0].Time, c.wantFirst)
			}
			if len(sh.Timeline) != len(sh.Scans) {
				t.Fatalf("timeline of %d, scans %d", len(sh.Timeline), len(sh.Scans))
			}
		})
	}
}

// The view keeps every field of the events: ids, texts, places, the
// lane from the journey's first scan, the promise, mode and ingestion.
func TestShipmentView(t *testing.T) {
	promised := t0.Add(3 * day)
	a := with(ev(tn, 0, schemas.StatusPickedUp), func(e *schemas.ScanEvent) { e.PromisedDelivery = &promised; e.Mode = "" })
	b := with(ev(tn, day, schemas.StatusInTransit), func(e *schemas.ScanEvent) {
		e.Location = schemas.Location{City: "Louisville", Region: "KY", Country: "US", HasCoords: true, Lat: 38.2, Lon: -85.7}
		e.Mode = "air"
		e.StatusDetail = "departed hub"
	})
	raw := ev(tn, 2*day, schemas.StatusOutForDelivery)
	raw.EventID = "carrier-id-7"
	s := newStore(t, live.Options{})
	s.Apply([]schemas.ScanEvent{raw, b, a})
	sh, _, _ := s.Shipment(context.Background(), tn)
	if sh.Carrier != "ups" || sh.Service != "ground" || sh.Origin.PostalCode != "10001" || sh.Destination.Region != "IL" {
		t.Errorf("lane %+v", sh.Journey)
	}
	if !sh.Promised.Equal(promised) || sh.Mode != "ground" {
		t.Errorf("promised %s mode %q", sh.Promised, sh.Mode)
	}
	if !sh.UpdatedAt.Equal(t0.Add(2*day + time.Minute)) {
		t.Errorf("updated %s", sh.UpdatedAt)
	}
	want := []predict.TimelineScan{
		{EventID: a.EventID, Time: a.EventTime, OffsetMinutes: -300, Status: a.Status, CarrierCode: a.CarrierCode, Description: a.Description, Location: a.Location},
		{EventID: b.EventID, Time: b.EventTime, OffsetMinutes: -300, Status: b.Status, StatusDetail: "departed hub", CarrierCode: b.CarrierCode, Description: b.Description, Location: b.Location, Mode: "air"},
		{EventID: "carrier-id-7", Time: raw.EventTime, OffsetMinutes: -300, Status: raw.Status, CarrierCode: raw.CarrierCode, Description: raw.Description, Location: raw.Location, Mode: "ground"},
	}
	if !slices.Equal(sh.Timeline, want) {
		t.Errorf("timeline\n%+v\nwant\n%+v", sh.Timeline, want)
	}
}

func TestRetention(t *testing.T) {
	now := t0.Add(100 * day)
	for _, c := range []struct {
		name   string
		events []schemas.ScanEvent
		kept   bool
	}{
		{"in flight, recent", []schemas.ScanEvent{ev(tn, 90*day, schemas.StatusInTransit)}, true},
		{"in flight, silent past 60 days", []schemas.ScanEvent{ev(tn, 39*day, schemas.StatusInTransit)}, false},
		{"delivered 13 days ago", []schemas.ScanEvent{ev(tn, 86*day, schemas.StatusPickedUp), ev(tn, 87*day, schemas.StatusDelivered)}, true},
		{"delivered 15 days ago", []schemas.ScanEvent{ev(tn, 84*day, schemas.StatusPickedUp), ev(tn, 85*day, schemas.StatusDelivered)}, false},
		{"returned 15 days ago", []schemas.ScanEvent{ev(tn, 85*day, schemas.StatusReturnedToSender)}, false},
		{"cancelled 15 days ago", []schemas.ScanEvent{ev(tn, 85*day, schemas.StatusCancelled)}, false},
		{"exception 15 days ago is still in flight", []schemas.ScanEvent{ev(tn, 85*day, schemas.StatusException)}, true},
		{"old delivery, new journey in flight", []schemas.ScanEvent{ev(tn, 50*day, schemas.StatusDelivered),
			ev(tn, 84*day, schemas.StatusInfoReceived)}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t, live.Options{Now: func() time.Time { return now }})
			s.Apply(c.events)
			s.SetReferences(context.Background(), tn, predict.References{OrderRef: "o1"})
			dropped := s.AgeOut(now)
			_, ok, _ := s.Shipment(context.Background(), tn)
			if ok != c.kept || dropped != map[bool]int{true: 0, false: 1}[c.kept] {
				t.Errorf("kept %v (dropped %d), want %v", ok, dropped, c.kept)
			}
			if n, sc := s.Len(); !c.kept && (n != 0 || sc != 0) {
				t.Errorf("held %d numbers %d scans after age-out", n, sc)
			}
			order, _ := s.ByOrder(context.Background(), "o1")
			if len(order) != map[bool]int{true: 1, false: 0}[c.kept] {
				t.Errorf("order index holds %d", len(order))
			}
		})
	}
}

func TestOrdersAndCustomers(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, live.Options{})
	ref := func(e schemas.ScanEvent, order, customer string) schemas.ScanEvent {
		e.OrderRef, e.CustomerRef = order, customer
		return e
	}
	// Five shipments of customer c1: two in flight, three delivered.
	var events []schemas.ScanEvent
	for i, st := range []schemas.Status{"in_transit", "delivered", "out_for_delivery", "delivered", "delivered"} {
		n := fmt.Sprintf("1Z999AA1012345%04d", i)
		events = append(events, ref(ev(n, time.Duration(i)*time.Hour, st), fmt.Sprintf("o%d", i%2), "c1"))
	}
	// A later scan with a new order reference wins; an earlier one with
	// another does not, and a scan with none leaves it.
	n0 := "1Z999AA10123450000"
	events = append(events, ref(ev(n0, day, schemas.StatusOutForDelivery), "o9", ""),
		ref(ev(n0, -day, schemas.StatusInfoReceived), "o7", ""), ev(n0, 2*day, schemas.StatusDelivered))
	s.Apply(events)
	numbers := func(shs []predict.Shipment) []string {
		var out []string
		for _, sh := range shs {
			out = append(out, sh.TrackingNumber)
		}
		return out
	}
	for _, c := range []struct {
		order string
		want  []string
	}{
		{"o9", []string{n0}},
		{"o0", []string{"1Z999AA10123450002", "1Z999AA10123450004"}},
		{"o1", []string{"1Z999AA10123450001", "1Z999AA10123450003"}},
		{"o7", nil},
		{"nope", nil},
	} {
		got, err := s.ByOrder(ctx, c.order)
		if err != nil || !slices.Equal(numbers(got), c.want) {
			t.Errorf("ByOrder(%s) = %v %v, want %v", c.order, numbers(got), err, c.want)
		}
	}
	// In flight first, then the delivered, each newest scan first: n0's
	// delivery (two days in) is the newest.
	var all []string
	cursor, pages := "", 0
	for {
		page, next, err := s.ByCustomer(ctx, "c1", cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, numbers(page)...)
		if next == "" {
			break
		}
		cursor = next
	}
	want := []string{"1Z999AA10123450002", n0, "1Z999AA10123450004", "1Z999AA10123450003", "1Z999AA10123450001"}
	if !slices.Equal(all, want) {
		t.Errorf("customer's pages %v, want %v", all, want)
	}
	if pages != 3 {
		t.Errorf("%d pages of 2 for 5 shipments", pages)
	}
	if _, _, err := s.ByCustomer(ctx, "c1", "!!", 2); !errors.Is(err, live.ErrBadCursor) {
		t.Errorf("bad cursor: %v", err)
	}
	// A PUT of references moves the number between indexes.
	if err := s.SetReferences(ctx, n0, predict.References{OrderRef: "o1", CustomerRef: "c2"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ByOrder(ctx, "o9"); len(got) != 0 {
		t.Errorf("o9 still holds %v", numbers(got))
	}
	if got, _, _ := s.ByCustomer(ctx, "c2", "", 10); !slices.Equal(numbers(got), []string{n0}) {
		t.Errorf("c2 holds %v", numbers(got))
	}
	if err := s.SetReferences(ctx, "1Z999AA19999999999", predict.References{OrderRef: "x"}); !errors.Is(err, live.ErrNotHeld) {
		t.Errorf("SetReferences of an unknown number: %v", err)
	}
}

// A cursor the store did not make is the API's BadCursorError (a 400).
func TestByCustomerBadCursor(t *testing.T) {
	s := newStore(t, live.Options{})
	_, _, err := s.ByCustomer(context.Background(), "CUS-1", "not-a-cursor", 10)
	var bad *predict.BadCursorError
	if !errors.As(err, &bad) || !errors.Is(err, live.ErrBadCursor) {
		t.Fatalf("error %v, want a predict.BadCursorError and live.ErrBadCursor", err)
	}
}
