package importer

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// exportMap maps the columns of an order system's export
// (testdata/export.csv, shaped like the marketplace export docs/import.md
// documents) onto the importer's.
const exportMap = "order_id=tracking_number,order_status=status,order_purchase_timestamp=created_time," +
	"order_delivered_carrier_date=ship_time,order_delivered_customer_date=delivered_time," +
	"order_estimated_delivery_date=promised_date," +
	"seller_zip_code_prefix=origin_postal_code,seller_city=origin_city,seller_state=origin_region," +
	"customer_zip_code_prefix=destination_postal_code,customer_city=destination_city,customer_state=destination_region"

var exportDefaults = Defaults{Carrier: "olist", Service: "standard", Country: "BR"}

func TestParseMapping(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "order_id=tracking_number", want: "order_id=tracking_number"},
		{in: " Order_ID = Tracking_Number , ,b=carrier", want: "b=carrier,order_id=tracking_number"},
		{in: "", want: ""},
		{in: "items=scans", want: "items=scans"},
		{in: "order_id", err: "is not file_column=importer_column"},
		{in: "=carrier", err: "is not file_column=importer_column"},
		{in: "a=", err: "is not file_column=importer_column"},
		{in: "a=weight", err: `unknown importer column "weight"`},
		{in: "a=carrier,a=service", err: `column "a" mapped twice`},
		{in: "a=carrier,b=carrier", err: `columns "a" and "b" both mapped onto "carrier"`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			m, err := ParseMapping(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseMapping(%q) = %v, %v; want an error with %q", tc.in, m, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := m.String(); got != tc.want {
				t.Errorf("ParseMapping(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMappedHeader(t *testing.T) {
	m, err := ParseMapping("id=tracking_number,shipped=ship_time")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, header string
		opts         ReadOptions
		ignored, err string
	}{
		{name: "mapped, extra columns ignored", header: "id,carrier,shipped,colour,size",
			opts: ReadOptions{Map: m}, ignored: "colour,size"},
		{name: "default carrier stands for the column", header: "id,shipped",
			opts: ReadOptions{Map: m, Defaults: Defaults{Carrier: "olist"}}},
		{name: "no carrier and no default", header: "id,shipped",
			opts: ReadOptions{Map: m}, err: `column "carrier" is required (or a default carrier)`},
		{name: "created time instead of ship time", header: "tracking_number,carrier,created_time"},
		{name: "neither ship nor created time", header: "tracking_number,carrier,promised_date",
			err: `column "ship_time" or "created_time" is required`},
		{name: "mapped column missing", header: "id,carrier", opts: ReadOptions{Map: m},
			err: `mapped column "shipped" not in the file`},
		{name: "mapped onto a column the file has too", header: "id,tracking_number,carrier,shipped",
			opts: ReadOptions{Map: m}, err: `column "tracking_number" twice`},
		{name: "unknown column without a mapping", header: "tracking_number,carrier,ship_time,colour",
			err: `unknown column "colour"`},
		{name: "scans in a CSV", header: "tracking_number,carrier,ship_time,events",
			opts: ReadOptions{Map: Mapping{"events": "scans"}}, err: "JSON Lines only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ignored, err := read(strings.NewReader(tc.header+"\n"), CSV, tc.opts, func(int, *Shipment, error) error { return nil })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("header %q: %v, want an error with %q", tc.header, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(ignored, ","); got != tc.ignored {
				t.Errorf("ignored %q, want %q", got, tc.ignored)
			}
		})
	}
}

