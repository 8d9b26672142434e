package ups

import (
	"sort"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
	"github.com/parcelcast/parcelcast/schemas"
)

// activityOf is how UPS words each canonical status: type letter, code
// and description.
var activityOf = map[schemas.Status]Status{
	schemas.StatusInfoReceived:       {Type: "M", Code: "MP", Description: "Shipper created a label, UPS has not received the package yet."},
	schemas.StatusPickedUp:           {Type: "P", Code: "PU", Description: "Pickup Scan"},
	schemas.StatusArrivedAtFacility:  {Type: "I", Code: "AR", Description: "Arrived at Facility"},
	schemas.StatusDepartedFacility:   {Type: "I", Code: "DP", Description: "Departed from Facility"},
	schemas.StatusInTransit:          {Type: "I", Code: "IT", Description: "In Transit"},
	schemas.StatusOutForDelivery:     {Type: "I", Code: "OT", Description: "Out For Delivery Today"},
	schemas.StatusDeliveryAttempted:  {Type: "X", Code: "48", Description: "Delivery attempted"},
	schemas.StatusAvailableForPickup: {Type: "I", Code: "2W", Description: "Delivered to UPS Access Point™ location and awaiting customer pickup."},
	schemas.StatusDelivered:          {Type: "D", Code: "FS", Description: "DELIVERED"},
	schemas.StatusException:          {Type: "X", Code: "X1", Description: "Exception"},
	schemas.StatusReturnedToSender:   {Type: "RS", Code: "RS", Description: "Returned to Sender"},
	schemas.StatusCancelled:          {Type: "MV", Code: "MV", Description: "Shipment cancelled"},
	schemas.StatusUnknown:            {Type: "U", Code: "ZZ", Description: "Status update"},
}

// Encode writes the events of one package as a Track API response, newest
// activity first and times in the scan location's local time without an
// offset, as UPS sends them. The simulator publishes UPS scans with it.
func Encode(events []schemas.ScanEvent) ([]byte, error) {
	if len(events) == 1 {
		return AppendOne(nil, &events[0]), nil
	}
	return carrier.MarshalJSON(payload(events))
}

// payload builds the response of events.
func payload(events []schemas.ScanEvent) Response {
	if len(events) == 0 {
		return Response{TrackResponse: &TrackResponse{}}
	}
	first := events[0]
	p := Package{
		TrackingNumber: first.TrackingNumber,
		Service:        &Service{Description: serviceName(first.Service)},
		DeliveryDate:   scheduled(first.PromisedDelivery, first.Destination),
		DeliveryTime:   commitTime(first.PromisedDelivery, first.Destination),
		PackageAddress: []PackageAddress{
			{Type: "ORIGIN", Address: address(first.Origin)},
			{Type: "DESTINATION", Address: address(first.Destination)},
		},
	}
	sorted := events
	if len(events) > 1 {
		sorted = append([]schemas.ScanEvent(nil), events...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].EventTime.After(sorted[j].EventTime) })
	}
	for _, e := range sorted {
		local := e.EventTime.In(carrier.FixedZone(e.UTCOffsetMinutes))
		p.Activity = append(p.Activity, Activity{
			Location: Location{Address: address(e.Location)},
			Status:   statusOf(&e),
			Date:     local.Format("20060102"),
			Time:     local.Format("150405"),
		})
	}
	return Response{TrackResponse: &TrackResponse{Shipment: []Shipment{{InquiryNumber: first.TrackingNumber, Package: []Package{p}}}}}
}

// scheduled is the scheduled delivery date (SDD) of a promise, in the
// destination's local time as UPS sends it.
func scheduled(p *time.Time, dest schemas.Location) []DeliveryDate {
	if p == nil {
		return nil
	}
	return []DeliveryDate{{Type: "SDD", Date: zone.In(*p, dest).Format("20060102")}}
}

