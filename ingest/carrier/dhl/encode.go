package dhl

import (
	"sort"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

// eventOf is the DHL status class and description of each canonical
// status. DHL has no cancellation event.
var eventOf = map[schemas.Status][2]string{
	schemas.StatusInfoReceived:       {"pre-transit", "Shipment information received"},
	schemas.StatusPickedUp:           {"pre-transit", "Shipment picked up"},
	schemas.StatusArrivedAtFacility:  {"transit", "Arrived at DHL Sort Facility"},
	schemas.StatusDepartedFacility:   {"transit", "Departed Facility"},
	schemas.StatusInTransit:          {"transit", "Shipment is in transit"},
	schemas.StatusOutForDelivery:     {"transit", "Shipment is out with courier for delivery"},
	schemas.StatusDeliveryAttempted:  {"failure", "Delivery attempt"},
	schemas.StatusAvailableForPickup: {"transit", "Shipment is ready for pickup at the DHL Service Point"},
	schemas.StatusDelivered:          {"delivered", "Delivered"},
	schemas.StatusException:          {"failure", "Shipment on hold"},
	schemas.StatusReturnedToSender:   {"transit", "Shipment is being returned to the sender"},
	schemas.StatusUnknown:            {"unknown", "Status not available"},
}

// Encode writes the events of one shipment as a Unified Tracking response,
// newest event first, timestamps with their offset. The simulator
// publishes DHL scans with it.
func Encode(events []schemas.ScanEvent) ([]byte, error) {
	if len(events) == 0 {
		return carrier.MarshalJSON(Response{Shipments: []Shipment{}})
	}
	first := events[0]
	s := Shipment{
		ID:          first.TrackingNumber,
		Service:     "ecommerce",
		Origin:      place(first.Origin),
		Destination: place(first.Destination),
	}
	switch first.Service {
	case carrier.ServiceInternational, carrier.ServiceOvernight:
		s.Service = "express"
		s.Details = &Details{Product: &struct {
			ProductName string `json:"productName,omitempty"`
		}{ProductName: "EXPRESS WORLDWIDE"}}
		if first.Service == carrier.ServiceOvernight {
			s.Details.Product.ProductName = "EXPRESS DOMESTIC"
		}
	}
	sorted := events
	if len(events) > 1 {
		sorted = append([]schemas.ScanEvent(nil), events...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].EventTime.After(sorted[j].EventTime) })
	}
	for _, e := range sorted {
		ev, ok := eventOf[e.Status]
		if !ok {
			ev = eventOf[schemas.StatusUnknown]
		}
		out := Event{
			Timestamp:   e.EventTime.In(carrier.FixedZone(e.UTCOffsetMinutes)).Format(time.RFC3339),
			Location:    place(e.Location),
			StatusCode:  ev[0],
			Description: ev[1],
		}
		if e.Status != schemas.StatusAvailableForPickup {
			out.Remark = carrier.DetailText(e.StatusDetail)
		}
		if e.Status == schemas.StatusDeliveryAttempted && out.Remark == "" {
			out.Remark = carrier.DetailText("recipient_unavailable")
		}
		s.Events = append(s.Events, out)
	}
	return carrier.MarshalJSON(Response{Shipments: []Shipment{s}})
}

func place(l schemas.Location) *Place {
	locality := l.City
	if l.Region != "" {
		locality += ", " + l.Region
	}
	return &Place{Address: Address{AddressLocality: locality, PostalCode: l.PostalCode, CountryCode: l.Country}}
}
