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
	"strings"

	"github.com/parcelcast/parcelcast/schemas"
)

// Match is one way of reading a tracking number.
type Match struct {
	Carrier string `json:"carrier"` // ups, fedex, usps, dhl, ontrac, amazon, s10
	Family  string `json:"family"`  // the number family, e.g. "UPS 1Z", "FedEx Ground 96"
	// Valid is true when the family has a check digit and it is right.
	// Families without one (Amazon TBA) are Valid when their format is.
	Valid bool `json:"valid"`
	// CheckDigit reports whether the family carries a check digit at all.
	CheckDigit bool `json:"check_digit"`
	// Number is the part the carrier tracks by: for a USPS IMpb barcode
	// with a 420 ZIP routing prefix, the number without the prefix.
	Number string `json:"number"`
	// Country is the issuing postal administration of an S10 number.
	Country string `json:"country,omitempty"`
}

// family is one number format: a shape test, and a check-digit test
// that runs only when the shape fits.
type family struct {
	carrier, name string
	confidence    int // higher is more specific; orders the candidates
	hasCheck      bool
	shape         func(s string) (number string, ok bool)
	check         func(number string) bool
}

var families = []family{
	{"ups", "UPS 1Z", 100, true, shapeUPS, checkUPS},
	{"amazon", "Amazon TBA", 100, false, shapeTBA, nil},
	{"s10", "UPU S10", 90, true, shapeS10, checkS10},
	{"ontrac", "OnTrac", 90, true, shapeOnTrac, checkUPSStyle},
	{"fedex", "FedEx Ground 96", 80, true, shapeDigits(22, "96"), func(n string) bool { return gs1(n[7:]) }},
	{"usps", "USPS IMpb", 70, true, shapeIMpb, checkIMpb},
	{"fedex", "FedEx SmartPost", 50, true, shapeDigits(22, "92"), gs1},
	{"fedex", "FedEx Ground", 60, true, shapeDigits(15, ""), gs1},
	{"fedex", "FedEx Express", 50, true, shapeDigits(12, ""), checkFedExExpress},
	{"usps", "USPS 20", 45, true, shapeDigits(20, ""), checkUSPS20},
	{"fedex", "FedEx SmartPost 20", 40, true, shapeDigits(20, ""), func(n string) bool { return gs1("92" + n) }},
	{"dhl", "DHL Express", 40, true, shapeDigits(10, ""), checkMod7},
	{"dhl", "DHL eCommerce", 30, false, shapeDHLeCommerce, nil},
}

// Detect returns every family the normalized form of s fits, most
// confident first; valid matches come before invalid ones. An empty
// result means no known carrier issues numbers of this shape.
func Detect(s string) []Match {
	n := schemas.NormalizeTrackingNumber(s)
	var out []Match
	for i := range families {
		f := &families[i]
		num, ok, valid := f.fit(n)
		if !ok {
			continue
		}
		m := Match{Carrier: f.carrier, Family: f.name, CheckDigit: f.hasCheck, Number: num, Valid: valid}
		if f.carrier == "s10" {
			m.Country = num[11:]
		}
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
// carry a right check digit; one that fits none of them is accepted, as
// carriers issue more families than parcelcast knows. Without a carrier, a
// number is refused when it fits only distinctive families and all with a
// wrong check digit.
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
		return badCheckDigit(bad.Family)
	}
	return nil
}

// checkCarrier is Check for a known carrier: only its own families count,
// so it tries those alone, without Detect's candidate list. It runs once
// per ingested payload. Among the families the number fits without a
// valid check digit it names the most confident, the first in the table
// on a tie, as Detect would rank them.
func checkCarrier(carrier, n string) error {
	var bad *family
	for i := range families {
		f := &families[i]
		if f.carrier != carrier {
			continue
		}
		_, ok, valid := f.fit(n)
		if !ok {
			continue
		}
		if valid {
			return nil
		}
		if bad == nil || f.confidence > bad.confidence {
			bad = f
		}
	}
	if bad != nil {
		return badCheckDigit(bad.name)
	}
	return nil
}

// fit reports whether n has the family's shape, the number the family
// reads from it, and whether its check digit (if the family has one) is
// right.
func (f *family) fit(n string) (num string, ok, valid bool) {
	if num, ok = f.shape(n); !ok {
		return "", false, false
	}
	return num, true, f.check == nil || f.check(num)
}

func badCheckDigit(family string) error {
	return fmt.Errorf("%w: %s number with a wrong check digit", schemas.ErrBadTrackingNumber, family)
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
			if num, ok := f.shape(string(b)); ok && (f.check == nil || f.check(num)) {
				return string(b), true
			}
		}
	}
	return "", false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

func shapeDigits(n int, prefix string) func(string) (string, bool) {
	return func(s string) (string, bool) {
		return s, len(s) == n && strings.HasPrefix(s, prefix) && isDigits(s)
	}
}

