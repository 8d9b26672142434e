// Package carrier holds what every carrier adapter shares: the status code
// tables' shape, the conversion of local scan times to instants, and the
// last step that validates a canonical event and gives it its id. The
// adapters themselves live in the sub-packages, one per feed.
package carrier

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
	"github.com/parcelcast/parcelcast/schemas"
	"github.com/parcelcast/parcelcast/schemas/trackno"
)

// Mapping is the canonical reading of one carrier status code.
type Mapping struct {
	Status schemas.Status
	Detail string // status_detail: weather, address_issue, damaged, customs, …
}

// Codes is one carrier's table of status codes.
type Codes map[string]Mapping

// Lookup maps a carrier code. A code missing from the table maps to
// unknown, keeping the carrier's code and text on the event, so nothing is
// dropped and the metric of unknown statuses shows what to add.
func (c Codes) Lookup(code string) Mapping {
	if m, ok := c[strings.ToUpper(strings.TrimSpace(code))]; ok {
		return m
	}
	return Mapping{Status: schemas.StatusUnknown}
}

// Finish strips control characters from the event's text, normalizes the
// tracking number, validates the event (the number's check digit included,
// for the carriers whose numbers parcelcast knows) and sets its
// deterministic id.
func Finish(e *schemas.ScanEvent) error {
	CleanText(e)
	e.TrackingNumber = schemas.NormalizeTrackingNumber(e.TrackingNumber)
	if err := trackno.Check(e.Carrier, e.TrackingNumber); err != nil {
		return err
	}
	return finish(e)
}

func finish(e *schemas.ScanEvent) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.EventID = schemas.ComputeEventID(e)
	return nil
}

// Results gathers the events of one payload and the errors of the scans
// that could not be read, so a payload with some bad scans keeps the good
// ones and is also dead-lettered for the rest.
type Results struct {
	Events []schemas.ScanEvent
	errs   []error

	// The last number checked: a payload repeats one number per scan.
	checkedCarrier, checkedNumber string
	checkErr                      error
}

// Where names a part of a payload in error messages ("shipment 0 package
// 1 activity 3"). It is formatted only when that part fails, so naming
// every scan costs nothing on the path where they are good.
type Where struct {
	In    *Where // what it is part of, or nil
	Kind  string // "activity", "event", …; "." numbers a part as In's sub-index ("result 0.1")
	Index int    // below 0: Kind alone names the part
}

// At names the index-th part of a kind within w.
func (w *Where) At(kind string, index int) Where { return Where{In: w, Kind: kind, Index: index} }

func (w Where) String() string {
	var s string
	switch {
	case w.Index < 0:
		s = w.Kind
	case w.Kind == "." && w.In != nil:
		return w.In.String() + "." + strconv.Itoa(w.Index)
	default:
		s = w.Kind + " " + strconv.Itoa(w.Index)
	}
	if w.In != nil {
		return w.In.String() + " " + s
	}
	return s
}

// Add finishes e as Finish does and keeps it, or records why it could not
// be kept; where names the scan in the error.
func (r *Results) Add(e schemas.ScanEvent, err error, where Where) {
	if err == nil {
		CleanText(&e)
		e.TrackingNumber = schemas.NormalizeTrackingNumber(e.TrackingNumber)
		if e.Carrier != r.checkedCarrier || e.TrackingNumber != r.checkedNumber {
			r.checkedCarrier, r.checkedNumber = e.Carrier, e.TrackingNumber
			r.checkErr = trackno.Check(e.Carrier, e.TrackingNumber)
		}
		err = r.checkErr
	}
	if err == nil {
		err = finish(&e)
	}
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s: %w", where, err))
		return
	}
	r.Events = append(r.Events, e)
}

// Fail records an error not tied to one event.
func (r *Results) Fail(err error) { r.errs = append(r.errs, err) }

// Done returns the events and the joined errors, each prefixed with feed.
func (r *Results) Done(feed string) ([]schemas.ScanEvent, error) {
	if len(r.errs) == 0 {
		return r.Events, nil
	}
	return r.Events, fmt.Errorf("%s: %w", feed, errors.Join(r.errs...))
}

// SetLocal sets e.EventTime and the offset from a local wall-clock reading
// with no offset, resolving the zone from the first of places that has
// one (the scan location, then for instance the shipment's origin).
// OffsetInferred is always set: the offset did not come from the carrier.
func SetLocal(e *schemas.ScanEvent, w zone.Wall, places ...schemas.Location) error {
	t, off, err := LocalTime(w, places...)
	if err != nil {
		return err
	}
	e.EventTime, e.UTCOffsetMinutes, e.OffsetInferred = t, off, true
	return nil
}

// LocalTime is the instant and UTC offset (minutes) of a local wall-clock
// reading, resolved as SetLocal does, for times that are not a scan's
// (a promised delivery).
func LocalTime(w zone.Wall, places ...schemas.Location) (time.Time, int, error) {
	if err := checkWall(w); err != nil {
		return time.Time{}, 0, err
	}
	var firstErr error
	for _, p := range places {
		t, off, _, err := zone.Local(w, p)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		return t, off, nil
	}
	if firstErr == nil {
		firstErr = zone.ErrUnresolved
	}
	return time.Time{}, 0, fmt.Errorf("local time without offset: %w", firstErr)
}

// SetOffset sets e.EventTime from a wall-clock reading and a known offset.
func SetOffset(e *schemas.ScanEvent, w zone.Wall, offsetMinutes int) error {
	if err := checkWall(w); err != nil {
		return err
	}
	if offsetMinutes < -14*60 || offsetMinutes > 14*60 {
		return fmt.Errorf("utc offset %d minutes out of range", offsetMinutes)
	}
	t := time.Date(w.Year, time.Month(w.Month), w.Day, w.Hour, w.Minute, w.Second, 0, time.UTC)
	e.EventTime = t.Add(-time.Duration(offsetMinutes) * time.Minute)
	e.UTCOffsetMinutes = offsetMinutes
	e.OffsetInferred = false
	return nil
}

