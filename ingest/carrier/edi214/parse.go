// Package edi214 reads ANSI X12 214 Transportation Carrier Shipment Status
// messages (004010 and later): one interchange per record, any number of
// groups and transaction sets, delimiters taken from the ISA header.
//
// Each transaction set is one shipment: B10 identifies it (B10-02 the
// carrier's shipment id, B10-03 the SCAC), an L11 with qualifier 2I or
// CN overrides the tracking number, N1/N3/N4 give the shipper (SH/SF) and
// consignee (CN/ST), and every LX loop holds one or more AT7 statuses with
// an MS1 location. AT7-05/06 are the date and time, AT7-07 the time code:
// a US zone name (ET, CT, MT, PT, AT, HT and their standard/daylight
// forms), UT/GM for UTC, or LT for local time at the MS1 location, whose
// offset is inferred (and approximate when that MS1 has no zone of its
// own and the shipment's other places lend one).
//
// The control numbers and counts of every envelope are checked: a
// transaction set whose SE does not match is not read, and any envelope
// error dead-letters the record while the sound sets are kept.
package edi214

import (
	"fmt"
	"strings"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
	"github.com/parcelcast/parcelcast/schemas"
)

// Name is the feed name. Events carry the carrier named by the SCAC.
const Name = "edi214"

// Format is the edi214 feed: X12 214 shipment status messages, which the simulator sends for the regional carrier.
var Format = carrier.Format{Name: Name, Parse: Parse, Encode: Encode, AppendOne: AppendOne, Carriers: []string{"ontrac"}}

// Parse reads one X12 interchange into canonical events.
func Parse(b []byte) ([]schemas.ScanEvent, error) {
	x, err := split(b)
	if err != nil {
		return nil, fmt.Errorf("edi214: %w", err)
	}
	sets, envErrs := x.walk()
	var res carrier.Results
	for _, e := range envErrs {
		res.Fail(e)
	}
	for i := range sets {
		t := &sets[i]
		if t.err != nil {
			res.Fail(t.err)
			continue
		}
		readSet(&res, t)
	}
	return res.Done(Name)
}

// party is an N1 loop's location.
type party struct {
	code string // N1-01 entity identifier: SH, SF, CN, ST, …
	loc  schemas.Location
}

