// Package ups reads the UPS Track API v1 response
// (GET /api/track/v1/details/{inquiryNumber}): trackResponse.shipment[]
// .package[].activity[], newest activity first.
//
// Activity times are the local time of the scan location with no offset
// ("date" YYYYMMDD, "time" HHMMSS). Newer responses add gmtDate, gmtTime
// (HHMMSS, sometimes without its leading zero) and gmtOffset ("-05:00"):
// when present they give the exact instant and offset; otherwise the offset
// is inferred from the scan location's time zone, or the shipment origin's
// for scans with an empty location ("Shipper created a label").
package ups

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

// Name is the feed and carrier name.
const Name = "ups"

// Format is the ups feed: the UPS Track API.
var Format = carrier.Format{Name: Name, Parse: Parse, Encode: Encode, AppendOne: AppendOne, Carriers: []string{"ups"}}

// Response is the body of a Track API reply.
type Response struct {
	TrackResponse *TrackResponse `json:"trackResponse"`
	// Response carries the errors of a reply without tracking data: HTTP
	// 404 "Tracking number information not found", and the 400, 401, 403,
	// 429, 500 and 503 replies.
	Response *struct {
		Errors []Warning `json:"errors"`
	} `json:"response,omitempty"`
}

// TrackResponse holds the shipments of one inquiry.
type TrackResponse struct {
	Shipment []Shipment `json:"shipment"`
}

// Shipment is one shipment; warnings carry "not found" replies.
type Shipment struct {
	InquiryNumber string    `json:"inquiryNumber,omitempty"`
	Package       []Package `json:"package"`
	Warnings      []Warning `json:"warnings,omitempty"`
}

// Warning is a per-shipment message such as TW0001 "Tracking Information Not Found".
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Package is one parcel and its activity.
type Package struct {
	TrackingNumber string           `json:"trackingNumber"`
	Service        *Service         `json:"service,omitempty"`
	CurrentStatus  *Status          `json:"currentStatus,omitempty"`
	DeliveryDate   []DeliveryDate   `json:"deliveryDate,omitempty"`
	DeliveryTime   *DeliveryTime    `json:"deliveryTime,omitempty"`
	PackageAddress []PackageAddress `json:"packageAddress,omitempty"`
	Activity       []Activity       `json:"activity"`
}

// Service is the UPS service of a package.
type Service struct {
	Code        string `json:"code,omitempty"`
	LevelCode   string `json:"levelCode,omitempty"`
	Description string `json:"description,omitempty"`
}

// DeliveryDate types: SDD scheduled, RDD rescheduled, DEL delivered.
type DeliveryDate struct {
	Type string `json:"type"`
	Date string `json:"date"`
}

// DeliveryTime types: EOD end of day, CMT commit time, EDW/CDW/IDW windows, DEL delivered.
type DeliveryTime struct {
	Type      string `json:"type"`
	StartTime string `json:"startTime,omitempty"`
	EndTime   string `json:"endTime,omitempty"`
}

// PackageAddress is an ORIGIN or DESTINATION address.
type PackageAddress struct {
	Type    string  `json:"type"`
	Address Address `json:"address"`
}

// Address is a UPS address.
type Address struct {
	City          string `json:"city,omitempty"`
	StateProvince string `json:"stateProvince,omitempty"`
	PostalCode    string `json:"postalCode,omitempty"`
	Country       string `json:"country,omitempty"`
	CountryCode   string `json:"countryCode,omitempty"`
}

// Location is where an activity happened.
type Location struct {
	Address Address `json:"address"`
	SLIC    string  `json:"slic,omitempty"`
}

// Status is an activity's status: Type is the one-letter class, Code the
// two-letter activity code, StatusCode the three-digit package status.
type Status struct {
	Type        string `json:"type"`
	Description string `json:"description"`
	Code        string `json:"code"`
	StatusCode  string `json:"statusCode,omitempty"`
}

// Activity is one scan.
type Activity struct {
	Location  Location `json:"location"`
	Status    Status   `json:"status"`
	Date      string   `json:"date"`
	Time      string   `json:"time"`
	GMTDate   string   `json:"gmtDate,omitempty"`
	GMTTime   string   `json:"gmtTime,omitempty"`
	GMTOffset string   `json:"gmtOffset,omitempty"`
}

// needed are the fields without which a package has no event: a value of
// another JSON type anywhere else is read leniently or left out.
var needed = carrier.NeedJSON(
	"trackResponse.shipment.package.trackingNumber",
	"trackResponse.shipment.package.activity.date",
	"trackResponse.shipment.package.activity.time",
)

