package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/parcelcast/parcelcast/schemas"
)

// `parcelcast parse` on a UPS reply whose label scan's address is only a
// country prints every scan and exits 0, the label scan's time flagged
// approximate: read at the shipper's address, or without one at the
// next scan's place.
func TestParseUPSLabelWithOnlyACountry(t *testing.T) {
	for _, tc := range []struct {
		payload string
		scans   int
		offset  int // the label scan's
	}{
		{"label_country_only.json", 6, -480}, // the shipper in Salem, Oregon
		{"label_no_origin.json", 4, -420},    // the pickup in Salt Lake City
	} {
		t.Run(tc.payload, func(t *testing.T) {
			events := runParseUPS(t, "../../ingest/carrier/ups/testdata/"+tc.payload)
			if len(events) != tc.scans {
				t.Fatalf("%d scans printed, want the reply's %d", len(events), tc.scans)
			}
			label := events[len(events)-1]
			if label.Status != schemas.StatusInfoReceived || !label.OffsetApproximate || label.UTCOffsetMinutes != tc.offset {
				t.Errorf("label scan %s at offset %d, approximate %v; want info_received at %d, approximate",
					label.Status, label.UTCOffsetMinutes, label.OffsetApproximate, tc.offset)
			}
			if first := events[0]; first.OffsetApproximate {
				t.Errorf("the latest scan, with a place of its own, is flagged approximate")
			}
		})
	}
}

// runParseUPS runs `parcelcast parse -carrier ups file`, which must exit
// 0, and returns the events it printed.
func runParseUPS(t *testing.T, file string) []schemas.ScanEvent {
	t.Helper()
	out, err := os.Create(t.TempDir() + "/stdout")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	stdout := os.Stdout
	os.Stdout = out
	var stderr bytes.Buffer
	code := run([]string{"parse", "-carrier", "ups", file}, &stderr)
	os.Stdout = stdout
	if code != 0 {
		t.Fatalf("parcelcast parse exited %d: %s", code, stderr.String())
	}
	if _, err := out.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	var events []schemas.ScanEvent
	for sc := bufio.NewScanner(out); sc.Scan(); {
		var e schemas.ScanEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%v: %s", err, sc.Bytes())
		}
		events = append(events, e)
	}
	return events
}