// SetInstant sets e.EventTime and offset from a time that carries its own
// offset (RFC 3339 with offset).
func SetInstant(e *schemas.ScanEvent, t time.Time) {
	_, off := t.Zone()
	e.EventTime, e.UTCOffsetMinutes, e.OffsetInferred = t.UTC(), off/60, false
}

func checkWall(w zone.Wall) error {
	if w.Month < 1 || w.Month > 12 || w.Day < 1 || w.Day > 31 || w.Hour < 0 || w.Hour > 23 ||
		w.Minute < 0 || w.Minute > 59 || w.Second < 0 || w.Second > 60 {
		return fmt.Errorf("invalid date or time %04d-%02d-%02d %02d:%02d:%02d", w.Year, w.Month, w.Day, w.Hour, w.Minute, w.Second)
	}
	if d := time.Date(w.Year, time.Month(w.Month), w.Day, 0, 0, 0, 0, time.UTC); d.Day() != w.Day {
		return fmt.Errorf("invalid date %04d-%02d-%02d", w.Year, w.Month, w.Day)
	}
	return nil
}

// Atoi reads s[i:j] as a non-negative decimal number.
func Atoi(s string, i, j int) (int, error) {
	if i < 0 || j > len(s) || i >= j {
		return 0, fmt.Errorf("%q too short", s)
	}
	n := 0
	for k := i; k < j; k++ {
		c := s[k]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q: not a digit at %d", s, k)
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// DateTimeDigits reads a date "YYYYMMDD" and a time "HHMM" or "HHMMSS".
func DateTimeDigits(date, clock string) (zone.Wall, error) {
	var w zone.Wall
	if len(date) != 8 {
		return w, fmt.Errorf("date %q: want YYYYMMDD", date)
	}
	switch len(clock) {
	case 4:
		clock += "00"
	case 6:
	default:
		return w, fmt.Errorf("time %q: want HHMM or HHMMSS", clock)
	}
	s := date + clock
	for i, dst := range []*int{&w.Year, &w.Month, &w.Day, &w.Hour, &w.Minute, &w.Second} {
		lo, hi := 2*i+2, 2*i+4 // two digits each after the four of the year
		if i == 0 {
			lo, hi = 0, 4
		}
		n, err := Atoi(s, lo, hi)
		if err != nil {
			return w, err
		}
		*dst = n
	}
	return w, checkWall(w)
}

// ParseOffset reads "-05:00", "-0500", "+5:30" or "Z" as minutes east of UTC.
func ParseOffset(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "Z" || s == "z" {
		return 0, nil
	}
	if len(s) < 2 || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("utc offset %q: want ±HH:MM", s)
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	body := strings.ReplaceAll(s[1:], ":", "")
	var h, m int
	var err error
	switch len(body) {
	case 1, 2:
		h, err = strconv.Atoi(body)
	case 3, 4:
		if h, err = strconv.Atoi(body[:len(body)-2]); err == nil {
			m, err = strconv.Atoi(body[len(body)-2:])
		}
	default:
		return 0, fmt.Errorf("utc offset %q: want ±HH:MM", s)
	}
	if err != nil || h > 14 || m > 59 || h < 0 || m < 0 {
		return 0, fmt.Errorf("utc offset %q: want ±HH:MM", s)
	}
	return sign * (h*60 + m), nil
}

var fixedZones sync.Map // offset minutes → *time.Location

// FixedZone returns the zone of a UTC offset in minutes, shared between
// calls: encoders format every scan in its local offset.
func FixedZone(offsetMinutes int) *time.Location {
	if z, ok := fixedZones.Load(offsetMinutes); ok {
		return z.(*time.Location)
	}
	z, _ := fixedZones.LoadOrStore(offsetMinutes, time.FixedZone("", offsetMinutes*60))
	return z.(*time.Location)
}

// MarshalJSON encodes a payload like encoding/json, without HTML
// escaping, as carriers send it.
func MarshalJSON(v any) ([]byte, error) { return json.Append(nil, v, 0) }

// JSONObject appends a JSON object field by field, without reflection,
// for the encoders' hot path (one small payload per simulated scan). Its
// output must equal what marshalling the payload types gives; each
// encoder's tests compare the two.
type JSONObject struct {
	B     []byte
	empty bool
}

// Open starts an object ("{").
func (o *JSONObject) Open() { o.B = append(o.B, '{'); o.empty = true }

// Close ends it.
func (o *JSONObject) Close() { o.B = append(o.B, '}'); o.empty = false }

// Key writes a key and leaves the value to the caller.
func (o *JSONObject) Key(k string) {
	if !o.empty {
		o.B = append(o.B, ',')
	}
	o.empty = false
	o.B = append(o.B, '"')
	o.B = append(o.B, k...)
	o.B = append(o.B, '"', ':')
}

// String writes a string field; omitEmpty leaves out an empty one.
func (o *JSONObject) String(k, v string, omitEmpty bool) {
	if v == "" && omitEmpty {
		return
	}
	o.Key(k)
	o.B = AppendJSONString(o.B, v)
}

// Raw writes a field whose value the caller has encoded.
func (o *JSONObject) Raw(k string, v []byte) {
	o.Key(k)
	o.B = append(o.B, v...)
}

// AppendJSONString appends s as a JSON string, escaping quotes,
// backslashes and control characters as encoding/json does (without HTML
// escaping).
func AppendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
