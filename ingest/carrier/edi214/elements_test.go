package edi214

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

// reads are the elements Parse reads, by segment: the envelopes' control
// numbers and counts, and a shipment's identity, parties and statuses.
var reads = map[string][]int{
	"GS": {6}, "ST": {1, 2}, "SE": {1, 2}, "GE": {1, 2}, "IEA": {1, 2},
	"B10": {1, 2, 3}, "L11": {1, 2}, "N1": {1}, "N4": {1, 2, 3, 4},
	"G62": {1, 2, 4, 5}, "AT7": {1, 2, 3, 4, 5, 6, 7}, "MS1": {1, 2, 3, 4, 5, 6, 7, 9, 10},
}

func readsElement(seg string, i int) bool {
	for _, r := range reads[seg] {
		if r == i {
			return true
		}
	}
	return false
}

// An element Parse does not read may hold anything, or be left out, and
// the events stay the same: X12's form of a JSON value of another type.
// The ISA header is left alone, its separators define the rest.
func TestUnreadElements(t *testing.T) {
	b, err := os.ReadFile("testdata/journey.edi")
	if err != nil {
		t.Fatal(err)
	}
	want := carriertest.Render(t, Parse, b)
	lines := strings.Split(string(b), "\n")
	changed := 0
	for li, line := range lines {
		els := strings.Split(strings.TrimSuffix(line, "~"), "*")
		if els[0] == "ISA" || len(els) < 2 {
			continue
		}
		// Every element, and one past the last (an optional one sent).
		for i := 1; i <= len(els); i++ {
			if readsElement(els[0], i) {
				continue
			}
			for _, v := range []string{"", "X", "99999999", "A>B", "2026-13-45"} {
				changed++
				mod := append([]string(nil), els...)
				if i == len(els) {
					mod = append(mod, v)
				} else {
					mod[i] = v
				}
				edited := append([]string(nil), lines...)
				edited[li] = strings.Join(mod, "*") + "~"
				got := carriertest.Render(t, Parse, []byte(strings.Join(edited, "\n")))
				if !bytes.Equal(got, want) {
					t.Errorf("%s%02d = %q changed the events:\ngot:\n%s\nwant:\n%s", els[0], i, v, got, want)
				}
			}
		}
	}
	if changed == 0 {
		t.Fatal("no element changed")
	}
}

// A status's date or time that is not one fails that status, naming it.
func TestNeededElements(t *testing.T) {
	b, err := os.ReadFile("testdata/journey.edi")
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct{ from, to string }{
		{"AT7*X4*NS***20260303*0130*CT~", "AT7*X4*NS***2026-03-03*0130*CT~"},
		{"AT7*X4*NS***20260303*0130*CT~", "AT7*X4*NS***20260303*X*CT~"},
		{"AT7*X4*NS***20260303*0130*CT~", "AT7*X4*NS****0130*CT~"},
	} {
		got := string(carriertest.Render(t, Parse, bytes.Replace(b, []byte(c.from), []byte(c.to), 1)))
		if !strings.Contains(got, "error: ") || !strings.Contains(got, "status 2: AT7 date/time") {
			t.Errorf("case %s (%s): want status 2 failed on its date/time, got:\n%s", strconv.Itoa(i), c.to, got)
		}
	}
}
