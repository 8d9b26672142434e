// Package importer loads historical shipments into scan_events from CSV or
// JSON Lines files, so a team can train on its own delivery history before
// any carrier feed is connected. Each shipment becomes canonical scan
// events: its pickup, its delivery and, when given, its own scans. A bad
// row is reported with its line and field and skipped; good rows load.
package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
	"github.com/parcelcast/parcelcast/schemas"
)

// Shipment is one row of an import file. CSV columns and JSON keys have
// the same names; scans exist in JSON Lines only.
type Shipment struct {
	TrackingNumber string `json:"tracking_number"`
	Carrier        string `json:"carrier"`
	Service        string `json:"service"`

	OriginCity       string   `json:"origin_city"`
	OriginRegion     string   `json:"origin_region"`
	OriginPostalCode string   `json:"origin_postal_code"`
	OriginCountry    string   `json:"origin_country"`
	OriginLat        *float64 `json:"origin_lat"`
	OriginLon        *float64 `json:"origin_lon"`

	DestinationCity       string   `json:"destination_city"`
	DestinationRegion     string   `json:"destination_region"`
	DestinationPostalCode string   `json:"destination_postal_code"`
	DestinationCountry    string   `json:"destination_country"`
	DestinationLat        *float64 `json:"destination_lat"`
	DestinationLon        *float64 `json:"destination_lon"`

	// CreatedTime is when the order or label was created (info_received),
	// ShipTime the pickup; DeliveredTime is empty for a shipment not
	// delivered. They are RFC 3339, or local time ("2006-01-02T15:04:05")
	// at the origin (created, ship) and destination (delivered). A row
	// needs a ship time or a created time. PromisedDate is a date or a
	// time; a date, or a time at midnight, means the end of that day at
	// the destination.
	CreatedTime   string `json:"created_time"`
	ShipTime      string `json:"ship_time"`
	DeliveredTime string `json:"delivered_time"`
	PromisedDate  string `json:"promised_date"`

	// Status is the shipment's state as the file names it. Only a
	// cancellation is read ("cancelled" or "canceled"): a shipment
	// cancelled before delivery gets a cancelled event at its latest time,
	// so it does not look in flight for ever. Other values are not read:
	// the times say how far a shipment got.
	Status string `json:"status"`

	// OrderRef and CustomerRef are the merchant's order and customer
	// references, set on every event of the shipment
	// (schemas.CheckReference).
	OrderRef    string `json:"order_ref"`
	CustomerRef string `json:"customer_ref"`

	Scans []Scan `json:"scans"`
}

// Scan is one of a shipment's own scans.
type Scan struct {
	Time        string `json:"time"`
	Status      string `json:"status"`
	Description string `json:"description"`
	CarrierCode string `json:"carrier_code"`
	City        string `json:"city"`
	Region      string `json:"region"`
	PostalCode  string `json:"postal_code"`
	Country     string `json:"country"`
}

// Columns are the CSV header names in the order of Shipment.
var Columns = []string{"tracking_number", "carrier", "service",
	"origin_city", "origin_region", "origin_postal_code", "origin_country", "origin_lat", "origin_lon",
	"destination_city", "destination_region", "destination_postal_code", "destination_country", "destination_lat", "destination_lon",
	"created_time", "ship_time", "delivered_time", "promised_date", "status", "order_ref", "customer_ref"}

// RowError is why one row was not loaded.
type RowError struct {
	Line int
	Err  error
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e RowError) Unwrap() error { return e.Err }

// Format is an import file's format.
type Format string

// The formats Read knows.
const (
	CSV   Format = "csv"
	JSONL Format = "jsonl"
)

// FormatOf guesses the format from a file name: .csv is CSV, anything
// else JSON Lines.
func FormatOf(name string) Format {
	if strings.HasSuffix(strings.ToLower(name), ".csv") {
		return CSV
	}
	return JSONL
}

// Read calls fn with every row of r, or with the row's error. An error
// that stops reading (an unreadable header, or one fn returns) is returned.
func Read(r io.Reader, f Format, fn func(line int, s *Shipment, err error) error) error {
	return ReadWith(r, f, ReadOptions{}, fn)
}

