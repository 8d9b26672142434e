package schemas

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestEventIDDeterministic(t *testing.T) {
	base := ScanEvent{
		TrackingNumber: "1Z999AA10123456784", Carrier: "ups", Status: StatusInTransit, CarrierCode: "I",
		EventTime: time.Date(2026, 3, 4, 9, 12, 0, 0, time.FixedZone("", -6*3600)),
		Location:  Location{City: "Chicago", Region: "IL", Country: "US"},
	}
	same := base
	same.EventTime = base.EventTime.UTC()            // the same instant in another zone
	same.Source = Source{Topic: "replay", Offset: 9} // lineage is not identity
	same.Description = "other text"                  // neither is the free text
	if ComputeEventID(&base) != ComputeEventID(&same) {
		t.Error("the same scan got two ids")
	}
	for name, change := range map[string]func(*ScanEvent){
		"time":     func(e *ScanEvent) { e.EventTime = e.EventTime.Add(time.Second) },
		"status":   func(e *ScanEvent) { e.Status = StatusDelivered },
		"code":     func(e *ScanEvent) { e.CarrierCode = "D" },
		"number":   func(e *ScanEvent) { e.TrackingNumber = "1Z999AA10123456785" },
		"carrier":  func(e *ScanEvent) { e.Carrier = "fedex" },
		"location": func(e *ScanEvent) { e.Location.City = "Joliet" },
		"shipment": func(e *ScanEvent) { e.ShipmentKey = "2460~1Z999AA10123456784~FX" },
	} {
		other := base
		change(&other)
		if ComputeEventID(&base) == ComputeEventID(&other) {
			t.Errorf("changing %s kept the id", name)
		}
	}
}

// Without a shipment key the id is the one scans stored before keys
// existed have, so a replay of them keeps one row per scan; with one, two
// shipments under a number never share an id.
func TestEventIDShipmentKey(t *testing.T) {
	e := ScanEvent{
		TrackingNumber: "799531274483", Carrier: "fedex", Status: StatusPickedUp, CarrierCode: "PU",
		EventTime: time.Date(2026, 3, 4, 23, 6, 0, 0, time.UTC),
		Location:  Location{City: "MEMPHIS", Region: "TN", PostalCode: "38118", Country: "US"},
	}
	const stored = "2ee2996a054627415f4a65e14ae5efcc" // the FedEx journey golden's pickup, before keys existed
	if got := ComputeEventID(&e); got != stored {
		t.Errorf("id without a key = %s, want the stored %s", got, stored)
	}
	a, b := e, e
	a.ShipmentKey, b.ShipmentKey = "2460~799531274483~FDEG", "2461~799531274483~FDEG"
	ids := map[string]bool{ComputeEventID(&e): true, ComputeEventID(&a): true, ComputeEventID(&b): true}
	if len(ids) != 3 {
		t.Errorf("keys '', a, b gave %d distinct ids, want 3", len(ids))
	}
	if a2 := a; ComputeEventID(&a2) != ComputeEventID(&a) {
		t.Error("the same keyed scan got two ids")
	}
}

func TestNormalizeAndCheckTrackingNumber(t *testing.T) {
	for _, tc := range []struct {
		in, norm string
		ok       bool
	}{
		{"1z 999 aa1 01 2345 6784", "1Z999AA10123456784", true},
		{"9400-1118-9922-3100-0000-12", "9400111899223100000012", true},
		{"short", "SHORT", false},
		{"1Z999AA1012345678/", "1Z999AA1012345678/", false},
		{"", "", false},
	} {
		got := NormalizeTrackingNumber(tc.in)
		if got != tc.norm {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.norm)
		}
		if err := CheckTrackingNumber(got); (err == nil) != tc.ok {
			t.Errorf("Check(%q) = %v, want ok=%v", got, err, tc.ok)
		}
	}
}

func TestValidate(t *testing.T) {
	good := ScanEvent{TrackingNumber: "1Z999AA10123456784", Carrier: "ups", Status: StatusDelivered,
		EventTime: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid event refused: %v", err)
	}
	edge := good
	edge.Location = Location{Lat: -90, Lon: 180, HasCoords: true}
	edge.Origin = Location{Lat: 1000} // ignored without HasCoords
	if err := edge.Validate(); err != nil {
		t.Errorf("coordinates at the limits refused: %v", err)
	}
	refs := good
	refs.OrderRef, refs.CustomerRef = "ORD-1001", "customer 42"
	if err := refs.Validate(); err != nil {
		t.Errorf("references refused: %v", err)
	}
	for name, change := range map[string]func(*ScanEvent){
		"no carrier": func(e *ScanEvent) { e.Carrier = "" },
		"bad status": func(e *ScanEvent) { e.Status = "lost_in_space" },
		"no time":    func(e *ScanEvent) { e.EventTime = time.Time{} },
		"old time":   func(e *ScanEvent) { e.EventTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC) },
		"bad offset": func(e *ScanEvent) { e.UTCOffsetMinutes = 15 * 60 },
		"bad number": func(e *ScanEvent) { e.TrackingNumber = "abc" },
		"lat > 90": func(e *ScanEvent) {
			e.Location = Location{Lat: 90.5, Lon: 10, HasCoords: true}
		},
		"lon < -180": func(e *ScanEvent) {
			e.Destination = Location{Lat: 10, Lon: -180.01, HasCoords: true}
		},
		"NaN lat":             func(e *ScanEvent) { e.Origin = Location{Lat: math.NaN(), HasCoords: true} },
		"long order ref":      func(e *ScanEvent) { e.OrderRef = strings.Repeat("x", MaxReferenceLen+1) },
		"control in customer": func(e *ScanEvent) { e.CustomerRef = "C\x001" },
	} {
		e := good
		change(&e)
		if e.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestMigrationsParse(t *testing.T) {
	migs, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(migs) < 2 || migs[0].Version != 1 {
		t.Fatalf("migrations = %+v", migs)
	}
	for _, m := range migs {
		if len(m.Statements) == 0 {
			t.Errorf("migration %d has no statements", m.Version)
		}
	}
}
