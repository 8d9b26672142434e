// Package fedex reads the FedEx Track API v1 response
// (POST /track/v1/trackingnumbers): output.completeTrackResults[]
// .trackResults[].scanEvents[].
//
// Scan times are ISO 8601 with the local offset of the scan location
// ("2026-03-04T09:12:00-06:00"), so no zone needs inferring; a time
// without an offset is read as local time at the scan location, or where
// that place has no zone of its own (only a country of several zones, no
// place) at the shipment's nearest other place, flagged approximate. A result
// with error TRACKING.TRACKINGNUMBER.NOTFOUND is a valid reply without
// scans (a label not yet in FedEx's system), not a malformed record. Other
// error codes, of the whole reply or of a result without scans, are
// *carrier.ReplyErrors; a result that carries an error beside its scans
// keeps the scans, and its error is returned as counted (Kept).
package fedex

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
const Name = "fedex"

// Format is the fedex feed: the FedEx Track API.
var Format = carrier.Format{Name: Name, Parse: Parse, Encode: Encode, AppendOne: AppendOne, Carriers: []string{"fedex"}}

// Response is the body of a Track API reply.
type Response struct {
	TransactionID string  `json:"transactionId,omitempty"`
	Output        *Output `json:"output,omitempty"`
	Errors        []Error `json:"errors,omitempty"`
}

// Output holds one result group per tracking number asked.
type Output struct {
	CompleteTrackResults []CompleteTrackResult `json:"completeTrackResults"`
}

// CompleteTrackResult is the answer for one tracking number.
type CompleteTrackResult struct {
	TrackingNumber string        `json:"trackingNumber"`
	TrackResults   []TrackResult `json:"trackResults"`
}

// Error is an API error, of the whole reply or of one TrackResult.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// TrackResult is one package's tracking data.
type TrackResult struct {
	TrackingNumberInfo        *TrackingNumberInfo `json:"trackingNumberInfo,omitempty"`
	LatestStatusDetail        *StatusDetail       `json:"latestStatusDetail,omitempty"`
	ServiceDetail             *ServiceDetail      `json:"serviceDetail,omitempty"`
	ShipperInformation        *Party              `json:"shipperInformation,omitempty"`
	RecipientInformation      *Party              `json:"recipientInformation,omitempty"`
	DateAndTimes              []DateAndTime       `json:"dateAndTimes,omitempty"`
	StandardTransitTimeWindow *TimeWindow         `json:"standardTransitTimeWindow,omitempty"`
	ScanEvents                []ScanEvent         `json:"scanEvents"`
	Error                     *Error              `json:"error,omitempty"`
}

// TrackingNumberInfo identifies the package.
type TrackingNumberInfo struct {
	TrackingNumber         string `json:"trackingNumber"`
	TrackingNumberUniqueID string `json:"trackingNumberUniqueId,omitempty"`
	CarrierCode            string `json:"carrierCode,omitempty"` // FDXE express, FDXG ground, …
}

// StatusDetail is the latest status of a package.
type StatusDetail struct {
	Code        string `json:"code,omitempty"`
	DerivedCode string `json:"derivedCode,omitempty"`
	Description string `json:"description,omitempty"`
}

// ServiceDetail is the FedEx service, e.g. type FEDEX_GROUND.
type ServiceDetail struct {
	Type             string `json:"type,omitempty"`
	Description      string `json:"description,omitempty"`
	ShortDescription string `json:"shortDescription,omitempty"`
}

// Party is the shipper or the recipient.
type Party struct {
	Address Address `json:"address"`
}

// Address is a FedEx address or scan location.
type Address struct {
	StreetLines         []string `json:"streetLines,omitempty"`
	City                string   `json:"city,omitempty"`
	StateOrProvinceCode string   `json:"stateOrProvinceCode,omitempty"`
	PostalCode          string   `json:"postalCode,omitempty"`
	CountryCode         string   `json:"countryCode,omitempty"`
	Residential         bool     `json:"residential,omitempty"`
}

