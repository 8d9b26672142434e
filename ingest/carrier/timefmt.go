package carrier

import (
	"strconv"
	"time"
)

// TimeLayout is one of the fixed layouts carriers write times in.
type TimeLayout int

// The layouts AppendTime writes, as Go layouts.
const (
	Date8    TimeLayout = iota // 20060102
	Clock6                     // 150405
	LocalISO                   // 2006-01-02T15:04:05
	RFC3339                    // 2006-01-02T15:04:05-07:00, Z at offset 0
	Offset                     // -07:00
)

// AppendTime appends t as read on the wall clock offsetMinutes east of
// UTC, in layout: the bytes t.In(FixedZone(offsetMinutes)).AppendFormat
// gives, without parsing a layout, for the encoders' hot path.
func AppendTime(b []byte, t time.Time, offsetMinutes int, layout TimeLayout) []byte {
	if layout == Offset {
		return appendOffset(b, offsetMinutes, false)
	}
	w := t.Add(time.Duration(offsetMinutes) * time.Minute).UTC()
	y, mo, d := w.Date()
	if y < 0 || y > 9999 { // outside four digits: as the standard library writes it
		return t.In(FixedZone(offsetMinutes)).AppendFormat(b, goLayouts[layout])
	}
	h, mi, s := w.Clock()
	switch layout {
	case Date8:
		return append2(append2(appendYear(b, y), int(mo)), d)
	case Clock6:
		return append2(append2(append2(b, h), mi), s)
	}
	b = append(append2(append(append2(append(appendYear(b, y), '-'), int(mo)), '-'), d), 'T')
	b = append2(append(append2(append(append2(b, h), ':'), mi), ':'), s)
	if layout == RFC3339 {
		b = appendOffset(b, offsetMinutes, true)
	}
	return b
}

var goLayouts = [...]string{Date8: "20060102", Clock6: "150405", LocalISO: "2006-01-02T15:04:05",
	RFC3339: time.RFC3339, Offset: "-07:00"}

func appendYear(b []byte, y int) []byte {
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

func appendOffset(b []byte, offsetMinutes int, zulu bool) []byte {
	if offsetMinutes == 0 && zulu {
		return append(b, 'Z')
	}
	sign := byte('+')
	if offsetMinutes < 0 {
		sign, offsetMinutes = '-', -offsetMinutes
	}
	return append2(append(append2(append(b, sign), offsetMinutes/60), ':'), offsetMinutes%60)
}

// AppendZeroPadded appends v in decimal, zero-padded to width digits, as
// fmt's %0*d does: EDI control numbers, simulated tracking numbers.
func AppendZeroPadded(b []byte, v uint64, width int) []byte {
	var d [20]byte
	digits := strconv.AppendUint(d[:0], v, 10)
	for n := len(digits); n < width; n++ {
		b = append(b, '0')
	}
	return append(b, digits...)
}
