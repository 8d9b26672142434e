package ups

import (
	"sort"

	"github.com/parcelcast/parcelcast/ingest/carrier"
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
	if len(events) == 0 {
		return carrier.MarshalJSON(Response{TrackResponse: &TrackResponse{}})
	}
	first := events[0]
	p := Package{
		TrackingNumber: first.TrackingNumber,
		Service:        &Service{Description: serviceName(first.Service)},
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
		st := activityOf[e.Status]
		if text := carrier.DetailText(e.StatusDetail); text != "" && e.Status != schemas.StatusAvailableForPickup {
			st.Description += ": " + text
		}
		local := e.EventTime.In(carrier.FixedZone(e.UTCOffsetMinutes))
		p.Activity = append(p.Activity, Activity{
			Location: Location{Address: address(e.Location)},
			Status:   st,
			Date:     local.Format("20060102"),
			Time:     local.Format("150405"),
		})
	}
	return carrier.MarshalJSON(Response{TrackResponse: &TrackResponse{Shipment: []Shipment{{InquiryNumber: first.TrackingNumber, Package: []Package{p}}}}})
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