// DateAndTime is a typed instant: SHIP, ACTUAL_PICKUP, COMMITMENT,
// ESTIMATED_DELIVERY, ACTUAL_DELIVERY, …
type DateAndTime struct {
	Type     string `json:"type"`
	DateTime string `json:"dateTime"`
}

// TimeWindow is a begins/ends window.
type TimeWindow struct {
	Window struct {
		Begins string `json:"begins,omitempty"`
		Ends   string `json:"ends,omitempty"`
	} `json:"window"`
}

// DelayDetail qualifies a delay (type WEATHER, LOCAL_DELIVERY_RESTRICTION, …).
type DelayDetail struct {
	Type    string `json:"type,omitempty"`
	SubType string `json:"subType,omitempty"`
	Status  string `json:"status,omitempty"`
}

// ScanEvent is one scan.
type ScanEvent struct {
	Date                 string       `json:"date"`
	EventType            string       `json:"eventType"`
	EventDescription     string       `json:"eventDescription"`
	ExceptionCode        string       `json:"exceptionCode,omitempty"`
	ExceptionDescription string       `json:"exceptionDescription,omitempty"`
	ScanLocation         Address      `json:"scanLocation"`
	LocationID           string       `json:"locationId,omitempty"`
	LocationType         string       `json:"locationType,omitempty"`
	DerivedStatusCode    string       `json:"derivedStatusCode,omitempty"`
	DerivedStatus        string       `json:"derivedStatus,omitempty"`
	DelayDetail          *DelayDetail `json:"delayDetail,omitempty"`
}

// NotFound is the result error code of a number FedEx has no data for.
const NotFound = "TRACKING.TRACKINGNUMBER.NOTFOUND"

// needed are the fields without which a package has no event: a value of
// another JSON type anywhere else is read leniently or left out.
var needed = carrier.NeedJSON(
	"output.completeTrackResults.trackingNumber",
	"output.completeTrackResults.trackResults.trackingNumberInfo.trackingNumber",
	"output.completeTrackResults.trackResults.scanEvents.date",
)

// Parse decodes one Track API response into canonical events.
func Parse(b []byte) ([]schemas.ScanEvent, error) {
	var r Response
	if err := needed.Unmarshal(bytes.TrimSpace(b), &r); err != nil {
		return nil, fmt.Errorf("fedex: decode: %w", err)
	}
	if r.Output == nil {
		if len(r.Errors) > 0 {
			return nil, errorReply(r.Errors)
		}
		return nil, errors.New("fedex: no output object")
	}
	var res carrier.Results
	for ci := range r.Output.CompleteTrackResults {
		c := &r.Output.CompleteTrackResults[ci]
		for ti := range c.TrackResults {
			result := carrier.Where{Kind: "result", Index: ci}
			parseResult(&res, c, &c.TrackResults[ti], result.At(".", ti))
		}
	}
	return res.Done(Name)
}

func parseResult(res *carrier.Results, c *CompleteTrackResult, t *TrackResult, what carrier.Where) {
	if t.Error != nil && t.Error.Code != "" && !resultError(res, t, what) {
		return
	}
	tn, key := c.TrackingNumber, ""
	if info := t.TrackingNumberInfo; info != nil {
		if info.TrackingNumber != "" {
			tn = info.TrackingNumber
		}
		// A reused number's shipments come as results of their own, each
		// with its unique id: two journeys, not one timeline.
		key = strings.TrimSpace(info.TrackingNumberUniqueID)
	}
	if strings.TrimSpace(tn) == "" {
		res.Fail(fmt.Errorf("%s: no tracking number", what))
		return
	}
	base := schemas.ScanEvent{TrackingNumber: tn, ShipmentKey: key, Carrier: Name}
	if s := t.ServiceDetail; s != nil {
		base.Service, base.Mode = carrier.ServiceFromText(s.Description)
		if base.Service == "" {
			base.Service, base.Mode = carrier.ServiceFromText(strings.ReplaceAll(s.Type, "_", " "))
		}
	}
	if t.ShipperInformation != nil {
		base.Origin = t.ShipperInformation.Address.location()
	}
	if t.RecipientInformation != nil {
		base.Destination = t.RecipientInformation.Address.location()
	}
	base.PromisedDelivery = promised(t, base.Destination)
	for i := range t.ScanEvents {
		s := &t.ScanEvents[i]
		e := base
		m := mapEvent(s)
		e.Status, e.StatusDetail = m.Status, m.Detail
		e.CarrierCode = s.EventType
		e.Description = s.EventDescription
		if s.ExceptionDescription != "" {
			e.Description += ": " + s.ExceptionDescription
		}
		e.Location = s.ScanLocation.location()
		places := carrier.Places{Own: e.Location, I: i, N: len(t.ScanEvents), Origin: e.Origin, Destination: e.Destination}
		if carrier.BeforePickup(e.Status) {
			places.First = e.Origin
		}
		res.Add(e, setTime(&e, s.Date, places, t.ScanEvents), what.At("scan", i))
	}
}