// ReadWith is Read with the file's columns mapped and defaults filled in
// as o says.
func ReadWith(r io.Reader, f Format, o ReadOptions, fn func(line int, s *Shipment, err error) error) error {
	_, err := read(r, f, o, fn)
	return err
}

// read is ReadWith that also says which of the file's columns (or JSON
// keys) it ignored.
func read(r io.Reader, f Format, o ReadOptions, fn func(int, *Shipment, error) error) ([]string, error) {
	withDefaults := func(line int, s *Shipment, err error) error {
		if err == nil {
			o.Defaults.apply(s)
		}
		return fn(line, s, err)
	}
	switch f {
	case CSV:
		return readCSV(r, o, withDefaults)
	case JSONL:
		return readJSONL(r, o, withDefaults)
	}
	return nil, fmt.Errorf("unknown import format %q (csv or jsonl)", f)
}

// maxIgnored bounds the ignored JSON keys a file reports.
const maxIgnored = 100

func readJSONL(r io.Reader, o ReadOptions, fn func(int, *Shipment, error) error) ([]string, error) {
	var ignored []string
	isIgnored := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 || b[0] == '#' {
			continue
		}
		var s Shipment
		var err error
		if len(o.Map) > 0 {
			var drop []string
			b, drop, err = o.renameKeys(b)
			for _, k := range drop {
				if !isIgnored[k] && len(ignored) < maxIgnored {
					isIgnored[k] = true
					ignored = append(ignored, k)
				}
			}
		}
		if err == nil {
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			err = dec.Decode(&s)
			if err == nil && dec.More() {
				err = errors.New("more than one JSON value on the line")
			}
		}
		if err != nil {
			err = fmt.Errorf("not a shipment object: %w", err)
		}
		if err := fn(line, &s, err); err != nil {
			return ignored, err
		}
	}
	if err := sc.Err(); err != nil {
		return ignored, fmt.Errorf("read line %d: %w", line+1, err)
	}
	return ignored, nil
}

func readCSV(r io.Reader, o ReadOptions, fn func(int, *Shipment, error) error) ([]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read CSV header: %w", err)
	}
	col, ignored, err := o.header(header)
	if err != nil {
		return nil, err
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return ignored, nil
		}
		var line int
		var s Shipment
		if err == nil {
			line, _ = cr.FieldPos(0)
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return ignored, fmt.Errorf("read CSV: %w", err)
			}
			line = pe.Line
		} else if len(rec) != len(header) {
			err = fmt.Errorf("%d fields, the header has %d", len(rec), len(header))
		} else {
			err = s.setCSV(col, rec)
		}
		if err := fn(line, &s, err); err != nil {
			return ignored, err
		}
	}
}

func known(h string) bool {
	for _, c := range Columns {
		if c == h {
			return true
		}
	}
	return false
}

