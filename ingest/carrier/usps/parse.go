// Package usps reads USPS tracking data in its two shapes: the Tracking
// API v3 JSON (GET /tracking/v3/tracking/{trackingNumber}?expand=DETAIL)
// and the legacy Web Tools TrackV2 XML TrackResponse, which many feeds
// still carry. Parse tells them apart by the first character.
//
// Time: v3 events carry GMTTimestamp (the exact instant, UTC) and
// GMTOffset; eventTimestamp is local time without an offset, to the minute.
// Web Tools gives EventDate ("May 21, 2026") and EventTime ("9:24 pm") in
// local time, and with revision 1 GMTDate, GMTTime and GMTOffset. The GMT
// fields win; without them the local time is resolved at the event's
// ZIP/state and the offset marked inferred.
package usps

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
	"github.com/parcelcast/parcelcast/schemas"
)

// Name is the feed and carrier name.
const Name = "usps"

// Format is the usps feed: USPS Tracking v3 JSON and Web Tools XML.
var Format = carrier.Format{Name: Name, Parse: Parse, Encode: Encode, AppendOne: AppendOne, Carriers: []string{"usps"}}

// Tracking is a Tracking API v3 response.
type Tracking struct {
	TrackingNumber              string  `json:"trackingNumber"`
	MailClass                   string  `json:"mailClass,omitempty"`
	Status                      string  `json:"status,omitempty"`
	StatusCategory              string  `json:"statusCategory,omitempty"`
	StatusSummary               string  `json:"statusSummary,omitempty"`
	OriginCity                  string  `json:"originCity,omitempty"`
	OriginState                 string  `json:"originState,omitempty"`
	OriginZIP                   string  `json:"originZIP,omitempty"`
	OriginCountry               string  `json:"originCountry,omitempty"`
	DestinationCity             string  `json:"destinationCity,omitempty"`
	DestinationState            string  `json:"destinationState,omitempty"`
	DestinationZIP              string  `json:"destinationZIP,omitempty"`
	DestinationCountryCode      string  `json:"destinationCountryCode,omitempty"`
	ExpectedDeliveryTimeStamp   string  `json:"expectedDeliveryTimeStamp,omitempty"`
	GuaranteedDeliveryTimeStamp string  `json:"guaranteedDeliveryTimeStamp,omitempty"`
	TrackingEvents              []Event `json:"trackingEvents"`
	// Error is set on a reply without tracking data: not found, or the
	// carrier refusing the request.
	Error *APIError `json:"error,omitempty"`
}

// APIError is the error body of the v3 API: Code is the HTTP status,
// Errors the details, each with a finer code where USPS sends one.
type APIError struct {
	Code    string           `json:"code"`
	Message string           `json:"message"`
	Errors  []APIErrorDetail `json:"errors,omitempty"`
}

// APIErrorDetail is one detail of a v3 error body.
type APIErrorDetail struct {
	Code  string `json:"code,omitempty"`
	Title string `json:"title,omitempty"`
}

// Event is one v3 tracking event.
type Event struct {
	EventType      string `json:"eventType"`
	EventTimestamp string `json:"eventTimestamp"`
	GMTTimestamp   string `json:"GMTTimestamp,omitempty"`
	GMTOffset      string `json:"GMTOffset,omitempty"`
	EventCountry   string `json:"eventCountry,omitempty"`
	EventCity      string `json:"eventCity,omitempty"`
	EventState     string `json:"eventState,omitempty"`
	EventZIP       string `json:"eventZIP,omitempty"`
	EventZIPCode   string `json:"eventZIPCode,omitempty"` // older spelling
	Firm           string `json:"firm,omitempty"`
	Name           string `json:"name,omitempty"`
	EventCode      string `json:"eventCode"`
}

