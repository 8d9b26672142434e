package generic

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGolden parses each testdata/*.json payload and compares the canonical
// events (or the error) with the matching .golden file.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatal("no testdata/*.json inputs")
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			payload, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			events, perr := Parse(payload)
			var got bytes.Buffer
			for _, e := range events {
				line, err := json.Marshal(e)
				if err != nil {
					t.Fatal(err)
				}
				got.Write(line)
				got.WriteByte('\n')
			}
			if perr != nil {
				got.WriteString("error: " + perr.Error() + "\n")
			}
			golden := strings.TrimSuffix(in, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("canonical events differ from %s\ngot:\n%s\nwant:\n%s", golden, got.Bytes(), want)
			}
		})
	}
}

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

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.json")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		events, err := Parse(b)
		for _, e := range events {
			if verr := e.Validate(); verr != nil {
				t.Fatalf("Parse returned an invalid event %+v: %v", e, verr)
			}
			if e.EventID == "" {
				t.Fatalf("event without id: %+v", e)
			}
		}
		_ = err
	})
}