func (s *Shipment) setCSV(col map[string]int, rec []string) error {
	get := func(k string) string {
		if i, ok := col[k]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	num := func(k string) (*float64, error) {
		v := get(k)
		if v == "" {
			return nil, nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a number", k, v)
		}
		return &f, nil
	}
	s.TrackingNumber, s.Carrier, s.Service = get("tracking_number"), get("carrier"), get("service")
	s.OriginCity, s.OriginRegion, s.OriginPostalCode, s.OriginCountry = get("origin_city"), get("origin_region"), get("origin_postal_code"), get("origin_country")
	s.DestinationCity, s.DestinationRegion, s.DestinationPostalCode, s.DestinationCountry = get("destination_city"), get("destination_region"), get("destination_postal_code"), get("destination_country")
	s.CreatedTime, s.ShipTime, s.DeliveredTime, s.PromisedDate = get("created_time"), get("ship_time"), get("delivered_time"), get("promised_date")
	s.Status = get("status")
	s.OrderRef, s.CustomerRef = get("order_ref"), get("customer_ref")
	var errs []error
	for _, p := range []struct {
		k   string
		dst **float64
	}{{"origin_lat", &s.OriginLat}, {"origin_lon", &s.OriginLon}, {"destination_lat", &s.DestinationLat}, {"destination_lon", &s.DestinationLon}} {
		v, err := num(p.k)
		errs = append(errs, err)
		*p.dst = v
	}
	return errors.Join(errs...)
}

// Events turns a shipment into canonical scan events: a picked_up scan at
// the ship time and origin, a delivered scan at the delivery time and
// destination (unless its own scans have them), and its own scans. source
// names the file, for lineage.
func (s *Shipment) Events(source string, now time.Time) ([]schemas.ScanEvent, error) {
	var errs []error
	fail := func(field string, err error) { errs = append(errs, fmt.Errorf("%s: %w", field, err)) }
	origin, err := place(s.OriginCity, s.OriginRegion, s.OriginPostalCode, s.OriginCountry, s.OriginLat, s.OriginLon)
	if err != nil {
		fail("origin", err)
	}
	dest, err := place(s.DestinationCity, s.DestinationRegion, s.DestinationPostalCode, s.DestinationCountry, s.DestinationLat, s.DestinationLon)
	if err != nil {
		fail("destination", err)
	}
	base := schemas.ScanEvent{
		TrackingNumber: s.TrackingNumber, Carrier: strings.ToLower(strings.TrimSpace(s.Carrier)),
		Origin: origin, Destination: dest,
		OrderRef: strings.TrimSpace(s.OrderRef), CustomerRef: strings.TrimSpace(s.CustomerRef),
		Source: schemas.Source{Topic: "import:" + source, IngestedAt: now.UTC()},
	}
	if s.Service != "" {
		base.Service, base.Mode = carrier.ServiceFromText(s.Service)
		if base.Service == "" {
			base.Service = strings.ToLower(strings.TrimSpace(s.Service))
		}
	}
	if strings.TrimSpace(s.TrackingNumber) == "" {
		fail("tracking_number", errors.New("required"))
	}
	if base.Carrier == "" {
		fail("carrier", errors.New("required"))
	}
	if err := schemas.CheckReference(base.OrderRef); err != nil {
		fail("order_ref", err)
	}
	if err := schemas.CheckReference(base.CustomerRef); err != nil {
		fail("customer_ref", err)
	}
	if s.PromisedDate != "" {
		p, err := promise(s.PromisedDate, dest)
		if err != nil {
			fail("promised_date", err)
		} else {
			base.PromisedDelivery = &p
		}
	}

	var out []schemas.ScanEvent
	has := map[schemas.Status]bool{}
	for i, sc := range s.Scans {
		e := base
		e.Status = schemas.Status(strings.ToLower(strings.TrimSpace(sc.Status)))
		if !e.Status.Valid() {
			fail(fmt.Sprintf("scans[%d].status", i), fmt.Errorf("%q is not a canonical status", sc.Status))
			continue
		}
		e.Description, e.CarrierCode = sc.Description, sc.CarrierCode
		e.Location = schemas.Location{City: sc.City, Region: strings.ToUpper(sc.Region), PostalCode: sc.PostalCode, Country: zone.CountryCode(sc.Country)}
		at := e.Location
		if at.Country == "" && at.Region == "" && at.PostalCode == "" {
			at = dest
		}
		if err := setTime(&e, sc.Time, at); err != nil {
			fail(fmt.Sprintf("scans[%d].time", i), err)
			continue
		}
		has[e.Status] = true
		out = append(out, e)
	}
	// The latest of the row's own times so far, to check their order; the
	// file's text is quoted in errors, as the file gave it.
	var last *schemas.ScanEvent
	var lastField, lastValue string
	if strings.TrimSpace(s.CreatedTime) != "" {
		created, err := timed(base, schemas.StatusInfoReceived, s.CreatedTime, origin)
		switch {
		case err != nil:
			fail("created_time", err)
		case created.EventTime.After(now):
			fail("created_time", fmt.Errorf("%q is in the future", s.CreatedTime))
		default:
			last, lastField, lastValue = &created, "created time", s.CreatedTime
			if !has[schemas.StatusInfoReceived] {
				out = append(out, created)
			}
		}
	}
	if strings.TrimSpace(s.ShipTime) != "" {
		ship, err := timed(base, schemas.StatusPickedUp, s.ShipTime, origin)
		switch {
		case err != nil:
			fail("ship_time", err)
		case last != nil && last.EventTime.After(ship.EventTime):
			fail("ship_time", fmt.Errorf("%q is before the %s %q", s.ShipTime, lastField, lastValue))
		default:
			last, lastField, lastValue = &ship, "ship time", s.ShipTime
			if !has[schemas.StatusPickedUp] {
				out = append(out, ship)
			}
		}
	} else if strings.TrimSpace(s.CreatedTime) == "" {
		fail("ship_time", errors.New("required (or a created_time)"))
	}
	if strings.TrimSpace(s.DeliveredTime) != "" {
		del, err := timed(base, schemas.StatusDelivered, s.DeliveredTime, dest)
		switch {
		case err != nil:
			fail("delivered_time", err)
		case last != nil && last.EventTime.After(del.EventTime):
			fail("delivered_time", fmt.Errorf("%q is before the %s %q", s.DeliveredTime, lastField, lastValue))
		case del.EventTime.After(now):
			fail("delivered_time", fmt.Errorf("%q is in the future", s.DeliveredTime))
		case !has[schemas.StatusDelivered]:
			out = append(out, del)
		}
	} else if cancelled(s.Status) && last != nil && !has[schemas.StatusCancelled] && !has[schemas.StatusDelivered] {
		c := *last
		c.Status = schemas.StatusCancelled
		out = append(out, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for i := range out {
		if err := carrier.Finish(&out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// cancelled says whether a file's status names a cancellation.
func cancelled(status string) bool {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "cancelled", "canceled":
		return true
	}
	return false
}

func timed(base schemas.ScanEvent, st schemas.Status, value string, at schemas.Location) (schemas.ScanEvent, error) {
	e := base
	e.Status, e.Location = st, at
	return e, setTime(&e, value, at)
}

// setTime reads an RFC 3339 time, or a local time at the location.
func setTime(e *schemas.ScanEvent, value string, at schemas.Location) error {
	return setTimeAs(e, value, at, false)
}

// localLayouts are the local date-and-time layouts a file may use.
var localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"}

// setTimeAs is setTime; with endOfDay, a time at midnight stands for a
// date and is read as the last second of that day.
func setTimeAs(e *schemas.ScanEvent, value string, at schemas.Location, endOfDay bool) error {
	value = strings.TrimSpace(value)
	if t, err := time.Parse(time.RFC3339, value); err == nil {
		_, off := t.Zone()
		return carrier.SetOffset(e, dayEnd(wallOf(t), endOfDay), off/60)
	}
	for _, layout := range localLayouts {
		if t, err := time.Parse(layout, value); err == nil {
			if err := carrier.SetLocal(e, dayEnd(wallOf(t), endOfDay), at); err != nil {
				return fmt.Errorf("local time %q: %w (give an offset)", value, err)
			}
			return nil
		}
	}
	return fmt.Errorf("%q is neither RFC 3339 nor a local date and time", value)
}

// dayEnd moves a midnight reading to the last second of its day when
// endOfDay is set. The wall clock moves, not the instant, so a day that
// starts with a daylight-saving gap still ends at 23:59:59 local time.
func dayEnd(w zone.Wall, endOfDay bool) zone.Wall {
	if endOfDay && w.Hour == 0 && w.Minute == 0 && w.Second == 0 {
		w.Hour, w.Minute, w.Second = 23, 59, 59
	}
	return w
}

func wallOf(t time.Time) zone.Wall {
	return zone.Wall{Year: t.Year(), Month: int(t.Month()), Day: t.Day(), Hour: t.Hour(), Minute: t.Minute(), Second: t.Second()}
}

// promise reads a promised date or time. A date, or a time at midnight
// (a date written as a time), is the end of that day at the destination,
// as docs/carriers.md has it for carriers' promises.
func promise(value string, dest schemas.Location) (time.Time, error) {
	if d, err := time.Parse("2006-01-02", strings.TrimSpace(value)); err == nil {
		var e schemas.ScanEvent
		w := wallOf(d)
		w.Hour, w.Minute, w.Second = 23, 59, 59
		if err := carrier.SetLocal(&e, w, dest); err != nil {
			return time.Time{}, fmt.Errorf("date %q: %w", value, err)
		}
		return e.EventTime, nil
	}
	var e schemas.ScanEvent
	if err := setTimeAs(&e, value, dest, true); err != nil {
		return time.Time{}, err
	}
	return e.EventTime, nil
}

func place(city, region, postal, country string, lat, lon *float64) (schemas.Location, error) {
	l := schemas.Location{City: strings.TrimSpace(city), Region: strings.ToUpper(strings.TrimSpace(region)),
		PostalCode: strings.TrimSpace(postal), Country: zone.CountryCode(country)}
	if c := l.Country; c != "" && (len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z') {
		return l, fmt.Errorf("country %q is not an ISO 3166 code or a known name", country)
	}
	if (lat == nil) != (lon == nil) {
		return l, errors.New("lat and lon go together")
	}
	if lat != nil {
		if *lat < -90 || *lat > 90 || *lon < -180 || *lon > 180 {
			return l, fmt.Errorf("coordinates %g,%g out of range", *lat, *lon)
		}
		l.Lat, l.Lon, l.HasCoords = *lat, *lon, true
	}
	return l, nil
}

// Writer stores events; chstore.ScanWriter is one.
type Writer interface {
	WriteEvents(ctx context.Context, events []schemas.ScanEvent) error
}

// Report says what an import did.
type Report struct {
	Rows, Loaded, Rejected, Events int
	// Errors are the first MaxErrors rejected rows.
	Errors []RowError
	// Ignored are the file's columns (or JSON keys) that a mapping left
	// unread.
	Ignored []string
}

// MaxErrors is how many row errors a Report keeps.
const MaxErrors = 1000

// Options tune Import.
type Options struct {
	Source    string // the file's name, kept in each event's source
	BatchSize int    // events per write; 10 000 when zero
	Now       func() time.Time
	// Map and Defaults say how to read the file's columns (ReadOptions).
	Map      Mapping
	Defaults Defaults
}

// DefaultBatchSize is how many scan events an import writes at a time
// when Options.BatchSize is not set.
const DefaultBatchSize = 10000

// Import reads shipments from r and writes their events in batches. Bad
// rows are counted and reported, never written; a write error stops the
// import (rows already written stay, and a rerun is harmless: event ids
// are deterministic).
func Import(ctx context.Context, r io.Reader, f Format, w Writer, opts Options) (Report, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	now := opts.Now()
	var rep Report
	var batch []schemas.ScanEvent
	pending := 0 // rows in batch
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := w.WriteEvents(ctx, batch); err != nil {
			return fmt.Errorf("write %d events: %w", len(batch), err)
		}
		rep.Events += len(batch)
		rep.Loaded += pending
		batch, pending = batch[:0], 0
		return nil
	}
	ignored, err := read(r, f, ReadOptions{Map: opts.Map, Defaults: opts.Defaults}, func(line int, s *Shipment, err error) error {
		rep.Rows++
		var events []schemas.ScanEvent
		if err == nil {
			events, err = s.Events(opts.Source, now)
		}
		if err != nil {
			rep.Rejected++
			if len(rep.Errors) < MaxErrors {
				rep.Errors = append(rep.Errors, RowError{Line: line, Err: err})
			}
			return nil
		}
		batch = append(batch, events...)
		pending++
		if len(batch) >= opts.BatchSize {
			return flush()
		}
		return ctx.Err()
	})
	rep.Ignored = ignored
	if err == nil {
		err = flush()
	}
	return rep, err
}