func readSet(res *carrier.Results, t *transaction) {
	what := carrier.Where{Kind: "transaction set " + t.control, Index: -1}
	var (
		base             schemas.ScanEvent
		shipper, consign schemas.Location
		reference        string
		events           []pending
		loopStart        int // index in events of the current LX loop's first event
		curParty         *party
		promise          segment // G62 with qualifier 17, estimated delivery
	)
	for _, seg := range t.segments {
		switch seg.id() {
		case "B10":
			base.TrackingNumber = seg.el(2)
			reference = seg.el(1)
			base.Carrier = carrierOf(seg.el(3))
		case "L11":
			if q := seg.el(2); (q == "2I" || q == "CN") && seg.el(1) != "" {
				base.TrackingNumber = seg.el(1)
			}
		case "N1":
			curParty = &party{code: seg.el(1)}
		case "N4":
			if curParty == nil {
				continue
			}
			curParty.loc = schemas.Location{City: seg.el(1), Region: strings.ToUpper(seg.el(2)), PostalCode: seg.el(3), Country: zone.CountryCode(seg.el(4))}
			if curParty.loc.Country == "" {
				curParty.loc.Country = countryOfRegion(curParty.loc.Region)
			}
			switch curParty.code {
			case "SH", "SF":
				shipper = curParty.loc
			case "CN", "ST":
				consign = curParty.loc
			}
		case "G62":
			if seg.el(1) == "17" && promise == nil {
				promise = seg
			}
		case "LX":
			curParty = nil
			loopStart = len(events)
		case "AT7":
			events = append(events, pending{at7: seg})
		case "MS1":
			loc := schemas.Location{City: seg.el(1), Region: strings.ToUpper(seg.el(2)), Country: zone.CountryCode(seg.el(3))}
			if loc.Country == "" {
				loc.Country = countryOfRegion(loc.Region)
			}
			locErr := coordinates(seg, &loc)
			for i := loopStart; i < len(events); i++ {
				if !events[i].hasLoc {
					events[i].loc, events[i].hasLoc, events[i].locErr = loc, true, locErr
				}
			}
		}
	}
	if base.TrackingNumber == "" {
		base.TrackingNumber = reference
	}
	if base.TrackingNumber == "" {
		res.Fail(fmt.Errorf("%s: no shipment id in B10 or L11", what))
		return
	}
	if base.Carrier == "" {
		res.Fail(fmt.Errorf("%s: no SCAC in B10-03", what))
		return
	}
	base.Origin, base.Destination = shipper, consign
	if promise != nil {
		// An unreadable estimate is left out: the scans are still good.
		var p schemas.ScanEvent
		w, local, err := readTime(&p, promise.el(2), promise.el(4), promise.el(5))
		if err == nil && local {
			err = carrier.SetLocal(&p, w, consign, shipper) // at the consignee's
		}
		if err == nil {
			base.PromisedDelivery = &p.EventTime
		}
	}
	returned := false
	for i, p := range events {
		e := base
		at7 := p.at7
		m := mapStatus(at7.el(1), at7.el(2), at7.el(3), at7.el(4))
		e.Status, e.StatusDetail = m.Status, m.Detail
		e.CarrierCode = at7.el(1)
		if e.CarrierCode == "" {
			e.CarrierCode = at7.el(3)
		}
		if r := at7.el(2); r != "" {
			e.CarrierCode += "/" + r
		} else if r := at7.el(4); r != "" {
			e.CarrierCode += "/" + r
		}
		e.Description = describe(at7)
		e.Location = withPostalCode(p.loc, consign, shipper)
		// After "returned to shipper", an unloading is the return arriving.
		switch e.Status {
		case schemas.StatusReturnedToSender:
			returned = true
		case schemas.StatusDelivered:
			if returned {
				e.Status = schemas.StatusReturnedToSender
			}
		}
		err := p.locErr // the status's MS1 is unreadable
		if err == nil {
			err = setTime(&e, at7, places(&e, i, len(events), shipper, consign), events)
		}
		res.Add(e, err, what.At("status", i))
	}
}

// withPostalCode gives an MS1 location, which has no postal code, the
// postal code of the party at the same city and state: it decides the
// zone in states split between two.
func withPostalCode(l schemas.Location, parties ...schemas.Location) schemas.Location {
	if l.PostalCode != "" {
		return l
	}
	for _, p := range parties {
		if p.PostalCode != "" && strings.EqualFold(p.City, l.City) && strings.EqualFold(p.Region, l.Region) {
			l.PostalCode = p.PostalCode
			return l
		}
	}
	return l
}

type pending struct {
	at7    segment
	loc    schemas.Location
	hasLoc bool
	locErr error // of the MS1's coordinates
}

// places are where the zone of status i of n (in the order of the set,
// oldest first) may come from: its MS1, the shipper's N4 first before
// pickup, the other statuses' nearest first, then the shipper's and the
// consignee's.
func places(e *schemas.ScanEvent, i, n int, shipper, consign schemas.Location) carrier.Places {
	p := carrier.Places{Own: e.Location, I: n - 1 - i, N: n, Origin: shipper, Destination: consign}
	if carrier.BeforePickup(e.Status) {
		p.First = shipper
	}
	return p
}

// setTime reads the time of status at7, one of events. An LT time is local
// at the status's MS1; an MS1 with no zone of its own (a city without a
// state, only a country of several zones, no MS1 at all) takes the zone of
// the shipment's other places and is flagged approximate: a status never
// fails for its place.
func setTime(e *schemas.ScanEvent, at7 segment, p carrier.Places, events []pending) error {
	w, local, err := readTime(e, at7.el(5), at7.el(6), at7.el(7))
	if err != nil || !local {
		return err
	}
	// Places count newest first, the set's statuses oldest first.
	return carrier.SetLocalNear(e, w, p, func(j int) schemas.Location {
		return withPostalCode(events[p.N-1-j].loc, p.Destination, p.Origin)
	})
}

