package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type memWriter struct{ events []schemas.ScanEvent }

func (m *memWriter) WriteEvents(_ context.Context, e []schemas.ScanEvent) error {
	m.events = append(m.events, e...)
	return nil
}

// render is what the golden files hold: the report, every event and every
// row error.
func render(rep Report, events []schemas.ScanEvent) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "rows %d, loaded %d, rejected %d, events %d\n", rep.Rows, rep.Loaded, rep.Rejected, rep.Events)
	for _, e := range events {
		j, _ := json.Marshal(e)
		b.Write(j)
		b.WriteByte('\n')
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(&b, "rejected: %s\n", strings.ReplaceAll(e.Error(), "\n", "; "))
	}
	return b.Bytes()
}

func TestImportGolden(t *testing.T) {
	for _, in := range []string{"testdata/history.csv", "testdata/history.jsonl"} {
		t.Run(filepath.Base(in), func(t *testing.T) {
			f, err := os.Open(in)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var w memWriter
			rep, err := Import(context.Background(), f, FormatOf(in), &w, Options{Source: filepath.Base(in), BatchSize: 3, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Events != len(w.events) || rep.Loaded+rep.Rejected != rep.Rows || rep.Loaded == 0 || rep.Rejected == 0 {
				t.Errorf("report %+v with %d events written", rep, len(w.events))
			}
			for _, e := range w.events {
				if err := e.Validate(); err != nil || e.EventID == "" {
					t.Errorf("%s: invalid event: %v", e.TrackingNumber, err)
				}
			}
			checkGolden(t, in+".golden", render(rep, w.events))
		})
	}
}

func TestImportTimesAndPromise(t *testing.T) {
	s := Shipment{TrackingNumber: "1Z999AA10123456702", Carrier: "ups", Service: "UPS Ground",
		OriginPostalCode: "10001", OriginRegion: "NY", OriginCountry: "US",
		DestinationPostalCode: "75201", DestinationRegion: "TX", DestinationCountry: "US",
		ShipTime: "2026-03-06 16:00", DeliveredTime: "2026-03-10T10:45:00-05:00", PromisedDate: "2026-03-10"}
	events, err := s.Events("t", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Fatalf("%d events, want pickup and delivery", len(events))
	}
	pick, del := events[0], events[1]
	if pick.Status != schemas.StatusPickedUp || !pick.EventTime.Equal(time.Date(2026, 3, 6, 21, 0, 0, 0, time.UTC)) || pick.UTCOffsetMinutes != -300 || !pick.OffsetInferred {
		t.Errorf("pickup %s %s offset %d inferred %v", pick.Status, pick.EventTime, pick.UTCOffsetMinutes, pick.OffsetInferred)
	}
	if del.Status != schemas.StatusDelivered || !del.EventTime.Equal(time.Date(2026, 3, 10, 15, 45, 0, 0, time.UTC)) || del.UTCOffsetMinutes != -300 {
		t.Errorf("delivery %s %s offset %d", del.Status, del.EventTime, del.UTCOffsetMinutes)
	}
	// The end of March 10 in Dallas (CDT since March 8).
	if p := del.PromisedDelivery; p == nil || !p.Equal(time.Date(2026, 3, 11, 4, 59, 59, 0, time.UTC)) {
		t.Errorf("promise %v", p)
	}
	if pick.Service != "ground" || pick.Source.Topic != "import:t" {
		t.Errorf("service %q, source %q", pick.Service, pick.Source.Topic)
	}
}

func TestImportRefusesBadHeader(t *testing.T) {
	for _, h := range []string{"tracking_number,carrier\n", "tracking_number,carrier,ship_time,weight\n", "tracking_number,carrier,ship_time,carrier\n"} {
		_, err := Import(context.Background(), strings.NewReader(h), CSV, &memWriter{}, Options{})
		if err == nil {
			t.Errorf("header %q accepted", strings.TrimSpace(h))
		}
	}
}

func FuzzRead(f *testing.F) {
	for _, in := range []string{"testdata/history.csv", "testdata/history.jsonl"} {
		b, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, in == "testdata/history.csv", false)
	}
	export, err := os.ReadFile("testdata/export.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(export, true, true)
	f.Add([]byte(`{"order_id":"A1","order_delivered_carrier_date":"2017-06-05 10:00:00","customer_state":"RJ","x":1}`+"\n"), false, true)
	mapping, err := ParseMapping(exportMap)
	if err != nil {
		f.Fatal(err)
	}
	// mapped: read through the export's mapping and defaults.
	f.Fuzz(func(t *testing.T, b []byte, isCSV, mapped bool) {
		format := JSONL
		if isCSV {
			format = CSV
		}
		opts := Options{Now: func() time.Time { return now }}
		if mapped {
			opts.Map, opts.Defaults = mapping, exportDefaults
		}
		var w memWriter
		rep, _ := Import(context.Background(), bytes.NewReader(b), format, &w, opts)
		if rep.Loaded+rep.Rejected != rep.Rows || rep.Events != len(w.events) {
			t.Fatalf("report %+v, %d events", rep, len(w.events))
		}
		for _, e := range w.events {
			if err := e.Validate(); err != nil {
				t.Fatalf("invalid event written: %v", err)
			}
		}
	})
}

// checkGolden compares got with the golden file, or rewrites it with
// -update.
func checkGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (check, then run with -update):\n%s", golden, got)
	}
}
