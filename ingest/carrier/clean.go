package carrier

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parcelcast/parcelcast/schemas"
)

// CleanText strips control characters from every text field of e: NUL
// and the other C0 and C1 controls and DEL are removed, and a run of line
// breaks or tabs becomes one space, so a carrier's stray byte never
// reaches the database, the event id or a log line. A field without any
// is left as it is, without allocating.
func CleanText(e *schemas.ScanEvent) {
	for _, s := range []*string{
		&e.TrackingNumber, &e.ShipmentKey, &e.Carrier, &e.Service, &e.StatusDetail, &e.CarrierCode, &e.Description, &e.Mode,
		&e.OrderRef, &e.CustomerRef,
	} {
		*s = StripControls(*s)
	}
	if st := string(e.Status); hasControl(st) {
		e.Status = schemas.Status(StripControls(st))
	}
	cleanLocation(&e.Location)
	cleanLocation(&e.Origin)
	cleanLocation(&e.Destination)
}

func cleanLocation(l *schemas.Location) {
	l.City = StripControls(l.City)
	l.Region = StripControls(l.Region)
	l.PostalCode = StripControls(l.PostalCode)
	l.Country = StripControls(l.Country)
}

// hasControl reports whether s holds a control character: a byte below
// 0x20, DEL, or a C1 control (U+0080–U+009F, 0xC2 0x80–0x9F in UTF-8).
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f {
			return true
		}
	}
	return false
}

// StripControls returns s without control characters, as CleanText
// strips them; s itself when it has none.
func StripControls(s string) string {
	if !hasControl(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false // a line break or tab was seen: one space before the next character
	last := ' '    // the last rune written; a space at the start is never added
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteByte(s[i]) // not UTF-8: kept as it came, not a control
			space, last = false, r
			i++
			continue
		}
		i += n
		switch {
		case r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r' || r == 0x85:
			space = true
		case unicode.IsControl(r):
		default:
			if space && r != ' ' && last != ' ' {
				b.WriteByte(' ')
			}
			space, last = false, r
			b.WriteRune(r)
		}
	}
	return b.String()
}