// readTime reads AT7-05 (CCYYMMDD), AT7-06 (HHMM, HHMMSS or HHMMSSDD) and
// the AT7-07 time code into e. A time code LT (or none) is local time at
// the status's place, which the caller resolves: readTime returns the
// wall-clock reading and local set, and leaves e as it is.
func readTime(e *schemas.ScanEvent, date, clock, code string) (w zone.Wall, local bool, err error) {
	if len(clock) == 8 {
		clock = clock[:6] // hundredths of a second
	}
	w, err = carrier.DateTimeDigits(date, clock)
	if err != nil {
		return w, false, fmt.Errorf("AT7 date/time: %w", err)
	}
	code = strings.ToUpper(code)
	if off, ok := fixedCodes[code]; ok {
		return w, false, carrier.SetOffset(e, w, off)
	}
	if name, ok := zonedCodes[code]; ok {
		loc, err := zone.Zone{Name: name}.Load()
		if err != nil {
			return w, false, err
		}
		carrier.SetInstant(e, zone.Instant(w, loc))
		return w, false, nil
	}
	if code != "LT" && code != "" {
		return w, false, fmt.Errorf("AT7-07 time code %q not known", code)
	}
	return w, true, nil
}

// fixedCodes are the X12 time codes (element 623) with a fixed offset.
var fixedCodes = map[string]int{
	"UT": 0, "GM": 0, "Z": 0,
	"ED": -4 * 60, "ES": -5 * 60, "CD": -5 * 60, "CS": -6 * 60, "MD": -6 * 60, "MS": -7 * 60,
	"PD": -7 * 60, "PS": -8 * 60, "AD": -8 * 60, "AS": -9 * 60, "HD": -9 * 60, "HS": -10 * 60,
	"TD": -3 * 60, "TS": -4 * 60, "ND": -150, "NS": -210,
}

// zonedCodes are the X12 time codes that name a zone whose offset depends
// on the date (daylight time).
var zonedCodes = map[string]string{
	"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
	"PT": "America/Los_Angeles", "AT": "America/Anchorage", "HT": "Pacific/Honolulu",
	"TT": "America/Halifax", "NT": "America/St_Johns",
}

func countryOfRegion(region string) string {
	if region == "" {
		return ""
	}
	if _, err := zone.Resolve(schemas.Location{Region: region, Country: "US"}); err == nil {
		return "US"
	}
	return ""
}

// scacs maps the SCACs of the parcel carriers parcelcast knows by name;
// other carriers keep their SCAC, lower-cased, as carrier name.
var scacs = map[string]string{
	"UPSN": "ups", "UPSS": "ups", "UPGF": "ups", "FDE": "fedex", "FDEG": "fedex", "FDEN": "fedex",
	"FXFE": "fedex", "FXNL": "fedex", "FDXG": "fedex", "FDXE": "fedex", "USPS": "usps", "DHLC": "dhl",
	"DHLG": "dhl", "DHL": "dhl", "EMSY": "ontrac", "ONTC": "ontrac", "LSHP": "lasership", "AMZL": "amazon",
}

func carrierOf(scac string) string {
	scac = strings.ToUpper(strings.TrimSpace(scac))
	if c, ok := scacs[scac]; ok {
		return c
	}
	return strings.ToLower(scac)
}

func describe(at7 segment) string {
	parts := []string{}
	if s := statuses[at7.el(1)].text; s != "" {
		parts = append(parts, s)
	} else if s := statuses[at7.el(3)].text; s != "" {
		parts = append(parts, s)
	}
	r := at7.el(2)
	if r == "" {
		r = at7.el(4)
	}
	if s := reasons[r].text; s != "" && r != "NS" {
		parts = append(parts, s)
	}
	return strings.Join(parts, ": ")
}