// commitTime is the end of the scheduled delivery window (end of day).
func commitTime(p *time.Time, dest schemas.Location) *DeliveryTime {
	if p == nil {
		return nil
	}
	return &DeliveryTime{Type: "EOD", EndTime: zone.In(*p, dest).Format("150405")}
}

func statusOf(e *schemas.ScanEvent) Status {
	st := activityOf[e.Status]
	if text := carrier.DetailText(e.StatusDetail); text != "" && e.Status != schemas.StatusAvailableForPickup {
		st.Description += ": " + text
	}
	return st
}

// AppendOne appends the response of one event to dst: the same JSON as
// Encode gives, written directly instead of by reflection, for the
// simulator's hot path.
func AppendOne(dst []byte, e *schemas.ScanEvent) []byte {
	if dst == nil {
		dst = make([]byte, 0, 640)
	}
	o := carrier.JSONObject{B: dst}
	addr := func(key string, l schemas.Location) {
		o.Key(key)
		o.Open()
		o.String("city", l.City, true)
		o.String("stateProvince", l.Region, true)
		o.String("postalCode", l.PostalCode, true)
		o.String("country", l.Country, true)
		o.Close()
	}
	o.Open()
	o.Key("trackResponse")
	o.Open()
	o.Key("shipment")
	o.B = append(o.B, '[')
	o.Open()
	o.String("inquiryNumber", e.TrackingNumber, true)
	o.Key("package")
	o.B = append(o.B, '[')
	o.Open()
	o.String("trackingNumber", e.TrackingNumber, false)
	o.Key("service")
	o.Open()
	o.String("description", serviceName(e.Service), true)
	o.Close()
	if e.PromisedDelivery != nil {
		p := *e.PromisedDelivery
		off := zone.OffsetAt(p, e.Destination)
		o.Key("deliveryDate")
		o.B = append(o.B, '[')
		o.Open()
		o.String("type", "SDD", false)
		o.Key("date")
		o.B = append(carrier.AppendTime(append(o.B, '"'), p, off, carrier.Date8), '"')
		o.Close()
		o.B = append(o.B, ']')
		o.Key("deliveryTime")
		o.Open()
		o.String("type", "EOD", false)
		o.Key("endTime")
		o.B = append(carrier.AppendTime(append(o.B, '"'), p, off, carrier.Clock6), '"')
		o.Close()
	}
	o.Key("packageAddress")
	o.B = append(o.B, '[')
	o.Open()
	o.String("type", "ORIGIN", false)
	addr("address", e.Origin)
	o.Close()
	o.B = append(o.B, ',')
	o.Open()
	o.String("type", "DESTINATION", false)
	addr("address", e.Destination)
	o.Close()
	o.B = append(o.B, ']')
	o.Key("activity")
	o.B = append(o.B, '[')
	o.Open()
	o.Key("location")
	o.Open()
	addr("address", e.Location)
	o.Close()
	st := statusOf(e)
	o.Key("status")
	o.Open()
	o.String("type", st.Type, false)
	o.String("description", st.Description, false)
	o.String("code", st.Code, false)
	o.Close()
	o.Key("date")
	o.B = append(carrier.AppendTime(append(o.B, '"'), e.EventTime, e.UTCOffsetMinutes, carrier.Date8), '"')
	o.Key("time")
	o.B = append(carrier.AppendTime(append(o.B, '"'), e.EventTime, e.UTCOffsetMinutes, carrier.Clock6), '"')
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
	return Address{City: l.City, StateProvince: l.Region, PostalCode: l.PostalCode, Country: l.Country}
}

func serviceName(s string) string {
	switch s {
	case carrier.ServiceOvernight:
		return "UPS Next Day Air"
	case carrier.Service2Day:
		return "UPS 2nd Day Air"
	case carrier.Service3Day:
		return "UPS 3 Day Select"
	case carrier.ServiceInternational:
		return "UPS Worldwide Expedited"
	case carrier.ServiceEconomy:
		return "UPS SurePost"
	}
	return "UPS Ground"
}
