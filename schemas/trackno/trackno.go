// Package trackno recognises carriers' tracking numbers and checks their
// check digits. Ingest uses it to tag and validate what carriers send; the
// predict API uses it to reject a malformed number with a 400 before any
// lookup.
//
// A number can fit several carriers' patterns (a 12-digit FedEx Express
// number has the shape of many other numeric ids), so Detect returns every
// candidate, most confident first.
package trackno

import (
	"fmt"

	"github.com/parcelcast/parcelcast/schemas"
)

// Match is one way of reading a tracking number.
type Match struct {
	Carrier string `json:"carrier"` // ups, fedex, usps, dhl, ontrac, amazon, s10
	Family  string `json:"family"`  // the number family, e.g. "UPS 1Z", "FedEx Ground 96"
	// Valid is true when the family has a check digit and it is right, and
	// every coded part of the number exists (an S10 number's country).
	// Families without a check digit (Amazon TBA) are Valid when their
	// format is.
	Valid bool `json:"valid"`
	// Problem says why a number of the family's shape is not Valid.
	Problem string `json:"problem,omitempty"`
	// CheckDigit reports whether the family carries a check digit at all.
	CheckDigit bool `json:"check_digit"`
	// Number is the part the carrier tracks by: for a USPS IMpb barcode
	// with a 420 ZIP routing prefix, the number without the prefix; for a
	// FedEx 34-digit barcode, the tracking number it ends with.
	Number string `json:"number"`
	// Country is the issuing postal administration of an S10 number.
	Country string `json:"country,omitempty"`
	// DestinationZIP is the ZIP code the number is routed to, when it
	// carries one (FedEx Express 34-digit barcodes, USPS IMpb barcodes with
	// a 420 routing prefix): five digits, or nine for a ZIP+4.
	DestinationZIP string `json:"destination_zip,omitempty"`
}

// What can be wrong with a number of a family's shape; each reads after
// "number with a".
const (
	wrongCheckDigit = "wrong check digit"
	unknownCountry  = "country code not in ISO 3166-1"
)

// family is one number format: a shape test, and a test of the number's
// check digit and coded parts that runs only when the shape fits.
type family struct {
	carrier, name string
	confidence    int // higher is more specific; orders the candidates
	hasCheck      bool
	shape         func(s string) (number string, ok bool)
	// check returns "" for a valid number, else what is wrong with it.
	check func(number string) (problem string)
}

// Detect returns every family the normalized form of s fits, most
// confident first; valid matches come before invalid ones. An empty
// result means no known carrier issues numbers of this shape.
func Detect(s string) []Match {
	n := schemas.NormalizeTrackingNumber(s)
	var out []Match
	for i := range families {
		f := &families[i]
		num, ok, problem := f.fit(n)
		if !ok {
			continue
		}
		m := Match{Carrier: f.carrier, Family: f.name, CheckDigit: f.hasCheck, Number: num,
			Valid: problem == "", Problem: problem}
		if f.carrier == "s10" {
			m.Country = num[11:]
		}
		m.DestinationZIP = destinationZIP(f, n, num)
		out = append(out, m)
	}
	rank := func(m Match) int {
		if m.Valid {
			return confidence(m.Family) + 1000
		}
		return confidence(m.Family)
	}
	// Insertion sort keeps the table order among equal ranks.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && rank(out[j]) > rank(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Best returns the most confident valid match, if any.
func Best(s string) (Match, bool) {
	for _, m := range Detect(s) {
		if m.Valid {
			return m, true
		}
	}
	return Match{}, false
}

// strong is the confidence from which a family's shape is distinctive
// enough ("1Z…", S10, IMpb) that a wrong check digit means a malformed
// number rather than some other carrier's.
const strong = 70

// Check validates a tracking number for ingest and the API. The number
// must have the shape every tracking number has (schemas.CheckTrackingNumber).
// With a carrier, a number that fits one of that carrier's families must
// be valid in it (right check digit, existing country); one that fits none
// of them is accepted, as carriers issue more families than parcelcast
// knows. Without a carrier, a number is refused when it fits only
// distinctive families and is valid in none.
func Check(carrier, s string) error {
	n := schemas.NormalizeTrackingNumber(s)
	if err := schemas.CheckTrackingNumber(n); err != nil {
		return err
	}
	if carrier != "" {
		return checkCarrier(carrier, n)
	}
	var bad *Match
	for _, m := range Detect(n) {
		if m.Valid {
			return nil
		}
		if bad == nil && confidence(m.Family) >= strong {
			bad = &m
		}
	}
	if bad != nil {
		return badNumber(bad.Family, bad.Problem)
	}
	return nil
}

// checkCarrier is Check for a known carrier: only its own families count,
// so it tries those alone, without Detect's candidate list. It runs once
// per ingested payload. Among the families the number fits without being
// valid it names the most confident, the first in the table on a tie, as
// Detect would rank them.
func checkCarrier(carrier, n string) error {
	var bad *family
	var badProblem string
	for i := range families {
		f := &families[i]
		if f.carrier != carrier {
			continue
		}
		_, ok, problem := f.fit(n)
		if !ok {
			continue
		}
		if problem == "" {
			return nil
		}
		if bad == nil || f.confidence > bad.confidence {
			bad, badProblem = f, problem
		}
	}
	if bad != nil {
		return badNumber(bad.name, badProblem)
	}
	return nil
}

// fit reports whether n has the family's shape, the number the family
// reads from it, and what is wrong with that number ("" when it is valid).
func (f *family) fit(n string) (num string, ok bool, problem string) {
	if num, ok = f.shape(n); !ok {
		return "", false, ""
	}
	if f.check == nil {
		return num, true, ""
	}
	return num, true, f.check(num)
}

func badNumber(family, problem string) error {
	return fmt.Errorf("%w: %s number with a %s", schemas.ErrBadTrackingNumber, family, problem)
}

func confidence(familyName string) int {
	for _, f := range families {
		if f.name == familyName {
			return f.confidence
		}
	}
	return 0
}

// Complete returns n with its check digit replaced by the one that makes
// it a valid number of the named family, or false when no digit does
// (the rest of n does not fit the family). The simulator and tests use it
// to make well-formed numbers.
func Complete(familyName, n string) (string, bool) {
	for _, f := range families {
		if f.name != familyName {
			continue
		}
		pos := len(n) - 1
		if f.carrier == "s10" {
			pos = 10
		}
		if pos < 0 {
			return "", false
		}
		b := []byte(n)
		for d := byte('0'); d <= '9'; d++ {
			b[pos] = d
			if _, ok, problem := f.fit(string(b)); ok && problem == "" {
				return string(b), true
			}
		}
	}
	return "", false
}
