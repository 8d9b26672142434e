// Package generic reads parcelcast's own feed format, for regional
// carriers, 3PLs and backfills: one JSON object per scan (or an array of
// them) with the canonical field names and RFC 3339 times with their
// offset, or the same fields as CSV with a header row. The JSON Schema is
// schemas/generic-scan.schema.json; docs/carriers.md has examples.
package generic

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

// Name is the feed name used in topic names and adapter lookups.
const Name = "generic"

// Format is the generic feed: generic-feed JSON or CSV, for any carrier.
var Format = carrier.Format{Name: Name, Parse: Parse, Encode: Encode}

// Place is a location in the generic feed.
type Place struct {
	City       string   `json:"city,omitempty"`
	Region     string   `json:"region,omitempty"`
	PostalCode string   `json:"postal_code,omitempty"`
	Country    string   `json:"country,omitempty"`
	Lat        *float64 `json:"lat,omitempty"`
	Lon        *float64 `json:"lon,omitempty"`
}

// Scan is one scan in the generic feed. EventTime is RFC 3339 with the
// local offset of the scan location ("2026-03-04T09:12:00-06:00").
type Scan struct {
	TrackingNumber   string `json:"tracking_number"`
	Carrier          string `json:"carrier"`
	Service          string `json:"service,omitempty"`
	Status           string `json:"status"`
	StatusDetail     string `json:"status_detail,omitempty"`
	CarrierCode      string `json:"carrier_code,omitempty"`
	Description      string `json:"description,omitempty"`
	EventTime        string `json:"event_time"`
	Location         Place  `json:"location"`
	Origin           Place  `json:"origin"`
	Destination      Place  `json:"destination"`
	Mode             string `json:"mode,omitempty"`
	PromisedDelivery string `json:"promised_delivery,omitempty"`
	// OrderRef and CustomerRef are the merchant's order and customer
	// references (schemas.CheckReference).
	OrderRef    string `json:"order_ref,omitempty"`
	CustomerRef string `json:"customer_ref,omitempty"`
}

// needed are the fields a scan of the generic feed must have (the
// schema's required ones): a value of another JSON type anywhere else is
// read leniently or left out.
var needed = carrier.NeedJSON("tracking_number", "carrier", "status", "event_time")

// Parse decodes one generic-feed record, JSON or CSV, into canonical
// events. A record holding several scans yields its valid scans and an
// error naming the invalid ones, so a caller can keep the good and
// dead-letter the rest.
func Parse(b []byte) ([]schemas.ScanEvent, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, errors.New("generic: empty record")
	}
	if b[0] != '{' && b[0] != '[' {
		return ParseCSV(b)
	}
	var scans []Scan
	if b[0] == '[' {
		if err := needed.Unmarshal(b, &scans); err != nil {
			return nil, fmt.Errorf("generic: decode array: %w", err)
		}
	} else {
		var s Scan
		if err := needed.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("generic: decode: %w", err)
		}
		scans = []Scan{s}
	}
	var res carrier.Results
	for i := range scans {
		e, err := scans[i].event()
		res.Add(e, err, carrier.Where{Kind: "scan", Index: i})
	}
	return res.Done(Name)
}

// Event converts a generic scan to a validated canonical event with its
// event id set.
func (s *Scan) Event() (schemas.ScanEvent, error) {
	e, err := s.event()
	if err == nil {
		err = carrier.Finish(&e)
	}
	return e, err
}