// TrackResponse is a Web Tools TrackV2 / TrackFieldRequest response. A
// request Web Tools rejects as a whole gets an <Error> root instead, read
// into the same value.
type TrackResponse struct {
	XMLName   xml.Name    // TrackResponse, or Error
	TrackInfo []TrackInfo `xml:"TrackInfo"`
	XMLError
}

// TrackInfo is one tracking number: the latest event in TrackSummary, the
// earlier ones in TrackDetail, newest first.
type TrackInfo struct {
	ID               string        `xml:"ID,attr"`
	Class            string        `xml:"Class"`
	Service          string        `xml:"Service"`
	OriginCity       string        `xml:"OriginCity"`
	OriginState      string        `xml:"OriginState"`
	OriginZip        string        `xml:"OriginZip"`
	DestinationCity  string        `xml:"DestinationCity"`
	DestinationState string        `xml:"DestinationState"`
	DestinationZip   string        `xml:"DestinationZip"`
	StatusCategory   string        `xml:"StatusCategory"`
	TrackSummary     *TrackDetail  `xml:"TrackSummary"`
	TrackDetail      []TrackDetail `xml:"TrackDetail"`
	Error            *XMLError     `xml:"Error"`
}

// XMLError is a Web Tools error.
type XMLError struct {
	Number      string `xml:"Number"`
	Description string `xml:"Description"`
}

// TrackDetail is one Web Tools event.
type TrackDetail struct {
	EventTime    string `xml:"EventTime"`
	EventDate    string `xml:"EventDate"`
	Event        string `xml:"Event"`
	EventCity    string `xml:"EventCity"`
	EventState   string `xml:"EventState"`
	EventZIPCode string `xml:"EventZIPCode"`
	EventCountry string `xml:"EventCountry"`
	FirmName     string `xml:"FirmName"`
	Name         string `xml:"Name"`
	EventCode    string `xml:"EventCode"`
	GMTDate      string `xml:"GMTDate"`
	GMTTime      string `xml:"GMTTime"`
	GMTOffset    string `xml:"GMTOffset"`
}

// Parse reads either format.
func Parse(b []byte) ([]schemas.ScanEvent, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '<' {
		return ParseXML(b)
	}
	return ParseJSON(b)
}

// needed are the v3 fields without which a tracking has no event: a value
// of another JSON type anywhere else is read leniently or left out.
var needed = carrier.NeedJSON("trackingNumber", "trackingEvents.eventTimestamp")

// ParseJSON reads a Tracking API v3 response, or an array of them.
func ParseJSON(b []byte) ([]schemas.ScanEvent, error) {
	b = bytes.TrimSpace(b)
	var list []Tracking
	var err error
	if len(b) > 0 && b[0] == '[' {
		err = needed.Unmarshal(b, &list)
	} else {
		list = make([]Tracking, 1)
		err = needed.Unmarshal(b, &list[0])
	}
	if err != nil {
		return nil, fmt.Errorf("usps: decode: %w", err)
	}
	var res carrier.Results
	for i := range list {
		t := &list[i]
		what := carrier.Where{Kind: "tracking", Index: i}
		if t.Error != nil {
			// A reply without tracking data: "not found" keeps nothing and
			// is no error; any other code is the carrier refusing.
			if re := t.Error.reply(); re != nil {
				res.Fail(fmt.Errorf("%s: %w", what, re))
			}
			continue
		}
		if strings.TrimSpace(t.TrackingNumber) == "" {
			res.Fail(fmt.Errorf("%s: no trackingNumber", what))
			continue
		}
		base := schemas.ScanEvent{
			TrackingNumber: t.TrackingNumber,
			Carrier:        Name,
			Origin:         schemas.Location{City: t.OriginCity, Region: strings.ToUpper(t.OriginState), PostalCode: t.OriginZIP, Country: country(t.OriginCountry)},
			Destination:    schemas.Location{City: t.DestinationCity, Region: strings.ToUpper(t.DestinationState), PostalCode: t.DestinationZIP, Country: country(t.DestinationCountryCode)},
		}
		base.Service, base.Mode = carrier.ServiceFromText(t.MailClass)
		// A guarantee (Priority Mail Express) is the promise; otherwise the
		// expected delivery date of the service standard is.
		base.PromisedDelivery = promised(t.GuaranteedDeliveryTimeStamp, base.Destination)
		if base.PromisedDelivery == nil {
			base.PromisedDelivery = promised(t.ExpectedDeliveryTimeStamp, base.Destination)
		}
		for j := range t.TrackingEvents {
			ev := &t.TrackingEvents[j]
			e := base
			m := mapEvent(ev.EventCode, ev.EventType)
			e.Status, e.StatusDetail = m.Status, m.Detail
			e.CarrierCode, e.Description = ev.EventCode, ev.EventType
			e.Location = ev.place()
			places := carrier.Places{Own: e.Location, First: statedPlace(e.Location), I: j, N: len(t.TrackingEvents),
				Origin: e.Origin, Destination: e.Destination}
			res.Add(e, jsonTime(&e, ev, places, t.TrackingEvents), what.At("event", j))
		}
	}
	return res.Done(Name)
}