// Parse decodes one Track API response into canonical events. Shipments
// answered with a warning and no package, and error replies whose codes
// mean "not found", yield no events and no error; an error reply with any
// other code (credentials, quota, UPS's own failure) is a
// *carrier.ReplyError.
func Parse(b []byte) ([]schemas.ScanEvent, error) {
	var r Response
	if err := needed.Unmarshal(bytes.TrimSpace(b), &r); err != nil {
		return nil, fmt.Errorf("ups: decode: %w", err)
	}
	if r.TrackResponse == nil {
		if r.Response != nil && len(r.Response.Errors) > 0 {
			// Not found: no scans, nothing malformed; any other code is
			// the carrier refusing the request.
			return nil, errorReply(r.Response.Errors)
		}
		return nil, errors.New("ups: no trackResponse object")
	}
	var res carrier.Results
	for si := range r.TrackResponse.Shipment {
		s := &r.TrackResponse.Shipment[si]
		for pi := range s.Package {
			p := &s.Package[pi]
			shipment := carrier.Where{Kind: "shipment", Index: si}
			parsePackage(&res, p, number(s, pi), shipment.At("package", pi))
		}
	}
	return res.Done(Name)
}

func parsePackage(res *carrier.Results, p *Package, number string, what carrier.Where) {
	if number == "" {
		if strings.TrimSpace(p.TrackingNumber) == "" {
			res.Fail(fmt.Errorf("%s: no trackingNumber, and no inquiryNumber stands in for it", what))
		} else {
			res.Fail(fmt.Errorf("%s: trackingNumber %q is not a tracking number, and no inquiryNumber stands in for it", what, p.TrackingNumber))
		}
		return
	}
	base := schemas.ScanEvent{TrackingNumber: number, Carrier: Name}
	if p.Service != nil {
		base.Service, base.Mode = carrier.ServiceFromText(p.Service.Description)
	}
	for _, a := range p.PackageAddress {
		switch strings.ToUpper(a.Type) {
		case "ORIGIN":
			base.Origin = a.Address.location()
		case "DESTINATION":
			base.Destination = a.Address.location()
		}
	}
	base.PromisedDelivery = promised(p, base.Destination)
	for i := range p.Activity {
		a := &p.Activity[i]
		e := base
		m := mapStatus(a.Status)
		e.Status, e.StatusDetail = m.Status, m.Detail
		e.CarrierCode = a.Status.Code
		if e.CarrierCode == "" {
			e.CarrierCode = a.Status.Type
		}
		e.Description = a.Status.Description
		e.Location = a.Location.Address.location()
		err := setTime(&e, a, p, i)
		res.Add(e, err, what.At("activity", i))
	}
}

func (a Address) location() schemas.Location {
	c := a.CountryCode
	if c == "" {
		c = a.Country
	}
	return schemas.Location{
		City:       strings.TrimSpace(a.City),
		Region:     strings.ToUpper(strings.TrimSpace(a.StateProvince)),
		PostalCode: strings.TrimSpace(a.PostalCode),
		Country:    strings.ToUpper(strings.TrimSpace(c)),
	}
}

// setTime reads the time of activity i of p. A local time is read at the
// activity's place; a place with no zone of its own (the label scan's
// address is often only a country) takes the zone of the shipper's
// address before pickup, of the package's other activities otherwise,
// and is flagged approximate: a scan never fails for its place.
func setTime(e *schemas.ScanEvent, a *Activity, p *Package, i int) error {
	if a.GMTDate != "" && a.GMTTime != "" && a.GMTOffset != "" {
		clock := strings.ReplaceAll(a.GMTTime, ":", "")
		if len(clock) == 5 || len(clock) == 3 {
			clock = "0" + clock // "74700" is 07:47:00
		}
		w, err := carrier.DateTimeDigits(a.GMTDate, clock)
		if err != nil {
			return fmt.Errorf("gmt date/time: %w", err)
		}
		off, err := carrier.ParseOffset(a.GMTOffset)
		if err != nil {
			return err
		}
		if err := carrier.SetOffset(e, w, 0); err != nil {
			return err
		}
		e.UTCOffsetMinutes = off
		return nil
	}
	w, err := carrier.DateTimeDigits(a.Date, a.Time)
	if err != nil {
		return err
	}
	places := carrier.Places{Own: e.Location, I: i, N: len(p.Activity), Origin: e.Origin, Destination: e.Destination}
	if beforePickup(e.Status) {
		places.First = e.Origin
	}
	return carrier.SetLocalNear(e, w, places, func(j int) schemas.Location { return p.Activity[j].Location.Address.location() })
}

// beforePickup reports whether a scan of status s is made at the shipper's
// before UPS has the package: the label, or its voiding.
func beforePickup(s schemas.Status) bool {
	return s == schemas.StatusInfoReceived || s == schemas.StatusCancelled
}

// promised is the scheduled delivery date (SDD) with the end of the
// delivery time window or commit time, at the destination; end of day when
// no time is given.
func promised(p *Package, dest schemas.Location) *time.Time {
	for _, d := range p.DeliveryDate {
		if d.Type != "SDD" {
			continue
		}
		clock := "235959"
		if t := p.DeliveryTime; t != nil && t.EndTime != "" && t.Type != "DEL" {
			clock = t.EndTime
		}
		w, err := carrier.DateTimeDigits(d.Date, clock)
		if err != nil {
			return nil
		}
		t, _, err := carrier.LocalTime(w, dest)
		if err != nil {
			return nil
		}
		return &t
	}
	return nil
}
