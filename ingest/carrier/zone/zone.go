// Package zone resolves the time zone of a scan location, for carriers that
// send local wall-clock time without an offset (UPS activity times, USPS
// eventTimestamp, DHL timestamps without offset, EDI 214 "LT" times).
//
// Resolution uses the location's country, US state or territory (or the
// Canadian province, Australian or Brazilian state), and for
// the US states split between two zones the three-digit ZIP prefix. A
// multi-zone country without finer data resolves to its capital's zone and
// is reported as approximate. Zone data comes from Go's embedded tzdata, so
// results do not depend on the host's /usr/share/zoneinfo.
package zone

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // embedded zone database: same answers on every host

	"github.com/parcelcast/parcelcast/schemas"
)

// ErrUnresolved is returned when a location carries too little to choose
// a time zone (no country, or a US location with neither state nor ZIP).
var ErrUnresolved = errors.New("no time zone for location")

// Zone is a resolved time zone.
type Zone struct {
	Name string // IANA name, e.g. "America/Phoenix"
	// Approximate is set when the location could lie in another zone of
	// a multi-zone country or state and the most common zone was taken.
	Approximate bool
}

var (
	cacheMu sync.RWMutex
	cache   = map[string]*time.Location{}
)

// Load returns the *time.Location of the zone, cached.
func (z Zone) Load() (*time.Location, error) {
	cacheMu.RLock()
	loc, ok := cache[z.Name]
	cacheMu.RUnlock()
	if ok {
		return loc, nil
	}
	loc, err := time.LoadLocation(z.Name)
	if err != nil {
		return nil, fmt.Errorf("load zone %s: %w", z.Name, err)
	}
	cacheMu.Lock()
	cache[z.Name] = loc
	cacheMu.Unlock()
	return loc, nil
}

// Resolve chooses the time zone of a location.
func Resolve(l schemas.Location) (Zone, error) {
	country := strings.ToUpper(strings.TrimSpace(l.Country))
	region := strings.ToUpper(strings.TrimSpace(l.Region))
	zip := strings.TrimSpace(l.PostalCode)
	if country == "" && (region != "" || zip != "") {
		// US carriers often leave the country out of domestic scans.
		if _, ok := usStates[region]; ok || region == "" && isZIP(zip) {
			country = "US"
		}
	}
	// US territories have their own ISO codes but appear as US states too.
	if country == "US" {
		if t, ok := usTerritories[region]; ok {
			return Zone{Name: t}, nil
		}
	}
	if t, ok := usTerritories[country]; ok {
		return Zone{Name: t}, nil
	}
	switch country {
	case "":
		return Zone{}, fmt.Errorf("%w: no country, state or ZIP", ErrUnresolved)
	case "US":
		return resolveUS(region, zip)
	case "CA":
		if z, ok := caProvinces[region]; ok {
			return z, nil
		}
	case "AU":
		if z, ok := auStates[region]; ok {
			return Zone{Name: z}, nil
		}
	case "BR":
		if z, ok := brStates[region]; ok {
			return z, nil
		}
	}
	if z, ok := countries[country]; ok {
		return z, nil
	}
	return Zone{}, fmt.Errorf("%w: country %q not in the zone table", ErrUnresolved, country)
}

// OfCountry is the zone of a country given by its ISO code, whatever
// the place within it: the country's only zone, or the main one of a
// country of several (the United States' is New York's), flagged
// approximate. It is the last resort for a scan whose shipment names no
// finer place.
func OfCountry(code string) (Zone, bool) {
	if t, ok := usTerritories[code]; ok {
		return Zone{Name: t}, true
	}
	z, ok := countries[code]
	return z, ok
}

// IsUSState reports whether code is the two-letter code of a US state,
// of DC or of a US territory.
func IsUSState(code string) bool {
	_, state := usStates[code]
	_, territory := usTerritories[code]
	return state || territory
}

