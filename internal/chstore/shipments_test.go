package chstore_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/schemas"
)

var day = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func scan(tn, carrier string, status schemas.Status, at time.Time, order, customer string) schemas.ScanEvent {
	e := schemas.ScanEvent{TrackingNumber: tn, Carrier: carrier, Service: "ground", Status: status, EventTime: at,
		Origin: schemas.Location{PostalCode: "10001", Region: "NY", Country: "US"}, OrderRef: order, CustomerRef: customer,
		Destination: schemas.Location{PostalCode: "60601", Region: "IL", Country: "US"},
		Source:      schemas.Source{Topic: "raw." + carrier, IngestedAt: at.Add(time.Minute)}}
	e.EventID = schemas.ComputeEventID(&e)
	return e
}

// Latest reads back every field the writer stored, the references
// included, and picks the journey History.Journey picks.
func TestShipmentsLatest(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	promised := day.Add(72 * time.Hour)
	full := scan("1Z999AA10123456784", "ups", schemas.StatusInTransit, day.Add(5*time.Hour), "ORD-1", "CUS-1")
	full.ShipmentKey, full.StatusDetail, full.CarrierCode, full.Description = "", "weather", "I", "Departed"
	full.UTCOffsetMinutes, full.OffsetInferred, full.OffsetApproximate = -300, true, true
	full.Location = schemas.Location{City: "Chicago", Region: "IL", PostalCode: "60601", Country: "US", Lat: 41.88, Lon: -87.63, HasCoords: true}
	full.Mode, full.PromisedDelivery = "air", &promised
	full.Source.Partition, full.Source.Offset = 2, 77
	full.EventID = schemas.ComputeEventID(&full)
	events := []schemas.ScanEvent{
		// An earlier, delivered journey under the same number.
		scan("1Z999AA10123456784", "ups", schemas.StatusPickedUp, day.Add(-30*24*time.Hour), "OLD", ""),
		scan("1Z999AA10123456784", "ups", schemas.StatusDelivered, day.Add(-28*24*time.Hour), "OLD", ""),
		scan("1Z999AA10123456784", "ups", schemas.StatusPickedUp, day, "ORD-1", "CUS-1"),
		full,
		scan("9400111899223100000017", "usps", schemas.StatusPickedUp, day, "ORD-1", ""),
	}
	if err := chstore.NewScanWriter(db).WriteEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	s := chstore.NewShipments(db)
	rec, ok, err := s.Latest(ctx, "1Z999AA10123456784")
	if err != nil || !ok {
		t.Fatalf("Latest: %v %v", ok, err)
	}
	if len(rec.Events) != 2 || !reflect.DeepEqual(rec.Events[1], full) || rec.Events[0].EventID != events[2].EventID {
		t.Errorf("events\n%+v\nwant the last two, the second\n%+v", rec.Events, full)
	}
	want, _, err := chstore.NewHistory(db).Journey(ctx, "1Z999AA10123456784")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rec.Journey, want) {
		t.Errorf("journey\n%+v\nHistory.Journey\n%+v", rec.Journey, want)
	}
	if !rec.Journey.Promised.Equal(promised) {
		t.Errorf("promised %v, want %v", rec.Journey.Promised, promised)
	}
	if _, ok, err := s.Latest(ctx, "NOSUCH123"); ok || err != nil {
		t.Errorf("unknown number: %v %v", ok, err)
	}
	many, err := s.LatestOf(ctx, []string{"9400111899223100000017", "NOSUCH123", `QUOTE'\\`, "1Z999AA10123456784"})
	if err != nil || len(many) != 2 || !reflect.DeepEqual(many["1Z999AA10123456784"], rec) ||
		many["9400111899223100000017"].Journey.Carrier != "usps" || len(many["9400111899223100000017"].Events) != 1 {
		t.Errorf("LatestOf = %+v, %v", many, err)
	}
	for _, tc := range []struct {
		order bool
		ref   string
		want  []string
	}{
		{true, "ORD-1", []string{"1Z999AA10123456784", "9400111899223100000017"}},
		{true, "OLD", []string{"1Z999AA10123456784"}},
		{false, "CUS-1", []string{"1Z999AA10123456784"}},
		{false, "ORD-1", nil},
		{true, "none", nil},
	} {
		got, err := s.NumbersByRef(ctx, tc.order, tc.ref)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("NumbersByRef(%v, %q) = %v, %v; want %v", tc.order, tc.ref, got, err, tc.want)
		}
	}
}

// The latest references put win; numbers are found by their latest
// references only.
func TestReferences(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	r := chstore.NewReferences(db)
	at := day
	for _, p := range []struct{ tn, order, customer string }{
		{"A1", "O1", "C1"},
		{"A1", "O2", "C1"}, // same second: the version, in nanoseconds, orders them
		{"B2", "O1", ""},
	} {
		at = at.Add(time.Millisecond)
		if err := r.PutReferences(ctx, p.tn, p.order, p.customer, at); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := r.Get(ctx, "A1")
	if err != nil || !ok || got.OrderRef != "O2" || got.CustomerRef != "C1" || got.UpdatedAt.Unix() != day.Unix() {
		t.Errorf("Get(A1) = %+v %v %v", got, ok, err)
	}
	if _, ok, err := r.Get(ctx, "ZZ"); ok || err != nil {
		t.Errorf("Get(ZZ) = %v %v", ok, err)
	}
	for _, tc := range []struct {
		order bool
		ref   string
		want  []string
	}{
		{true, "O1", []string{"B2"}},
		{true, "O2", []string{"A1"}},
		{false, "C1", []string{"A1"}},
		{false, "", []string{"B2"}},
	} {
		got, err := r.Numbers(ctx, tc.order, tc.ref)
		slices.Sort(got)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Numbers(%v, %q) = %v, %v; want %v", tc.order, tc.ref, got, err, tc.want)
		}
	}
	many, err := r.GetMany(ctx, []string{"A1", "B2", "ZZ"})
	if err != nil || len(many) != 2 || many["A1"].OrderRef != "O2" || many["B2"].OrderRef != "O1" {
		t.Errorf("GetMany = %+v, %v", many, err)
	}
	var all []string
	if err := r.All(ctx, func(ref chstore.Ref) error { all = append(all, ref.TrackingNumber+":"+ref.OrderRef); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(all)
	if !slices.Equal(all, []string{"A1:O2", "B2:O1"}) {
		t.Errorf("All = %v", all)
	}
}
