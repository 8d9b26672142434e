package trackno

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/numbers.golden")

// TestGolden reads every number of testdata/numbers.txt and compares what
// Detect finds in it with testdata/numbers.golden; go test -update
// rewrites the golden file.
func TestGolden(t *testing.T) {
	in, err := os.ReadFile("testdata/numbers.txt")
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(in))
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		matches := Detect(line)
		if matches == nil {
			matches = []Match{}
		}
		b, err := json.Marshal(struct {
			Input   string  `json:"input"`
			Matches []Match `json:"matches"`
		}{line, matches})
		if err != nil {
			t.Fatal(err)
		}
		got.Write(b)
		got.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/numbers.golden"
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
		t.Errorf("Detect differs from %s\ngot:\n%s\nwant:\n%s", golden, got.Bytes(), want)
	}
}
