package ups

import (
	"strings"

	"github.com/parcelcast/parcelcast/schemas"
)

// number is the tracking number of package pi of shipment s. A package
// may come without its number, or with a placeholder in its place (UPS's
// own reference example says "string"), while the shipment's
// inquiryNumber holds the number asked about: that number stands in, for
// the one package of the shipment without a number of its own, unless
// another package already carries it (it is then that package's). ""
// when neither gives a number.
func number(s *Shipment, pi int) string {
	if n := s.Package[pi].TrackingNumber; isNumber(n) {
		return n
	}
	if !isNumber(s.InquiryNumber) {
		return ""
	}
	inquiry := schemas.NormalizeTrackingNumber(strings.TrimSpace(s.InquiryNumber))
	for i := range s.Package {
		n := s.Package[i].TrackingNumber
		switch {
		case i == pi:
		case !isNumber(n):
			return "" // two packages without a number: which one is it?
		case schemas.NormalizeTrackingNumber(strings.TrimSpace(n)) == inquiry:
			return ""
		}
	}
	return s.InquiryNumber
}

// isNumber reports whether n can be a tracking number: of tracking-number
// characters and length, with a digit other than 0 (every family has
// some). Placeholders ("", "string", "NA", "0000000000",
// "NOTAVAILABLE") are not.
func isNumber(n string) bool {
	n = schemas.NormalizeTrackingNumber(strings.TrimSpace(n))
	return schemas.CheckTrackingNumber(n) == nil && strings.ContainsAny(n, "123456789")
}
