package model

import (
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/schemas"
)

// Areas reads postal codes, regions and countries as feeds and files give
// them: whatever they hold, the levels nest (each starts with the one
// above) and a location names the same areas however its postal code is
// spaced.
func FuzzAreas(f *testing.F) {
	for _, s := range [][3]string{{"10001", "NY", "US"}, {"01310", "SP", "BR"}, {"EC1A 1BB", "", "GB"}, {"", "", ""}, {"100-0001", "", "jp"}, {"é1", "ñ", "x"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, postal, region, country string) {
		p := Areas(schemas.Location{PostalCode: postal, Region: region, Country: country})
		for lv := 1; lv < areaLevels; lv++ {
			if !strings.HasPrefix(p[lv], p[lv-1]) {
				t.Fatalf("%q: level %d %q does not start with %q", p, lv, p[lv], p[lv-1])
			}
		}
		for _, a := range p {
			if a == "" {
				t.Fatalf("%q: an empty area", p)
			}
		}
		spaced := Areas(schemas.Location{PostalCode: " " + postal + " ", Region: region, Country: country})
		if spaced != p {
			t.Fatalf("%q with spaces around the postal code: %q", p, spaced)
		}
	})
}
