package fedex

import (
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
	var r Response
	r.Output = &Output{}
	if len(events) == 0 {
		return carrier.MarshalJSON(r)
	}
	first := events[0]
	t := TrackResult{
		TrackingNumberInfo:   &TrackingNumberInfo{TrackingNumber: first.TrackingNumber},
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
		switch {
		case e.StatusDetail == "weather":
			s.DelayDetail = &DelayDetail{Type: "WEATHER", Status: "DELAYED"}
		case e.Status != schemas.StatusAvailableForPickup:
			s.ExceptionDescription = carrier.DetailText(e.StatusDetail)
		}
		t.ScanEvents = append(t.ScanEvents, s)
	}
	r.Output.CompleteTrackResults = []CompleteTrackResult{{TrackingNumber: first.TrackingNumber, TrackResults: []TrackResult{t}}}
	return carrier.MarshalJSON(r)
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