// country turns USPS's country (often empty for domestic scans, sometimes
// a name) into an ISO code where it can.
func country(c string) string {
	if strings.TrimSpace(c) == "" {
		return "US"
	}
	return zone.CountryCode(c)
}

// jsonTime reads the time of v3 event ev, one of events: GMTTimestamp,
// or the local eventTimestamp at places.
func jsonTime(e *schemas.ScanEvent, ev *Event, places carrier.Places, events []Event) error {
	scan := func(k int) schemas.Location { return zonePlace(events[k].place()) }
	if ev.GMTTimestamp != "" {
		t, err := time.Parse(time.RFC3339, ev.GMTTimestamp)
		if err != nil {
			return fmt.Errorf("GMTTimestamp %q: %w", ev.GMTTimestamp, err)
		}
		if ev.GMTOffset != "" {
			off, err := carrier.ParseOffset(ev.GMTOffset)
			if err != nil {
				return err
			}
			e.EventTime, e.UTCOffsetMinutes, e.OffsetInferred = t.UTC(), off, false
			return nil
		}
		// An instant without the local offset: take the offset from the
		// zone, found as for a local time.
		e.EventTime = t.UTC()
		if z, approx, err := carrier.ZoneNear(places, scan); err == nil {
			if loc, err := z.Load(); err == nil {
				_, off := t.In(loc).Zone()
				e.UTCOffsetMinutes, e.OffsetInferred, e.OffsetApproximate = off/60, true, approx
			}
		}
		return nil
	}
	w, err := isoWall(ev.EventTimestamp)
	if err != nil {
		return fmt.Errorf("eventTimestamp: %w", err)
	}
	return carrier.SetLocalNear(e, w, places, scan)
}

// isoWall reads "2006-01-02T15:04:05" or "2006-01-02T15:04" (no offset).
func isoWall(s string) (zone.Wall, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return zone.Wall{Year: t.Year(), Month: int(t.Month()), Day: t.Day(), Hour: t.Hour(), Minute: t.Minute(), Second: t.Second()}, nil
		}
	}
	return zone.Wall{}, fmt.Errorf("%q: want YYYY-MM-DDThh:mm[:ss]", s)
}

func promised(s string, dest schemas.Location) *time.Time {
	if s == "" {
		return nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		t = t.UTC()
		return &t
	}
	w, err := isoWall(s)
	if err != nil {
		return nil
	}
	t, _, err := carrier.LocalTime(w, dest)
	if err != nil {
		return nil
	}
	return &t
}

