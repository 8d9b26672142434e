package carrier

import (
	"errors"
	"fmt"

	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
	"github.com/parcelcast/parcelcast/schemas"
)

// Places are where the zone of a scan's local time may come from: the
// scan's own place, and the places of its shipment that stand in for it
// when that place has no zone of its own (a label scan whose address is
// only a country, an "in transit" scan without any place). A zero
// Location stands for no place.
type Places struct {
	// Own is the scan's place.
	Own schemas.Location
	// First is tried before the other scans: the shipper's address for a
	// scan made before pickup, a place the scan names in its text.
	First schemas.Location
	// I is this scan among the payload's N, newest first.
	I, N int
	// Origin and Destination are the shipment's, tried after the scans.
	Origin, Destination schemas.Location
}

// SetLocalNear sets e's time from a local wall-clock reading, in the zone
// ZoneNear finds; OffsetInferred is set, and OffsetApproximate when that
// zone may not be the scan's own.
func SetLocalNear(e *schemas.ScanEvent, w zone.Wall, p Places, scan func(j int) schemas.Location) error {
	if err := checkWall(w); err != nil {
		return err
	}
	z, approx, err := ZoneNear(p, scan)
	if err != nil {
		return fmt.Errorf("local time without offset: %w", err)
	}
	loc, err := z.Load()
	if err != nil {
		return fmt.Errorf("local time without offset: %w", err)
	}
	t := zone.Instant(w, loc)
	_, secs := t.Zone()
	e.EventTime, e.UTCOffsetMinutes, e.OffsetInferred, e.OffsetApproximate = t.UTC(), secs/60, true, approx
	return nil
}

// ZoneNear is the zone a scan's time is read in, and whether it is
// approximate: p.Own's when it has one (approximate when it is the main
// one of a state or country of several). A place that is only a country
// of several zones has none of its own. Otherwise it is the first found
// among p.First, the other scans nearest first (of two at the same
// distance the later, the one the parcel was heading to), p.Origin,
// p.Destination, and at last the main zone of the first country any of
// them names; approximate then. The places beyond p.Own are looked at
// only when it has no zone, so the common scan costs no more than
// resolving its own. scan(j) is the place of scan j of the p.N; it may
// be nil. (It is not a field of Places: a parameter that is only called
// stays on the caller's stack.)
func ZoneNear(p Places, scan func(j int) schemas.Location) (zone.Zone, bool, error) {
	z, err := zone.Resolve(p.Own)
	switch {
	case err == nil && !(z.Approximate && countryOnly(p.Own)):
		return z, z.Approximate, nil
	case err == nil:
		// Only a country of several zones: its main zone is the last
		// resort, after the shipment's finer places.
		err = zone.ErrUnresolved
	case !errors.Is(err, zone.ErrUnresolved):
		return zone.Zone{}, false, err
	}
	ownErr := err
	country := zone.CountryCode(p.Own.Country) // the first country named, for the last resort
	try := func(l schemas.Location) bool {
		if l == (schemas.Location{}) {
			return false // no place: nothing to resolve, no error to build
		}
		if country == "" {
			country = zone.CountryCode(l.Country)
		}
		var err error
		z, err = zone.Resolve(l)
		return err == nil
	}
	found := try(p.First)
	for d := 1; !found && scan != nil && (p.I-d >= 0 || p.I+d < p.N); d++ {
		if j := p.I - d; j >= 0 && j < p.N {
			found = try(scan(j))
		}
		if j := p.I + d; !found && j >= 0 && j < p.N {
			found = try(scan(j))
		}
	}
	if found = found || try(p.Origin) || try(p.Destination); found {
		return z, true, nil
	}
	if z, ok := zone.OfCountry(country); ok {
		return z, true, nil
	}
	return zone.Zone{}, false, ownErr
}

// countryOnly reports whether l names a country and nothing finer.
func countryOnly(l schemas.Location) bool {
	return l.Region == "" && l.PostalCode == "" && l.City == "" && !l.HasCoords
}

// BeforePickup reports whether a scan of status s is made at the shipper's
// before the carrier has the parcel (the label, its voiding): its place is
// then best stood in for by the shipper's address (Places.First).
func BeforePickup(s schemas.Status) bool {
	return s == schemas.StatusInfoReceived || s == schemas.StatusCancelled
}
