package generic

import (
	"os"
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

func TestGolden(t *testing.T) {
	carriertest.Golden(t, Parse, "testdata/*.json", "testdata/*.csv")
}

func FuzzParse(f *testing.F) { carriertest.Fuzz(f, Parse, "testdata/*.json", "testdata/*.csv") }

func TestRoundTrip(t *testing.T) {
	payload, err := os.ReadFile("testdata/journey.json")
	if err != nil {
		t.Fatal(err)
	}
	events, err := Parse(payload)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		s := FromEvent(&e)
		back, err := s.Event()
		if err != nil {
			t.Fatalf("re-parse %+v: %v", s, err)
		}
		if back.EventID != e.EventID || !back.EventTime.Equal(e.EventTime) || back.UTCOffsetMinutes != e.UTCOffsetMinutes {
			t.Errorf("round trip changed the event:\n got %+v\nwant %+v", back, e)
		}
	}
}

// The CSV and JSON forms of the same scans give the same events.
func TestCSVMatchesJSON(t *testing.T) {
	j, err := os.ReadFile("testdata/journey.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := os.ReadFile("testdata/journey_csv.csv")
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := Parse(j)
	if err != nil {
		t.Fatal(err)
	}
	fromCSV, err := Parse(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromJSON) != len(fromCSV) {
		t.Fatalf("%d events from JSON, %d from CSV", len(fromJSON), len(fromCSV))
	}
	for i := range fromJSON {
		if fromJSON[i].EventID != fromCSV[i].EventID {
			t.Errorf("event %d: id %s from JSON, %s from CSV", i, fromJSON[i].EventID, fromCSV[i].EventID)
		}
	}
}

// Only the required fields can make a scan malformed by their JSON type:
// every other value of another type is read leniently or left out.
func TestTypeChanges(t *testing.T) {
	for _, file := range []string{"testdata/journey.json", "testdata/single.json"} {
		t.Run(file, func(t *testing.T) {
			carriertest.TypeChanges(t, Parse, file, needed, reads...)
		})
	}
}

// reads are the fields Parse reads: all of the format's.
var reads = func() []string {
	r := []string{"tracking_number", "carrier", "service", "status", "status_detail", "carrier_code",
		"description", "event_time", "mode", "promised_delivery"}
	for _, p := range []string{"location", "origin", "destination"} {
		for _, f := range []string{"city", "region", "postal_code", "country", "lat", "lon"} {
			r = append(r, p+"."+f)
		}
	}
	return r
}()
