// Package dhl reads the DHL Shipment Tracking – Unified API response
// (GET /track/shipments?trackingNumber=…): shipments[].events[], newest
// first, for every DHL business (express, parcel-de, ecommerce, freight, …).
//
// Event timestamps come both with an offset (or "Z") and without one. A
// timestamp without an offset is local time at the event location, which
// is often only a locality and a country: the zone is taken from the
// country, and where that place has no zone of its own (a locality
// alone, a country of several zones) from the shipment's other places,
// nearest event first; the offset is marked inferred, and approximate
// when the zone may not be the event's own. A 404 problem body (RFC 7807)
// is a valid "no shipment found" reply, not a malformed record; any other
// problem body (401, 429, 500, …) is a *carrier.ReplyError.
package dhl

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
	"github.com/parcelcast/parcelcast/schemas"
)

// Name is the feed and carrier name.
const Name = "dhl"

// Format is the dhl feed: the DHL Shipment Tracking Unified API.
var Format = carrier.Format{Name: Name, Parse: Parse, Encode: Encode, AppendOne: AppendOne, Carriers: []string{"dhl"}}

// Response is a tracking reply, or a problem body (title, status, detail).
type Response struct {
	Shipments []Shipment `json:"shipments"`
	// Problem fields, set when the API answered with an error.
	Title  string `json:"title,omitempty"`
	Status int    `json:"status,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Shipment is one tracked shipment.
type Shipment struct {
	ID                      string   `json:"id"`
	Service                 string   `json:"service,omitempty"` // express, parcel-de, ecommerce, freight, …
	Origin                  *Place   `json:"origin,omitempty"`
	Destination             *Place   `json:"destination,omitempty"`
	Status                  *Event   `json:"status,omitempty"`
	EstimatedTimeOfDelivery string   `json:"estimatedTimeOfDelivery,omitempty"`
	Details                 *Details `json:"details,omitempty"`
	Events                  []Event  `json:"events"`
}

// Details holds the product among other shipment details.
type Details struct {
	Product *struct {
		ProductName string `json:"productName,omitempty"`
	} `json:"product,omitempty"`
	TotalNumberOfPieces int `json:"totalNumberOfPieces,omitempty"`
}

// Place is an origin, destination or event location.
type Place struct {
	Address Address `json:"address"`
}

// Address is a DHL address: usually a locality and a country only.
type Address struct {
	AddressLocality string `json:"addressLocality,omitempty"`
	PostalCode      string `json:"postalCode,omitempty"`
	CountryCode     string `json:"countryCode,omitempty"`
	StreetAddress   string `json:"streetAddress,omitempty"`
}

// Event is one tracking event. StatusCode is the coarse class
// (pre-transit, transit, delivered, failure, unknown); Status and
// Description carry the detail in words.
type Event struct {
	Timestamp   string `json:"timestamp"`
	Location    *Place `json:"location,omitempty"`
	StatusCode  string `json:"statusCode"`
	Status      string `json:"status,omitempty"`
	Description string `json:"description,omitempty"`
	Remark      string `json:"remark,omitempty"`
	NextSteps   string `json:"nextSteps,omitempty"`
}

// needed are the fields without which a shipment has no event: a value of
// another JSON type anywhere else is read leniently or left out. DHL's own
// reply examples send the id as a JSON number, read as its digits.
var needed = carrier.NeedJSON("shipments.id", "shipments.events.timestamp")

// Parse decodes one Unified API response into canonical events.
func Parse(b []byte) ([]schemas.ScanEvent, error) {
	var r Response
	if err := needed.Unmarshal(bytes.TrimSpace(b), &r); err != nil {
		return nil, fmt.Errorf("dhl: decode: %w", err)
	}
	if r.Shipments == nil {
		if r.Status != 0 || r.Title != "" {
			// 404, no shipment found, is a valid reply without scans; any
			// other problem is the carrier refusing the request.
			return nil, problem(&r)
		}
		return nil, errors.New("dhl: no shipments array")
	}
	var res carrier.Results
	for i := range r.Shipments {
		parseShipment(&res, &r.Shipments[i], carrier.Where{Kind: "shipment", Index: i})
	}
	return res.Done(Name)
}

func parseShipment(res *carrier.Results, s *Shipment, what carrier.Where) {
	if strings.TrimSpace(s.ID) == "" {
		res.Fail(fmt.Errorf("%s: no id", what))
		return
	}
	base := schemas.ScanEvent{TrackingNumber: s.ID, Carrier: Name}
	if s.Origin != nil {
		base.Origin = s.Origin.Address.location()
	}
	if s.Destination != nil {
		base.Destination = s.Destination.Address.location()
	}
	if s.Details != nil && s.Details.Product != nil {
		base.Service, base.Mode = carrier.ServiceFromText(s.Details.Product.ProductName)
	}
	if base.Service == "" {
		base.Service, base.Mode = serviceOf(s.Service, base.Origin.Country, base.Destination.Country)
	}
	// The estimated time of delivery carries its offset; one without it
	// or unreadable is left out, the scans are still good.
	if t, err := time.Parse(time.RFC3339, s.EstimatedTimeOfDelivery); err == nil {
		t = t.UTC()
		base.PromisedDelivery = &t
	}
	// Origin and destination as their zones are looked for, read once.
	origin, dest := zonePlace(base.Origin), zonePlace(base.Destination)
	for i := range s.Events {
		ev := &s.Events[i]
		e := base
		m := mapEvent(ev)
		e.Status, e.StatusDetail = m.Status, m.Detail
		e.CarrierCode = ev.StatusCode
		e.Description = ev.Description
		if e.Description == "" {
			e.Description = ev.Status
		}
		if ev.Remark != "" {
			e.Description += " (" + ev.Remark + ")"
		}
		e.Location = ev.place()
		places := carrier.Places{Own: e.Location, First: statedPlace(e.Location), I: i, N: len(s.Events), Origin: origin, Destination: dest}
		if places.First.Country == "" && carrier.BeforePickup(e.Status) {
			places.First = origin
		}
		res.Add(e, setTime(&e, ev.Timestamp, places, s.Events), what.At("event", i))
	}
}

// place is where ev happened, the zero Location when DHL names none.
func (ev *Event) place() schemas.Location {
	if ev.Location == nil {
		return schemas.Location{}
	}
	return ev.Location.Address.location()
}

func (a Address) location() schemas.Location {
	return schemas.Location{
		City:       strings.TrimSpace(a.AddressLocality),
		PostalCode: strings.TrimSpace(a.PostalCode),
		Country:    zone.CountryCode(a.CountryCode),
	}
}

// serviceOf maps the DHL business to a service level: Express is
// time-definite air, international when it crosses a border; parcel and
// freight businesses are ground. Any other business is kept as given
// (lower-cased), not taken for ground: its transit standard is unknown.
func serviceOf(business, from, to string) (service, mode string) {
	b := strings.ToLower(strings.TrimSpace(business))
	switch b {
	case "express":
		if from != "" && to != "" && from != to {
			return carrier.ServiceInternational, "air"
		}
		return carrier.ServiceOvernight, "air"
	case "ecommerce", "ecommerce-europe", "ecommerce-apac":
		return carrier.ServiceEconomy, "ground"
	case "":
		return "", ""
	case "freight":
		return carrier.ServiceGround, "ground"
	}
	if strings.HasPrefix(b, "parcel") {
		return carrier.ServiceGround, "ground"
	}
	return b, ""
}

// setTime reads an event's ISO 8601 timestamp, one of events (newest
// first). One without an offset is local time at the event's place; a
// place with no zone of its own (a locality without a country, a country
// of several zones) takes the zone of the country its locality names, of
// the shipper's address before pickup, of the shipment's other places
// otherwise, nearest event first, flagged approximate: an event never
// fails for its place while its shipment names one.
func setTime(e *schemas.ScanEvent, s string, places carrier.Places, events []Event) error {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		carrier.SetInstant(e, t)
		return nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			w := zone.Wall{Year: t.Year(), Month: int(t.Month()), Day: t.Day(), Hour: t.Hour(), Minute: t.Minute(), Second: t.Second()}
			return carrier.SetLocalNear(e, w, places, func(j int) schemas.Location { return zonePlace(events[j].place()) })
		}
	}
	return fmt.Errorf("timestamp %q: want ISO 8601", s)
}