func (a Address) location() schemas.Location {
	return schemas.Location{
		City:       strings.TrimSpace(a.City),
		Region:     strings.ToUpper(strings.TrimSpace(a.StateOrProvinceCode)),
		PostalCode: strings.TrimSpace(a.PostalCode),
		Country:    strings.ToUpper(strings.TrimSpace(a.CountryCode)),
	}
}

// setTime reads the date of a scan, one of scans (newest first): ISO 8601
// with its offset, or without one as local time at the scan's place. A
// place with no zone of its own (only a country of several zones, no
// place at all) takes the zone of the shipper's address before pickup,
// of the nearest other scan otherwise, flagged approximate: a scan never
// fails for its place.
func setTime(e *schemas.ScanEvent, s string, places carrier.Places, scans []ScanEvent) error {
	t, w, exact, err := readDate(s)
	switch {
	case err != nil:
		return err
	case exact:
		carrier.SetInstant(e, t)
		return nil
	}
	return carrier.SetLocalNear(e, w, places, func(j int) schemas.Location { return scans[j].ScanLocation.location() })
}

// readDate reads an ISO 8601 date-time: the instant when it carries an
// offset (exact), else the wall-clock reading.
func readDate(s string) (t time.Time, w zone.Wall, exact bool, err error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, w, true, nil
	}
	t, err = time.Parse("2006-01-02T15:04:05", s)
	if err != nil {
		return t, w, false, fmt.Errorf("date %q: want ISO 8601 date-time", s)
	}
	w = zone.Wall{Year: t.Year(), Month: int(t.Month()), Day: t.Day(), Hour: t.Hour(), Minute: t.Minute(), Second: t.Second()}
	return t, w, false, nil
}

// promised is the COMMITMENT time if FedEx gives one, else the end of the
// standard transit window.
func promised(t *TrackResult, dest schemas.Location) *time.Time {
	var s string
	for _, d := range t.DateAndTimes {
		if d.Type == "COMMITMENT" {
			s = d.DateTime
		}
	}
	if s == "" && t.StandardTransitTimeWindow != nil {
		s = t.StandardTransitTimeWindow.Window.Ends
	}
	if s == "" {
		return nil
	}
	// A promise without an offset is local time at the destination.
	var e schemas.ScanEvent
	t0, w, exact, err := readDate(s)
	switch {
	case err != nil:
		return nil
	case exact:
		carrier.SetInstant(&e, t0)
	case carrier.SetLocal(&e, w, dest) != nil:
		return nil
	}
	// A promise at local midnight is a date: the end of that day.
	local := e.EventTime.Add(time.Duration(e.UTCOffsetMinutes) * time.Minute)
	if local.Hour() == 0 && local.Minute() == 0 && local.Second() == 0 {
		e.EventTime = e.EventTime.Add(24*time.Hour - time.Second)
	}
	at := e.EventTime // not &e.EventTime: that would keep the whole event on the heap
	return &at
}