// UPS 1Z: "1Z", six-character shipper account, two-digit service, seven
// digit package number and a check digit: 18 characters.
func shapeUPS(s string) (string, bool) {
	return s, len(s) == 18 && strings.HasPrefix(s, "1Z") && isAlnum(s) && isDigits(s[10:])
}

func checkUPS(s string) bool { return upsStyle(s[2:]) }

// OnTrac: C or D and fourteen digits, the last a check digit computed as
// for UPS over the whole string, letter included.
func shapeOnTrac(s string) (string, bool) {
	return s, len(s) == 15 && (s[0] == 'C' || s[0] == 'D') && isDigits(s[1:])
}

func checkUPSStyle(s string) bool { return upsStyle(s) }

// upsStyle checks the UPS/OnTrac mod-10 digit: letters count as
// (code-63) mod 10 (A=2, B=3, …), characters at odd 1-based positions
// weigh 1 and at even positions 2; the last character is the check digit.
func upsStyle(s string) bool {
	sum := 0
	for i := 0; i < len(s)-1; i++ {
		c := s[i]
		var v int
		if c >= '0' && c <= '9' {
			v = int(c - '0')
		} else {
			v = (int(c) - 63) % 10
		}
		if i%2 == 1 {
			v *= 2
		}
		sum += v
	}
	return (10-sum%10)%10 == int(s[len(s)-1]-'0')
}

// gs1 checks a GS1 (UCC/EAN) mod-10 check digit: from the right, the
// digits before the check digit weigh 3, 1, 3, …
func gs1(s string) bool {
	if !isDigits(s) || len(s) < 2 {
		return false
	}
	sum := 0
	w := 3
	for i := len(s) - 2; i >= 0; i-- {
		sum += int(s[i]-'0') * w
		w = 4 - w
	}
	return (10-sum%10)%10 == int(s[len(s)-1]-'0')
}

// FedEx Express 12-digit: weights 3,1,7 repeating from the left over the
// first eleven digits, sum mod 11 mod 10.
func checkFedExExpress(s string) bool {
	weights := [3]int{3, 1, 7}
	sum := 0
	for i := 0; i < 11; i++ {
		sum += int(s[i]-'0') * weights[i%3]
	}
	return sum%11%10 == int(s[11]-'0')
}

// USPS IMpb: 22 digits (or 26 with an 11-digit package id) starting with
// the application identifier 91–95, optionally after a "420" + ZIP5 or
// "420" + ZIP+4 routing prefix. Number is the barcode without the prefix.
func shapeIMpb(s string) (string, bool) {
	if !isDigits(s) {
		return "", false
	}
	if strings.HasPrefix(s, "420") {
		for _, p := range []int{8, 12} {
			if rest := s[min(p, len(s)):]; len(s) > p && isIMpbBody(rest) {
				return rest, true
			}
		}
		return "", false
	}
	return s, isIMpbBody(s)
}

func isIMpbBody(s string) bool {
	return (len(s) == 22 || len(s) == 26) && s[0] == '9' && s[1] >= '1' && s[1] <= '5'
}

func checkIMpb(s string) bool { return gs1(s) }

// The older 20-digit USPS numbers are a GS1 mod-10 either as they stand
// or with the "91" application identifier they were printed without.
func checkUSPS20(s string) bool { return gs1(s) || gs1("91"+s) }

// UPU S10: two service letters, eight digits, a check digit and the
// ISO country code of the issuing post (e.g. RB123456785GB).
func shapeS10(s string) (string, bool) {
	return s, len(s) == 13 && isLetters(s[:2]) && isDigits(s[2:11]) && isLetters(s[11:])
}

func checkS10(s string) bool {
	weights := [8]int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(s[2+i]-'0') * weights[i]
	}
	check := 11 - sum%11
	switch check {
	case 10:
		check = 0
	case 11:
		check = 5
	}
	return check == int(s[10]-'0')
}

// DHL Express waybills: ten digits, the first nine mod 7 give the last.
func checkMod7(s string) bool {
	v := 0
	for i := 0; i < len(s)-1; i++ {
		v = (v*10 + int(s[i]-'0')) % 7
	}
	return v == int(s[len(s)-1]-'0')
}

// DHL eCommerce: "GM" followed by 16 to 18 digits, no published check digit.
func shapeDHLeCommerce(s string) (string, bool) {
	return s, len(s) >= 18 && len(s) <= 20 && strings.HasPrefix(s, "GM") && isDigits(s[2:])
}

// Amazon Logistics: "TBA" followed by twelve digits, no check digit.
func shapeTBA(s string) (string, bool) {
	return s, len(s) == 15 && strings.HasPrefix(s, "TBA") && isDigits(s[3:])
}