func isZIP(s string) bool {
	if len(s) < 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func resolveUS(state, zip string) (Zone, error) {
	if isZIP(zip) {
		if name, ok := zip3Overrides[zip[:3]]; ok {
			return Zone{Name: name}, nil
		}
		if state == "" {
			if st, ok := stateOfZIP3(zip[:3]); ok {
				state = st
			}
			if t, ok := usTerritories[state]; ok {
				return Zone{Name: t}, nil
			}
		}
	}
	z, ok := usStates[state]
	if !ok {
		if state == "" {
			return Zone{}, fmt.Errorf("%w: US location without state or known ZIP", ErrUnresolved)
		}
		return Zone{}, fmt.Errorf("%w: unknown US state %q", ErrUnresolved, state)
	}
	// A split state resolved without a ZIP that decides it: the state's
	// main zone, flagged.
	if splitStates[state] && !isZIP(zip) {
		z.Approximate = true
	}
	return z, nil
}

// CountryCode returns the ISO 3166-1 alpha-2 code of a country given as a
// code or as its English name; "" for an empty input, the input upper-cased
// when it is neither a known code nor a known name.
func CountryCode(s string) string {
	c := strings.ToUpper(strings.TrimSpace(s))
	if len(c) <= 2 {
		return c
	}
	if code, ok := countryNames[c]; ok {
		return code
	}
	return c
}

// Wall is a local wall-clock reading without an offset.
type Wall struct {
	Year, Month, Day, Hour, Minute, Second int
}

// Instant turns a wall-clock reading at loc into an instant. A wall time
// that occurs twice (the hour repeated when clocks go back) or never (the
// hour skipped when clocks go forward) resolves to the earlier of the two
// candidate instants, so the same input always gives the same answer.
func Instant(w Wall, loc *time.Location) time.Time {
	// The wall time read as if it were UTC, then shifted by the offsets in
	// force a day either side: around a transition one of them is right.
	asUTC := time.Date(w.Year, time.Month(w.Month), w.Day, w.Hour, w.Minute, w.Second, 0, time.UTC)
	_, before := asUTC.Add(-24 * time.Hour).In(loc).Zone()
	_, after := asUTC.Add(24 * time.Hour).In(loc).Zone()
	var valid []time.Time
	cands := []time.Time{asUTC.Add(-time.Duration(before) * time.Second), asUTC.Add(-time.Duration(after) * time.Second)}
	for _, c := range cands {
		_, off := c.In(loc).Zone()
		if c.Add(time.Duration(off) * time.Second).Equal(asUTC) {
			valid = append(valid, c)
		}
	}
	if len(valid) == 0 {
		valid = cands // in a gap: neither reading exists, take the earlier
	}
	t := valid[0]
	for _, c := range valid[1:] {
		if c.Before(t) {
			t = c
		}
	}
	return t.In(loc)
}

// Local resolves the zone of l and returns the instant of the wall time
// there, with the offset in minutes and whether the zone was approximate.
func Local(w Wall, l schemas.Location) (t time.Time, offsetMinutes int, approximate bool, err error) {
	z, err := Resolve(l)
	if err != nil {
		return time.Time{}, 0, false, err
	}
	loc, err := z.Load()
	if err != nil {
		return time.Time{}, 0, false, err
	}
	t = Instant(w, loc)
	_, off := t.Zone()
	return t.UTC(), off / 60, z.Approximate, nil
}

// In returns t as a wall clock in the zone of l, or in UTC when the zone
// of l cannot be resolved. Encoders use it for times carriers send in the
// destination's local time, such as a promised delivery. The zone of each
// place is resolved once.
func In(t time.Time, l schemas.Location) time.Time {
	postal := strings.TrimSpace(l.PostalCode)
	if len(postal) > 3 { // Resolve reads no more than a ZIP3
		postal = postal[:3]
	}
	k := placeKey{l.Country, l.Region, postal}
	if loc, ok := places.Load(k); ok {
		return t.In(loc.(*time.Location))
	}
	loc := time.UTC
	if z, err := Resolve(l); err == nil {
		if zl, err := z.Load(); err == nil {
			loc = zl
		}
	}
	places.Store(k, loc)
	return t.In(loc)
}

// placeKey is what Resolve reads of a location.
type placeKey struct{ country, region, postal string }

// places caches In's zones by country, region and postal prefix: a
// bounded set.
var places sync.Map

// OffsetAt is the UTC offset in minutes of the zone of l at t, or 0 when
// the zone of l cannot be resolved (In gives UTC then).
func OffsetAt(t time.Time, l schemas.Location) int {
	_, off := In(t, l).Zone()
	return off / 60
}
