package fedex

import (
	"slices"
	"sort"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

// eventTypeOf is the FedEx event type and description of each canonical status.
var eventTypeOf = map[schemas.Status][2]string{
	schemas.StatusInfoReceived:       {"OC", "Shipment information sent to FedEx"},
	schemas.StatusPickedUp:           {"PU", "Picked up"},
	schemas.StatusArrivedAtFacility:  {"AR", "Arrived at FedEx location"},
	schemas.StatusDepartedFacility:   {"DP", "Departed FedEx location"},
	schemas.StatusInTransit:          {"IT", "In transit"},
	schemas.StatusOutForDelivery:     {"OD", "On FedEx vehicle for delivery"},
	schemas.StatusDeliveryAttempted:  {"DE", "Delivery exception"},
	schemas.StatusAvailableForPickup: {"HL", "Ready for recipient pickup"},
	schemas.StatusDelivered:          {"DL", "Delivered"},
	schemas.StatusException:          {"SE", "Shipment exception"},
	schemas.StatusReturnedToSender:   {"RS", "Returning package to shipper"},
	schemas.StatusCancelled:          {"CA", "Shipment cancelled by sender"},
	schemas.StatusUnknown:            {"ZZ", "Status update"},
}

// Encode writes the events of one package as a Track API response, newest
// scan first, times with their local offset. The simulator publishes
// FedEx scans with it.
func Encode(events []schemas.ScanEvent) ([]byte, error) {
	if len(events) == 1 {
		return AppendOne(nil, &events[0]), nil
	}
	return carrier.MarshalJSON(payload(events))
}

// payload builds the response of events: one track result per shipment
// key, in the order the keys first come, as FedEx answers a number that
// carries two shipments.
func payload(events []schemas.ScanEvent) Response {
	var r Response
	r.Output = &Output{}
	if len(events) == 0 {
		return r
	}
	c := CompleteTrackResult{TrackingNumber: events[0].TrackingNumber}
	var keys []string
	for i := range events {
		if !slices.Contains(keys, events[i].ShipmentKey) {
			keys = append(keys, events[i].ShipmentKey)
		}
	}
	for _, k := range keys {
		var shipment []schemas.ScanEvent
		for _, e := range events {
			if e.ShipmentKey == k {
				shipment = append(shipment, e)
			}
		}
		c.TrackResults = append(c.TrackResults, trackResult(shipment))
	}
	r.Output.CompleteTrackResults = []CompleteTrackResult{c}
	return r
}

// trackResult is the result of one shipment's events.
func trackResult(events []schemas.ScanEvent) TrackResult {
	first := events[0]
	t := TrackResult{
		TrackingNumberInfo:   &TrackingNumberInfo{TrackingNumber: first.TrackingNumber, TrackingNumberUniqueID: first.ShipmentKey},
		ServiceDetail:        &ServiceDetail{Description: serviceName(first.Service)},
		ShipperInformation:   &Party{Address: address(first.Origin)},
		RecipientInformation: &Party{Address: address(first.Destination)},
	}
	if first.PromisedDelivery != nil {
		p := first.PromisedDelivery.In(carrier.FixedZone(first.UTCOffsetMinutes))
		t.DateAndTimes = append(t.DateAndTimes, DateAndTime{Type: "COMMITMENT", DateTime: p.Format(time.RFC3339)})
	}
	sorted := events
	if len(events) > 1 {
		sorted = append([]schemas.ScanEvent(nil), events...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].EventTime.After(sorted[j].EventTime) })
	}
	for _, e := range sorted {
		code := eventTypeOf[e.Status]
		s := ScanEvent{
			Date:             e.EventTime.In(carrier.FixedZone(e.UTCOffsetMinutes)).Format(time.RFC3339),
			EventType:        code[0],
			EventDescription: code[1],
			ScanLocation:     address(e.Location),
		}
		if weather(&e) {
			s.DelayDetail = &DelayDetail{Type: "WEATHER", Status: "DELAYED"}
		} else {
			s.ExceptionDescription = exceptionText(&e)
		}
		t.ScanEvents = append(t.ScanEvents, s)
	}
	return t
}

