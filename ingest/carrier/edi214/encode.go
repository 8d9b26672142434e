package edi214

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

// at7Of is the AT7 status code of each canonical status.
var at7Of = map[schemas.Status]string{
	schemas.StatusInfoReceived:       "XB",
	schemas.StatusPickedUp:           "AF",
	schemas.StatusArrivedAtFacility:  "X4",
	schemas.StatusDepartedFacility:   "P1",
	schemas.StatusInTransit:          "X2",
	schemas.StatusOutForDelivery:     "X6",
	schemas.StatusDeliveryAttempted:  "AP",
	schemas.StatusAvailableForPickup: "AV",
	schemas.StatusDelivered:          "D1",
	schemas.StatusException:          "SD",
	schemas.StatusReturnedToSender:   "A3",
	schemas.StatusCancelled:          "CA",
	schemas.StatusUnknown:            "ZZ",
}

// exceptionOf words some exceptions with their own status code.
var exceptionOf = map[string]string{"damaged": "A9", "refused": "A7", "lost": "A5", "address_issue": "AI"}

// reasonOf is the AT7 reason code of each status_detail.
var reasonOf = map[string]string{
	"weather": "AO", "customs": "AS", "damaged": "AK", "refused": "BS", "address_issue": "A2",
	"recipient_unavailable": "AG", "business_closed": "B1", "held": "C1", "mechanical": "AI",
	"missed_connection": "A1", "delay": "AH",
}

// scacOf is the SCAC a carrier's 214s are sent under.
var scacOf = map[string]string{"ups": "UPSN", "fedex": "FDEG", "usps": "USPS", "dhl": "DHLC", "ontrac": "EMSY"}

// Encode writes the events of one shipment as a 214 interchange: one
// transaction set, an LX loop per status in time order, local times (LT)
// at an MS1 location, and envelopes with matching control numbers and
// counts. The control numbers derive from the events, so the same events
// give the same bytes. The simulator publishes regional carriers' scans
// with it.
func Encode(events []schemas.ScanEvent) ([]byte, error) {
	if len(events) == 0 {
		return nil, fmt.Errorf("edi214: no events to encode")
	}
	sorted := append([]schemas.ScanEvent(nil), events...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].EventTime.Before(sorted[j].EventTime) })
	first := sorted[0]
	scac := scacOf[first.Carrier]
	if scac == "" {
		scac = strings.ToUpper(first.Carrier)
	}
	h := sha256.New()
	for _, e := range sorted {
		h.Write([]byte(e.TrackingNumber))
		h.Write([]byte(e.EventTime.UTC().Format(time.RFC3339)))
	}
	control := binary.BigEndian.Uint32(h.Sum(nil)) % 1000000000
	now := sorted[len(sorted)-1].EventTime.UTC()

	var b strings.Builder
	seg := func(elems ...string) { b.WriteString(strings.Join(elems, "*")); b.WriteString("~\n") }
	fmt.Fprintf(&b, "ISA*00*          *00*          *02*%-15s*ZZ*%-15s*%s*%s*U*00401*%09d*0*P*>~\n",
		scac, "PARCELCAST", now.Format("060102"), now.Format("1504"), control)
	seg("GS", "QM", scac, "PARCELCAST", now.Format("20060102"), now.Format("1504"), fmt.Sprint(control), "X", "004010")
	n := 0
	set := func(elems ...string) { seg(elems...); n++ }
	set("ST", "214", "0001")
	set("B10", first.TrackingNumber, first.TrackingNumber, scac)
	set("N1", "SH", "SHIPPER")
	set("N4", first.Origin.City, first.Origin.Region, first.Origin.PostalCode, first.Origin.Country)
	set("N1", "CN", "CONSIGNEE")
	set("N4", first.Destination.City, first.Destination.Region, first.Destination.PostalCode, first.Destination.Country)
	for i, e := range sorted {
		code := at7Of[e.Status]
		if c, ok := exceptionOf[e.StatusDetail]; ok && e.Status == schemas.StatusException {
			code = c
		}
		reason := reasonOf[e.StatusDetail]
		if reason == "" {
			reason = "NS"
		}
		local := e.EventTime.In(carrier.FixedZone(e.UTCOffsetMinutes))
		set("LX", fmt.Sprint(i+1))
		set("AT7", code, reason, "", "", local.Format("20060102"), local.Format("150405"), "LT")
		set("MS1", e.Location.City, e.Location.Region, e.Location.Country)
	}
	set("SE", fmt.Sprint(n+1), "0001")
	seg("GE", "1", fmt.Sprint(control))
	seg("IEA", "1", fmt.Sprintf("%09d", control))
	return []byte(b.String()), nil
}