// ParseXML reads a Web Tools TrackResponse.
func ParseXML(b []byte) ([]schemas.ScanEvent, error) {
	r, err := decodeXML(b)
	if err != nil {
		return nil, fmt.Errorf("usps: decode xml: %w", err)
	}
	switch r.XMLName.Local {
	case "TrackResponse":
	case "Error":
		if re := webToolsCodes.Reply(Name, r.Number, r.Description); re != nil {
			return nil, fmt.Errorf("%s: %w", Name, re)
		}
		return nil, nil
	default:
		return nil, fmt.Errorf("usps: root element <%s>, want <TrackResponse>", r.XMLName.Local)
	}
	var res carrier.Results
	for i := range r.TrackInfo {
		ti := &r.TrackInfo[i]
		what := carrier.Where{Kind: "TrackInfo", Index: i}
		if ti.Error != nil {
			continue // "could not locate the tracking information": no scans
		}
		if strings.TrimSpace(ti.ID) == "" {
			res.Fail(fmt.Errorf("%s: no ID", what))
			continue
		}
		base := schemas.ScanEvent{
			TrackingNumber: ti.ID,
			Carrier:        Name,
			Origin:         schemas.Location{City: ti.OriginCity, Region: strings.ToUpper(ti.OriginState), PostalCode: ti.OriginZip, Country: "US"},
			Destination:    schemas.Location{City: ti.DestinationCity, Region: strings.ToUpper(ti.DestinationState), PostalCode: ti.DestinationZip, Country: "US"},
		}
		base.Service, base.Mode = carrier.ServiceFromText(ti.Class)
		details := ti.TrackDetail
		if ti.TrackSummary != nil {
			details = append([]TrackDetail{*ti.TrackSummary}, details...)
		}
		for j := range details {
			d := &details[j]
			e := base
			m := mapEvent(d.EventCode, d.Event)
			e.Status, e.StatusDetail = m.Status, m.Detail
			e.CarrierCode, e.Description = d.EventCode, d.Event
			e.Location = xmlPlace(d)
			places := carrier.Places{Own: e.Location, First: statedPlace(e.Location), I: j, N: len(details),
				Origin: e.Origin, Destination: e.Destination}
			res.Add(e, xmlTime(&e, d, places, details), what.At("event", j))
		}
	}
	return res.Done(Name)
}

// xmlTime reads the time of Web Tools event d, one of details: the GMT
// fields, or the local time at places.
func xmlTime(e *schemas.ScanEvent, d *TrackDetail, places carrier.Places, details []TrackDetail) error {
	if d.GMTDate != "" && d.GMTTime != "" && d.GMTOffset != "" {
		date := strings.ReplaceAll(d.GMTDate, "-", "")
		clock := strings.ReplaceAll(d.GMTTime, ":", "")
		w, err := carrier.DateTimeDigits(date, clock)
		if err != nil {
			return fmt.Errorf("GMT date/time: %w", err)
		}
		off, err := carrier.ParseOffset(d.GMTOffset)
		if err != nil {
			return err
		}
		if err := carrier.SetOffset(e, w, 0); err != nil {
			return err
		}
		e.UTCOffsetMinutes = off
		return nil
	}
	if d.EventDate == "" {
		return errors.New("no EventDate")
	}
	day, err := time.Parse("January 2, 2006", strings.TrimSpace(d.EventDate))
	if err != nil {
		return fmt.Errorf("EventDate %q: want \"January 2, 2006\"", d.EventDate)
	}
	w := zone.Wall{Year: day.Year(), Month: int(day.Month()), Day: day.Day()}
	if c := strings.TrimSpace(d.EventTime); c != "" {
		clock, err := time.Parse("3:04 pm", strings.ToLower(c))
		if err != nil {
			return fmt.Errorf("EventTime %q: want \"3:04 pm\"", d.EventTime)
		}
		w.Hour, w.Minute = clock.Hour(), clock.Minute()
	}
	return carrier.SetLocalNear(e, w, places, func(k int) schemas.Location { return zonePlace(xmlPlace(&details[k])) })
}