func weather(e *schemas.ScanEvent) bool { return e.StatusDetail == "weather" }

func exceptionText(e *schemas.ScanEvent) string {
	if e.Status == schemas.StatusAvailableForPickup {
		return ""
	}
	return carrier.DetailText(e.StatusDetail)
}

// AppendOne appends the response of one event to dst: the same JSON as
// Encode gives, written directly instead of by reflection, for the
// simulator's hot path.
func AppendOne(dst []byte, e *schemas.ScanEvent) []byte {
	if dst == nil {
		dst = make([]byte, 0, 768)
	}
	o := carrier.JSONObject{B: dst}
	addr := func(l schemas.Location) {
		o.Open()
		o.String("city", l.City, true)
		o.String("stateOrProvinceCode", l.Region, true)
		o.String("postalCode", l.PostalCode, true)
		o.String("countryCode", l.Country, true)
		o.Close()
	}
	party := func(key string, l schemas.Location) {
		o.Key(key)
		o.Open()
		o.Key("address")
		addr(l)
		o.Close()
	}
	o.Open()
	o.Key("output")
	o.Open()
	o.Key("completeTrackResults")
	o.B = append(o.B, '[')
	o.Open()
	o.String("trackingNumber", e.TrackingNumber, false)
	o.Key("trackResults")
	o.B = append(o.B, '[')
	o.Open()
	o.Key("trackingNumberInfo")
	o.Open()
	o.String("trackingNumber", e.TrackingNumber, false)
	o.String("trackingNumberUniqueId", e.ShipmentKey, true)
	o.Close()
	o.Key("serviceDetail")
	o.Open()
	o.String("description", serviceName(e.Service), true)
	o.Close()
	party("shipperInformation", e.Origin)
	party("recipientInformation", e.Destination)
	if e.PromisedDelivery != nil {
		o.Key("dateAndTimes")
		o.B = append(o.B, '[')
		o.Open()
		o.String("type", "COMMITMENT", false)
		o.Key("dateTime")
		o.B = append(carrier.AppendTime(append(o.B, '"'), *e.PromisedDelivery, e.UTCOffsetMinutes, carrier.RFC3339), '"')
		o.Close()
		o.B = append(o.B, ']')
	}
	o.Key("scanEvents")
	o.B = append(o.B, '[')
	o.Open()
	code := eventTypeOf[e.Status]
	o.Key("date")
	o.B = append(carrier.AppendTime(append(o.B, '"'), e.EventTime, e.UTCOffsetMinutes, carrier.RFC3339), '"')
	o.String("eventType", code[0], false)
	o.String("eventDescription", code[1], false)
	if !weather(e) {
		o.String("exceptionDescription", exceptionText(e), true)
	}
	o.Key("scanLocation")
	addr(e.Location)
	if weather(e) {
		o.Key("delayDetail")
		o.Open()
		o.String("type", "WEATHER", false)
		o.String("status", "DELAYED", false)
		o.Close()
	}
	o.Close()
	o.B = append(o.B, ']')
	o.Close()
	o.B = append(o.B, ']')
	o.Close()
	o.B = append(o.B, ']')
	o.Close()
	o.Close()
	return o.B
}

func address(l schemas.Location) Address {
	return Address{City: l.City, StateOrProvinceCode: l.Region, PostalCode: l.PostalCode, CountryCode: l.Country}
}

func serviceName(s string) string {
	switch s {
	case carrier.ServiceOvernight:
		return "FedEx Priority Overnight"
	case carrier.Service2Day:
		return "FedEx 2Day"
	case carrier.Service3Day:
		return "FedEx Express Saver"
	case carrier.ServiceInternational:
		return "FedEx International Priority"
	case carrier.ServiceEconomy:
		return "FedEx Ground Economy"
	}
	return "FedEx Ground"
}