// event converts the fields; validation and the id are left to the caller.
func (s *Scan) event() (schemas.ScanEvent, error) {
	t, err := time.Parse(time.RFC3339, s.EventTime)
	if err != nil {
		return schemas.ScanEvent{}, fmt.Errorf("event_time: %w", err)
	}
	_, off := t.Zone()
	e := schemas.ScanEvent{
		TrackingNumber:   schemas.NormalizeTrackingNumber(s.TrackingNumber),
		Carrier:          strings.ToLower(strings.TrimSpace(s.Carrier)),
		Service:          strings.ToLower(strings.TrimSpace(s.Service)),
		Status:           schemas.Status(strings.ToLower(strings.TrimSpace(s.Status))),
		StatusDetail:     s.StatusDetail,
		CarrierCode:      s.CarrierCode,
		Description:      s.Description,
		EventTime:        t.UTC(),
		UTCOffsetMinutes: off / 60,
		Mode:             s.Mode,
		OrderRef:         strings.TrimSpace(s.OrderRef),
		CustomerRef:      strings.TrimSpace(s.CustomerRef),
	}
	if e.Status == "" {
		return e, errors.New("missing status")
	}
	if e.Location, err = s.Location.canonical(); err != nil {
		return e, fmt.Errorf("location.%w", err)
	}
	if e.Origin, err = s.Origin.canonical(); err != nil {
		return e, fmt.Errorf("origin.%w", err)
	}
	if e.Destination, err = s.Destination.canonical(); err != nil {
		return e, fmt.Errorf("destination.%w", err)
	}
	if s.PromisedDelivery != "" {
		p, err := time.Parse(time.RFC3339, s.PromisedDelivery)
		if err != nil {
			return e, fmt.Errorf("promised_delivery: %w", err)
		}
		p = p.UTC()
		e.PromisedDelivery = &p
	}
	return e, nil
}

// canonical is the place as a canonical location. Coordinates come as a
// pair within ±90 latitude and ±180 longitude; anything else is an error
// of the field ("lat: 91.5 out of range"), not a location without them.
func (p *Place) canonical() (schemas.Location, error) {
	l := schemas.Location{
		City:       p.City,
		Region:     strings.ToUpper(p.Region),
		PostalCode: p.PostalCode,
		Country:    strings.ToUpper(p.Country),
	}
	switch {
	case p.Lat == nil && p.Lon == nil:
		return l, nil
	case p.Lat == nil:
		return l, errors.New("lon: given without lat")
	case p.Lon == nil:
		return l, errors.New("lat: given without lon")
	}
	if err := schemas.CheckCoords(*p.Lat, *p.Lon); err != nil {
		return l, err
	}
	l.Lat, l.Lon, l.HasCoords = *p.Lat, *p.Lon, true
	return l, nil
}

// FromEvent encodes a canonical event as a generic scan, in the local time
// of its offset. The simulator and backfill exporters use it.
func FromEvent(e *schemas.ScanEvent) Scan {
	loc := carrier.FixedZone(e.UTCOffsetMinutes)
	s := Scan{
		TrackingNumber: e.TrackingNumber,
		Carrier:        e.Carrier,
		Service:        e.Service,
		Status:         string(e.Status),
		StatusDetail:   e.StatusDetail,
		CarrierCode:    e.CarrierCode,
		Description:    e.Description,
		EventTime:      e.EventTime.In(loc).Format(time.RFC3339),
		Location:       place(e.Location),
		Origin:         place(e.Origin),
		Destination:    place(e.Destination),
		Mode:           e.Mode,
		OrderRef:       e.OrderRef,
		CustomerRef:    e.CustomerRef,
	}
	if e.PromisedDelivery != nil {
		s.PromisedDelivery = e.PromisedDelivery.UTC().Format(time.RFC3339)
	}
	return s
}

func place(l schemas.Location) Place {
	p := Place{City: l.City, Region: l.Region, PostalCode: l.PostalCode, Country: l.Country}
	if l.HasCoords {
		lat, lon := l.Lat, l.Lon
		p.Lat, p.Lon = &lat, &lon
	}
	return p
}

// Encode writes events as one generic-feed record: an object for one
// event, an array for several.
func Encode(events []schemas.ScanEvent) ([]byte, error) {
	if len(events) == 1 {
		return json.Marshal(FromEvent(&events[0]))
	}
	scans := make([]Scan, len(events))
	for i := range events {
		scans[i] = FromEvent(&events[i])
	}
	return json.Marshal(scans)
}
