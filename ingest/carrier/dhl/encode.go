package dhl

import (
	"sort"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
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
	if len(events) == 1 {
		return AppendOne(nil, &events[0]), nil
	}
	return carrier.MarshalJSON(payload(events))
}

// payload builds the response of events.
func payload(events []schemas.ScanEvent) Response {
	if len(events) == 0 {
		return Response{Shipments: []Shipment{}}
	}
	first := events[0]
	s := Shipment{
		ID:          first.TrackingNumber,
		Service:     "ecommerce",
		Origin:      place(first.Origin),
		Destination: place(first.Destination),
	}
	if p := first.PromisedDelivery; p != nil {
		s.EstimatedTimeOfDelivery = zone.In(*p, first.Destination).Format(time.RFC3339)
	}
	if business, product := businessOf(first.Service); product != "" {
		s.Service = business
		s.Details = &Details{Product: &struct {
			ProductName string `json:"productName,omitempty"`
		}{ProductName: product}}
	}
	sorted := events
	if len(events) > 1 {
		sorted = append([]schemas.ScanEvent(nil), events...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].EventTime.After(sorted[j].EventTime) })
	}
	for _, e := range sorted {
		ev := classOf(&e)
		s.Events = append(s.Events, Event{
			Timestamp:   e.EventTime.In(carrier.FixedZone(e.UTCOffsetMinutes)).Format(time.RFC3339),
			Location:    place(e.Location),
			StatusCode:  ev[0],
			Description: ev[1],
			Remark:      remarkOf(&e),
		})
	}
	return Response{Shipments: []Shipment{s}}
}

// businessOf is the DHL business and product of a service level; no
// product for eCommerce.
func businessOf(service string) (business, product string) {
	switch service {
	case carrier.ServiceInternational:
		return "express", "EXPRESS WORLDWIDE"
	case carrier.ServiceOvernight:
		return "express", "EXPRESS DOMESTIC"
	}
	return "ecommerce", ""
}

func classOf(e *schemas.ScanEvent) [2]string {
	if ev, ok := eventOf[e.Status]; ok {
		return ev
	}
	return eventOf[schemas.StatusUnknown]
}

func remarkOf(e *schemas.ScanEvent) string {
	switch e.Status {
	case schemas.StatusAvailableForPickup:
		return ""
	case schemas.StatusDeliveryAttempted:
		if e.StatusDetail == "" {
			return carrier.DetailText("recipient_unavailable")
		}
	}
	return carrier.DetailText(e.StatusDetail)
}

func locality(l schemas.Location) string {
	if l.Region != "" {
		return l.City + ", " + l.Region
	}
	return l.City
}

func place(l schemas.Location) *Place {
	return &Place{Address: Address{AddressLocality: locality(l), PostalCode: l.PostalCode, CountryCode: l.Country}}
}

// AppendOne appends the response of one event to dst: the same JSON as
// Encode gives, written directly instead of by reflection, for the
// simulator's hot path.
func AppendOne(dst []byte, e *schemas.ScanEvent) []byte {
	if dst == nil {
		dst = make([]byte, 0, 512)
	}
	o := carrier.JSONObject{B: dst}
	placeJSON := func(key string, l schemas.Location) {
		o.Key(key)
		o.Open()
		o.Key("address")
		o.Open()
		o.String("addressLocality", locality(l), true)
		o.String("postalCode", l.PostalCode, true)
		o.String("countryCode", l.Country, true)
		o.Close()
		o.Close()
	}
	o.Open()
	o.Key("shipments")
	o.B = append(o.B, '[')
	o.Open()
	o.String("id", e.TrackingNumber, false)
	business, product := businessOf(e.Service)
	o.String("service", business, true)
	placeJSON("origin", e.Origin)
	placeJSON("destination", e.Destination)
	if p := e.PromisedDelivery; p != nil {
		o.Key("estimatedTimeOfDelivery")
		o.B = append(carrier.AppendTime(append(o.B, '"'), *p, zone.OffsetAt(*p, e.Destination), carrier.RFC3339), '"')
	}
	if product != "" {
		o.Key("details")
		o.Open()
		o.Key("product")
		o.Open()
		o.String("productName", product, true)
		o.Close()
		o.Close()
	}
	o.Key("events")
	o.B = append(o.B, '[')
	o.Open()
	ev := classOf(e)
	o.Key("timestamp")
	o.B = append(carrier.AppendTime(append(o.B, '"'), e.EventTime, e.UTCOffsetMinutes, carrier.RFC3339), '"')
	placeJSON("location", e.Location)
	o.String("statusCode", ev[0], false)
	o.String("description", ev[1], true)
	o.String("remark", remarkOf(e), true)
	o.Close()
	o.B = append(o.B, ']')
	o.Close()
	o.B = append(o.B, ']')
	o.Close()
	return o.B
}
