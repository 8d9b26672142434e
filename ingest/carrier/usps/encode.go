package usps

import (
	"sort"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
	"github.com/parcelcast/parcelcast/schemas"
)

// eventOf is the USPS event code and text of each canonical status; an
// empty code is an "Alert" event, read from its text.
var eventOf = map[schemas.Status][2]string{
	schemas.StatusInfoReceived:       {"GX", "Shipping Label Created, USPS Awaiting Item"},
	schemas.StatusPickedUp:           {"OA", "Accepted at USPS Origin Facility"},
	schemas.StatusArrivedAtFacility:  {"A1", "Arrived at USPS Regional Facility"},
	schemas.StatusDepartedFacility:   {"L1", "Departed USPS Regional Facility"},
	schemas.StatusInTransit:          {"NT", "In Transit to Next Facility"},
	schemas.StatusOutForDelivery:     {"OF", "Out for Delivery"},
	schemas.StatusDeliveryAttempted:  {"52", "Notice Left (No Authorized Recipient Available)"},
	schemas.StatusAvailableForPickup: {"16", "Available for Pickup"},
	schemas.StatusDelivered:          {"01", "Delivered, In/At Mailbox"},
	schemas.StatusException:          {"", "Alert"},
	schemas.StatusReturnedToSender:   {"09", "Return to Sender Processed"},
	schemas.StatusCancelled:          {"44", "Customer Recall"},
	schemas.StatusUnknown:            {"X9", "Status update"},
}

// attemptCodes word the reasons of a failed delivery the USPS way.
var attemptCodes = map[string]string{
	"business_closed":    "51",
	"receptacle_blocked": "53",
	"receptacle_full":    "54",
	"no_secure_location": "55",
}

// Encode writes the events of one package as a Tracking API v3 response,
// newest first: GMTTimestamp and GMTOffset exact, eventTimestamp local to
// the minute. The simulator publishes USPS scans with it.
func Encode(events []schemas.ScanEvent) ([]byte, error) {
	if len(events) == 1 {
		return AppendOne(nil, &events[0]), nil
	}
	return carrier.MarshalJSON(payload(events))
}

// localLayout is how USPS writes local times: no offset.
const localLayout = "2006-01-02T15:04:05"

// payload builds the response of events.
func payload(events []schemas.ScanEvent) Tracking {
	if len(events) == 0 {
		return Tracking{}
	}
	first := events[0]
	t := Tracking{
		TrackingNumber:   first.TrackingNumber,
		MailClass:        mailClass(first.Service),
		OriginCity:       first.Origin.City,
		OriginState:      first.Origin.Region,
		OriginZIP:        first.Origin.PostalCode,
		DestinationCity:  first.Destination.City,
		DestinationState: first.Destination.Region,
		DestinationZIP:   first.Destination.PostalCode,
	}
	if p := first.PromisedDelivery; p != nil {
		t.ExpectedDeliveryTimeStamp = zone.In(*p, first.Destination).Format(localLayout)
	}
	sorted := events
	if len(events) > 1 {
		sorted = append([]schemas.ScanEvent(nil), events...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].EventTime.After(sorted[j].EventTime) })
	}
	for _, e := range sorted {
		code, text := codeText(&e)
		off := carrier.FixedZone(e.UTCOffsetMinutes)
		t.TrackingEvents = append(t.TrackingEvents, Event{
			EventType:      text,
			EventTimestamp: e.EventTime.In(off).Format(localLayout),
			GMTTimestamp:   e.EventTime.UTC().Format(time.RFC3339),
			GMTOffset:      e.EventTime.In(off).Format("-07:00"),
			EventCity:      e.Location.City,
			EventState:     e.Location.Region,
			EventZIP:       e.Location.PostalCode,
			EventCountry:   countryName(e.Location.Country),
			EventCode:      code,
		})
	}
	return t
}

// codeText is the event code and text of e.
func codeText(e *schemas.ScanEvent) (code, text string) {
	ev := eventOf[e.Status]
	code, text = ev[0], ev[1]
	switch {
	case e.Status == schemas.StatusDeliveryAttempted && attemptCodes[e.StatusDetail] != "":
		code, text = attemptCodes[e.StatusDetail], "Delivery Attempted"
	case e.Status == schemas.StatusException:
		text += ": " + carrier.DetailText(e.StatusDetail)
		if e.StatusDetail == "" {
			text = "Alert: Delay in transit"
		}
	case e.Status == schemas.StatusReturnedToSender && e.StatusDetail != "":
		text += " - " + carrier.DetailText(e.StatusDetail)
	}
	return code, text
}

// AppendOne appends the response of one event to dst: the same JSON as
// Encode gives, written directly instead of by reflection, for the
// simulator's hot path.
func AppendOne(dst []byte, e *schemas.ScanEvent) []byte {
	if dst == nil {
		dst = make([]byte, 0, 512)
	}
	o := carrier.JSONObject{B: dst}
	o.Open()
	o.String("trackingNumber", e.TrackingNumber, false)
	o.String("mailClass", mailClass(e.Service), true)
	o.String("originCity", e.Origin.City, true)
	o.String("originState", e.Origin.Region, true)
	o.String("originZIP", e.Origin.PostalCode, true)
	o.String("destinationCity", e.Destination.City, true)
	o.String("destinationState", e.Destination.Region, true)
	o.String("destinationZIP", e.Destination.PostalCode, true)
	if p := e.PromisedDelivery; p != nil {
		o.Key("expectedDeliveryTimeStamp")
		o.B = append(carrier.AppendTime(append(o.B, '"'), *p, zone.OffsetAt(*p, e.Destination), carrier.LocalISO), '"')
	}
	o.Key("trackingEvents")
	o.B = append(o.B, '[')
	o.Open()
	code, text := codeText(e)
	off := e.UTCOffsetMinutes
	o.String("eventType", text, false)
	o.Key("eventTimestamp")
	o.B = append(carrier.AppendTime(append(o.B, '"'), e.EventTime, off, carrier.LocalISO), '"')
	o.Key("GMTTimestamp")
	o.B = append(carrier.AppendTime(append(o.B, '"'), e.EventTime, 0, carrier.RFC3339), '"')
	o.Key("GMTOffset")
	o.B = append(carrier.AppendTime(append(o.B, '"'), e.EventTime, off, carrier.Offset), '"')
	o.String("eventCountry", countryName(e.Location.Country), true)
	o.String("eventCity", e.Location.City, true)
	o.String("eventState", e.Location.Region, true)
	o.String("eventZIP", e.Location.PostalCode, true)
	o.String("eventCode", code, false)
	o.Close()
	o.B = append(o.B, ']')
	o.Close()
	return o.B
}

func countryName(c string) string {
	if c == "US" {
		return "" // USPS leaves the country out of domestic scans
	}
	return c
}

func mailClass(s string) string {
	switch s {
	case carrier.ServiceOvernight:
		return "Priority Mail Express"
	case carrier.Service2Day:
		return "Priority Mail"
	case carrier.ServiceInternational:
		return "Priority Mail International"
	}
	return "USPS Ground Advantage"
}