// TestImportExport reads an order system's export through the mapping
// and the defaults: Brazilian local times resolved by state (summer time
// in the south-east), midnight promises as the end of that day, an order
// never handed over kept in flight, a cancelled one closed, and row errors
// quoting the file's own text.
func TestImportExport(t *testing.T) {
	m, err := ParseMapping(exportMap)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/export.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var w memWriter
	rep, err := Import(context.Background(), f, CSV, &w, Options{Source: "export.csv", Now: func() time.Time { return now }, Map: m, Defaults: exportDefaults})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rep.Ignored, ","); got != "order_approved_at,items,sellers,price_total,freight_total" {
		t.Errorf("ignored columns %q", got)
	}
	checkGolden(t, "testdata/export.csv.golden", render(rep, w.events))

	byStatus := map[string]map[schemas.Status]schemas.ScanEvent{}
	for _, e := range w.events {
		if byStatus[e.TrackingNumber] == nil {
			byStatus[e.TrackingNumber] = map[schemas.Status]schemas.ScanEvent{}
		}
		byStatus[e.TrackingNumber][e.Status] = e
		if e.Carrier != "olist" || e.Origin.Country != "BR" || e.Destination.Country != "BR" {
			t.Errorf("%s: carrier %q, %s → %s: the defaults were not applied", e.TrackingNumber, e.Carrier, e.Origin.Country, e.Destination.Country)
		}
	}
	checks := []struct {
		name, tracking string
		status         schemas.Status
		utc            string
		promise        string
	}{
		// São Paulo in January: summer time, UTC−2.
		{"purchase in summer time", "0A1B2C3D4E5F60718293A4B5C6D7E8F9", schemas.StatusInfoReceived, "2017-01-10T11:15:00Z", "2017-01-26T01:59:59Z"},
		// Salvador (Bahia) keeps UTC−3; Manaus UTC−4.
		{"pickup in bahia", "1B2C3D4E5F60718293A4B5C6D7E8F9A0", schemas.StatusPickedUp, "2017-03-04T13:00:00Z", "2017-03-21T03:59:59Z"},
		{"never handed over: in flight", "2C3D4E5F60718293A4B5C6D7E8F9A0B1", schemas.StatusInfoReceived, "2017-05-05T14:00:00Z", ""},
		{"cancelled at its latest time", "3D4E5F60718293A4B5C6D7E8F9A0B1C2", schemas.StatusCancelled, "2017-05-06T11:00:00Z", ""},
		// Summer time began at midnight on 2017-10-15 in São Paulo, so that
		// midnight never happened; the day still ends at 23:59:59 UTC−2.
		{"promise on a day without midnight", "5F60718293A4B5C6D7E8F9A0B1C2D3E4", schemas.StatusDelivered, "2017-10-14T12:00:00Z", "2017-10-16T01:59:59Z"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			e, ok := byStatus[c.tracking][c.status]
			if !ok {
				t.Fatalf("%s has no %s event: %v", c.tracking, c.status, byStatus[c.tracking])
			}
			if got := e.EventTime.UTC().Format(time.RFC3339); got != c.utc {
				t.Errorf("%s at %s, want %s", c.status, got, c.utc)
			}
			if c.promise != "" && (e.PromisedDelivery == nil || e.PromisedDelivery.UTC().Format(time.RFC3339) != c.promise) {
				t.Errorf("promise %v, want %s", e.PromisedDelivery, c.promise)
			}
		})
	}
	if _, ok := byStatus["2C3D4E5F60718293A4B5C6D7E8F9A0B1"][schemas.StatusCancelled]; ok {
		t.Error("an order in processing was closed as cancelled")
	}
}

func TestPromiseEndOfDay(t *testing.T) {
	dallas := schemas.Location{Region: "TX", PostalCode: "75201", Country: "US"}
	sp := schemas.Location{Region: "SP", Country: "BR"}
	tests := []struct {
		name, in string
		at       schemas.Location
		want     string
	}{
		{"date", "2026-03-10", dallas, "2026-03-11T04:59:59Z"},
		{"midnight local time is that date", "2026-03-10 00:00:00", dallas, "2026-03-11T04:59:59Z"},
		{"midnight without seconds", "2026-03-10T00:00", dallas, "2026-03-11T04:59:59Z"},
		{"midnight with an offset", "2026-03-10T00:00:00-06:00", dallas, "2026-03-11T05:59:59Z"},
		{"a time is that time", "2026-03-10 20:00:00", dallas, "2026-03-11T01:00:00Z"},
		{"one second past midnight is a time", "2026-03-10 00:00:01", dallas, "2026-03-10T05:00:01Z"},
		{"brazilian summer time", "2017-01-25 00:00:00", sp, "2017-01-26T01:59:59Z"},
		// Clocks went back at the end of 2017-02-18: its last hour happened
		// twice, and the earlier reading is taken, as for any local time.
		{"the day summer time ends", "2017-02-18 00:00:00", sp, "2017-02-19T01:59:59Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := promise(tc.in, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			if s := got.UTC().Format(time.RFC3339); s != tc.want {
				t.Errorf("promise(%q) = %s, want %s", tc.in, s, tc.want)
			}
		})
	}
}

