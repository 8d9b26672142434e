// Package carriertest runs the checks every carrier adapter shares: golden
// files of canonical events, fuzz seeds from the same inputs, the
// invariants a parser must keep on any input, and a benchmark in scans/s.
package carriertest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Golden parses every testdata input matching the patterns (e.g.
// "testdata/*.json") and compares its canonical events, one JSON object a
// line, and its error with the .golden file of the same base name. go test
// -update rewrites the golden files.
func Golden(t *testing.T, parse carrier.ParseFunc, patterns ...string) {
	t.Helper()
	inputs, err := glob(patterns)
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatalf("no inputs match %v", patterns)
	}
	seen := map[string]string{}
	for _, in := range inputs {
		base := strings.TrimSuffix(in, filepath.Ext(in))
		if other, ok := seen[base]; ok {
			t.Fatalf("%s and %s would share a golden file", other, in)
		}
		seen[base] = in
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			payload, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got := Render(t, parse, payload)
			golden := strings.TrimSuffix(in, filepath.Ext(in)) + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("canonical events differ from %s\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

// Render parses payload and renders its events and error as golden text,
// checking the invariants on the way.
func Render(t testing.TB, parse carrier.ParseFunc, payload []byte) []byte {
	t.Helper()
	events, perr := parse(payload)
	Check(t, events, perr)
	var out bytes.Buffer
	for _, e := range events {
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	if perr != nil {
		out.WriteString("error: " + perr.Error() + "\n")
	}
	return out.Bytes()
}

// Check asserts what every parser guarantees on any input: each event
// returned is valid with its id set, and a payload yielding nothing is
// either an error or an empty (not-found) reply.
func Check(t testing.TB, events []schemas.ScanEvent, err error) {
	t.Helper()
	for i := range events {
		e := events[i]
		if verr := e.Validate(); verr != nil {
			t.Fatalf("event %d is invalid: %v\n%+v", i, verr, e)
		}
		if e.EventID != schemas.ComputeEventID(&e) {
			t.Fatalf("event %d has id %q, want the deterministic id", i, e.EventID)
		}
		if e.EventTime.Location() != time.UTC {
			t.Fatalf("event %d time %v is not in UTC", i, e.EventTime)
		}
	}
}

func glob(patterns []string) ([]string, error) {
	var all []string
	for _, p := range patterns {
		m, err := filepath.Glob(p)
		if err != nil {
			return nil, err
		}
		all = append(all, m...)
	}
	return all, nil
}

// Seeds adds every testdata input matching the patterns to the fuzz corpus.
func Seeds(f *testing.F, patterns ...string) {
	inputs, err := glob(patterns)
	if err != nil {
		f.Fatal(err)
	}
	for _, in := range inputs {
		b, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// Fuzz is the body of every adapter's fuzz target: any input parses
// without a panic, and whatever comes back keeps the invariants.
func Fuzz(f *testing.F, parse carrier.ParseFunc, patterns ...string) {
	Seeds(f, patterns...)
	f.Fuzz(func(t *testing.T, b []byte) {
		events, err := parse(b)
		Check(t, events, err)
	})
}

// Bench parses the payload in file over and over and reports scans/s.
func Bench(b *testing.B, parse carrier.ParseFunc, file string) {
	payload, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	events, err := parse(payload)
	if err != nil || len(events) == 0 {
		b.Fatalf("benchmark payload %s: %d events, %v", file, len(events), err)
	}
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := parse(payload); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(events)*b.N)/b.Elapsed().Seconds(), "scans/s")
}

// Documented fails t unless every code has a table row ("| code |") in the
// section of docs/carriers.md under the heading that starts with heading,
// so the carrier reference cannot drift from the tables in code.
func Documented(t *testing.T, heading string, codes []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "carriers.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, "\n"+heading)
	if i < 0 {
		t.Fatalf("docs/carriers.md has no heading %q", heading)
	}
	section := doc[i+1:]
	if j := strings.Index(section[len(heading):], "\n#"); j >= 0 {
		section = section[:len(heading)+j]
	}
	for _, c := range codes {
		if !strings.Contains(section, "\n| "+c+" |") {
			t.Errorf("code %s is not in the table under %q in docs/carriers.md", c, heading)
		}
	}
}

// Case is a status and detail an encoder must carry through its format.
type Case struct {
	Status schemas.Status
	Detail string
}

// KeepsPromise makes RoundTrip also check that the promised delivery time
// comes back, for formats that carry one.
type KeepsPromise bool

// RoundTrip encodes one event per case (a shipment of carrier with
// number tn, scanned in Chicago an hour apart) with f.Encode and parses
// the payload back with f.Parse: each event must come back with its
// status, detail, instant and offset.
func RoundTrip(t *testing.T, f carrier.Format, carrierName, tn string, cases []Case, promise ...KeepsPromise) {
	t.Helper()
	in := Events(carrierName, tn, cases)
	payload, err := f.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.Parse(payload)
	if err != nil {
		t.Fatalf("parse of encoded payload: %v\n%s", err, payload)
	}
	Check(t, out, nil)
	if len(out) != len(in) {
		t.Fatalf("%d events in, %d out\n%s", len(in), len(out), payload)
	}
	byTime := map[time.Time]schemas.ScanEvent{}
	for _, e := range out {
		byTime[e.EventTime] = e
	}
	for _, want := range in {
		got, ok := byTime[want.EventTime]
		switch {
		case !ok:
			t.Errorf("%s/%s at %s did not come back\n%s", want.Status, want.StatusDetail, want.EventTime, payload)
		case got.Status != want.Status || got.StatusDetail != want.StatusDetail:
			t.Errorf("%s/%s came back as %s/%s (code %q, %q)", want.Status, want.StatusDetail, got.Status, got.StatusDetail, got.CarrierCode, got.Description)
		case got.UTCOffsetMinutes != want.UTCOffsetMinutes || got.TrackingNumber != schemas.NormalizeTrackingNumber(tn):
			t.Errorf("%s came back with offset %d, number %s", want.Status, got.UTCOffsetMinutes, got.TrackingNumber)
		case len(promise) > 0 && bool(promise[0]) && (got.PromisedDelivery == nil || !got.PromisedDelivery.Equal(*want.PromisedDelivery)):
			t.Errorf("%s came back with promise %v, want %s\n%s", want.Status, got.PromisedDelivery, want.PromisedDelivery, payload)
		}
	}
}

// SameJSON fails t unless a and b are the same JSON value, whatever the
// order of their object keys.
func SameJSON(t *testing.T, a, b []byte) {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	if !bytes.Equal(ja, jb) {
		t.Errorf("JSON differs:\n%s\n%s", a, b)
	}
}

// Events returns one event per case: a shipment of carrier with number
// tn, scanned in Chicago an hour apart, from an origin whose name needs
// escaping in JSON. RoundTrip encodes them; encoder tests use them too.
func Events(carrierName, tn string, cases []Case) []schemas.ScanEvent {
	start := time.Date(2026, 3, 10, 14, 5, 7, 0, time.UTC)
	chicago := schemas.Location{City: "Chicago", Region: "IL", PostalCode: "60601", Country: "US"}
	promised := time.Date(2026, 3, 14, 1, 0, 0, 0, time.UTC) // 20:00 in Chicago on the 13th
	var out []schemas.ScanEvent
	for i, c := range cases {
		out = append(out, schemas.ScanEvent{
			TrackingNumber: tn, Carrier: carrierName, Service: "ground", Status: c.Status, StatusDetail: c.Detail,
			EventTime: start.Add(time.Duration(i) * time.Hour), UTCOffsetMinutes: -300, Location: chicago,
			Origin:           schemas.Location{City: "New \"Old\" York", Region: "NY", PostalCode: "10001", Country: "US"},
			Destination:      chicago,
			PromisedDelivery: &promised,
		})
	}
	return out
}
