package ups

import "testing"

// A package without a number of its own, or with a placeholder, takes the
// shipment's inquiry number, unless that number is another package's.
func TestNumberFallsBackToInquiryNumber(t *testing.T) {
	const inquiry, other = "1Z023E2X0214323462", "1Z5R89390357041122"
	tests := []struct {
		name     string
		inquiry  string
		packages []string // the packages' trackingNumber fields
		pkg      int
		want     string
	}{
		{"own number", inquiry, []string{other}, 0, other},
		{"none", inquiry, []string{""}, 0, inquiry},
		{"blank", inquiry, []string{"  "}, 0, inquiry},
		{"reference example's placeholder", inquiry, []string{"string"}, 0, inquiry},
		{"NA", inquiry, []string{"NA"}, 0, inquiry},
		{"zeros", inquiry, []string{"000000000000000000"}, 0, inquiry},
		{"a word", inquiry, []string{"NOTAVAILABLE"}, 0, inquiry},
		{"no inquiry number either", "", []string{""}, 0, ""},
		{"a placeholder inquiry number", "string", []string{"string"}, 0, ""},
		{"another package has the inquiry number", inquiry, []string{inquiry, ""}, 1, ""},
		{"the inquiry number spaced out", "1z 023e2x 0214323462", []string{"1Z023E2X0214323462", ""}, 1, ""},
		{"two packages without a number", inquiry, []string{"", "string"}, 0, ""},
		{"the one package without a number of two", inquiry, []string{other, ""}, 1, inquiry},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Shipment{InquiryNumber: tc.inquiry}
			for _, n := range tc.packages {
				s.Package = append(s.Package, Package{TrackingNumber: n})
			}
			if got := number(&s, tc.pkg); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
