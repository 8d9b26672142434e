package edi214

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
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
	return Append(make([]byte, 0, 400+150*len(events)), events), nil
}

// AppendOne appends the interchange of one event to dst.
func AppendOne(dst []byte, e *schemas.ScanEvent) []byte {
	one := [1]schemas.ScanEvent{*e}
	return appendSorted(dst, one[:])
}

// Append appends the interchange of events (one or more) to dst.
func Append(dst []byte, events []schemas.ScanEvent) []byte {
	sorted := events
	if len(events) > 1 {
		sorted = append([]schemas.ScanEvent(nil), events...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].EventTime.Before(sorted[j].EventTime) })
	}
	return appendSorted(dst, sorted)
}

// FNV-1a, 64 bits, written out so hashing allocates nothing.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// appendSorted is Append on events in time order.
func appendSorted(dst []byte, sorted []schemas.ScanEvent) []byte {
	first := &sorted[0]
	scac := scacOf[first.Carrier]
	if scac == "" {
		scac = strings.ToUpper(first.Carrier)
	}
	h := uint64(fnvOffset)
	var tb [32]byte
	for i := range sorted {
		h = fnvString(h, sorted[i].TrackingNumber)
		h = fnvBytes(h, carrier.AppendTime(tb[:0], sorted[i].EventTime, 0, carrier.RFC3339))
	}
	control := h % 1000000000
	now := sorted[len(sorted)-1].EventTime.UTC()
	ctl := strconv.AppendUint(tb[:0], control, 10)

	b := append(dst, "ISA*00*          *00*          *02*"...)
	b = appendPadded(b, scac, 15)
	b = append(b, "*ZZ*"...)
	b = appendPadded(b, "PARCELCAST", 15)
	b = append(b, '*')
	b = now.AppendFormat(b, "060102*1504")
	b = append(b, "*U*00401*"...)
	b = carrier.AppendZeroPadded(b, control, 9)
	b = append(b, "*0*P*>~\n"...)
	b = seg(b, "GS", "QM", scac, "PARCELCAST", now.Format("20060102"), now.Format("1504"), string(ctl), "X", "004010")
	start := len(b)
	b = seg(b, "ST", "214", "0001")
	b = seg(b, "B10", first.TrackingNumber, first.TrackingNumber, scac)
	b = seg(b, "N1", "SH", "SHIPPER")
	b = seg(b, "N4", first.Origin.City, first.Origin.Region, first.Origin.PostalCode, first.Origin.Country)
	b = seg(b, "N1", "CN", "CONSIGNEE")
	b = seg(b, "N4", first.Destination.City, first.Destination.Region, first.Destination.PostalCode, first.Destination.Country)
	var date, clock [8]byte
	if p := first.PromisedDelivery; p != nil { // G62 17: estimated delivery, local time at the consignee
		off := zone.OffsetAt(*p, first.Destination)
		b = seg(b, "G62", "17", string(carrier.AppendTime(date[:0], *p, off, carrier.Date8)), "X",
			string(carrier.AppendTime(clock[:0], *p, off, carrier.Clock6)[:4]), "LT")
	}
	for i := range sorted {
		e := &sorted[i]
		code := at7Of[e.Status]
		if c, ok := exceptionOf[e.StatusDetail]; ok && e.Status == schemas.StatusException {
			code = c
		}
		reason := reasonOf[e.StatusDetail]
		if reason == "" {
			reason = "NS"
		}
		b = seg(b, "LX", strconv.Itoa(i+1))
		b = seg(b, "AT7", code, reason, "", "", string(carrier.AppendTime(date[:0], e.EventTime, e.UTCOffsetMinutes, carrier.Date8)),
			string(carrier.AppendTime(clock[:0], e.EventTime, e.UTCOffsetMinutes, carrier.Clock6)), "LT")
		b = seg(b, "MS1", e.Location.City, e.Location.Region, e.Location.Country)
	}
	segments := bytes.Count(b[start:], []byte("~\n")) + 1
	b = seg(b, "SE", strconv.Itoa(segments), "0001")
	b = seg(b, "GE", "1", string(ctl))
	b = seg(b, "IEA", "1", fmt.Sprintf("%09d", control))
	return b
}

// seg appends one segment: elements joined by '*', then the terminator.
func seg(b []byte, elems ...string) []byte {
	for i, e := range elems {
		if i > 0 {
			b = append(b, '*')
		}
		b = append(b, e...)
	}
	return append(b, '~', '\n')
}

func appendPadded(b []byte, s string, width int) []byte {
	b = append(b, s...)
	for n := len(s); n < width; n++ {
		b = append(b, ' ')
	}
	return b
}