// TestRowErrorsQuoteTheFile: a row error gives each time as the file wrote
// it, not as it was read.
func TestRowErrorsQuoteTheFile(t *testing.T) {
	base := Shipment{TrackingNumber: "ACME0001", Carrier: "acme", OriginRegion: "SP", OriginCountry: "BR", DestinationRegion: "RJ", DestinationCountry: "BR"}
	tests := []struct {
		name string
		set  func(*Shipment)
		want string
	}{
		{"delivered before pickup", func(s *Shipment) { s.ShipTime, s.DeliveredTime = "2017-06-05 10:00:00", "2017-06-03 12:00:00" },
			`delivered_time: "2017-06-03 12:00:00" is before the ship time "2017-06-05 10:00:00"`},
		{"pickup before creation", func(s *Shipment) { s.CreatedTime, s.ShipTime = "2017-06-05 10:00:00", "2017-06-04T10:00:00-03:00" },
			`ship_time: "2017-06-04T10:00:00-03:00" is before the created time "2017-06-05 10:00:00"`},
		{"delivered before creation", func(s *Shipment) { s.CreatedTime, s.DeliveredTime = "2017-06-05 10:00", "2017-06-05 09:00" },
			`delivered_time: "2017-06-05 09:00" is before the created time "2017-06-05 10:00"`},
		{"delivered in the future", func(s *Shipment) { s.ShipTime, s.DeliveredTime = "2026-11-20 10:00:00", "2026-12-01 10:00:00" },
			`delivered_time: "2026-12-01 10:00:00" is in the future`},
		{"created in the future", func(s *Shipment) { s.CreatedTime = "2027-01-01 10:00:00" },
			`created_time: "2027-01-01 10:00:00" is in the future`},
		{"not a time", func(s *Shipment) { s.CreatedTime = "2017-13-01 10:00:00" },
			`created_time: "2017-13-01 10:00:00" is neither RFC 3339 nor a local date and time`},
		{"no time at all", func(s *Shipment) {}, "ship_time: required (or a created_time)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			tc.set(&s)
			_, err := s.Events("t", now)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestJSONLMapped(t *testing.T) {
	m, err := ParseMapping("id=tracking_number,picked=ship_time,state=destination_region")
	if err != nil {
		t.Fatal(err)
	}
	in := `{"id":"ACME0001","picked":"2017-06-05T10:00:00-03:00","state":"RJ","colour":"red"}
{"id":"ACME0002","picked":"2017-06-05T10:00:00-03:00","tracking_number":"ACME0003"}
`
	var w memWriter
	rep, err := Import(context.Background(), strings.NewReader(in), JSONL, &w,
		Options{Now: func() time.Time { return now }, Map: m, Defaults: Defaults{Carrier: "acme", Country: "BR"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Loaded != 1 || rep.Rejected != 1 || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Error(), `key "tracking_number" twice`) {
		t.Fatalf("report %+v", rep)
	}
	if strings.Join(rep.Ignored, ",") != "colour" {
		t.Errorf("ignored %v", rep.Ignored)
	}
	if e := w.events[0]; e.TrackingNumber != "ACME0001" || e.Destination.Region != "RJ" || e.Destination.Country != "BR" || e.Carrier != "acme" {
		t.Errorf("event %+v", e)
	}
}
