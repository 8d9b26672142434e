package dhl

import (
	"strings"

	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
	"github.com/parcelcast/parcelcast/schemas"
)

// statedPlace is the place a DHL location without a country code names in
// its locality: DHL Express writes "CITY - COUNTRY" or "CITY, ST - COUNTRY"
// ("CINCINNATI HUB, OH - USA", "KARACHI - PAKISTAN"), the country by its
// English name. It is the zone place of a scan whose place has no zone of
// its own, tried before the other scans; the zero Location when l has a
// country code or its locality names no known country.
func statedPlace(l schemas.Location) schemas.Location {
	if l.Country != "" {
		return schemas.Location{}
	}
	i := strings.LastIndex(l.City, " - ")
	if i < 0 {
		return schemas.Location{}
	}
	c := zone.CountryCode(l.City[i+3:])
	if _, ok := zone.OfCountry(c); !ok || len(c) != 2 {
		return schemas.Location{}
	}
	stated := schemas.Location{Country: c}
	switch c {
	case "US", "CA", "AU", "BR": // the countries whose zones go by state
		if head := l.City[:i]; len(head) > 4 && head[len(head)-4] == ',' && head[len(head)-3] == ' ' {
			stated.Region = strings.ToUpper(head[len(head)-2:]) // "…, OH"
		}
		if _, err := zone.Resolve(stated); err != nil {
			stated.Region = "" // not one of its states: the country alone
		}
	}
	return stated
}

// zonePlace is where a scan's zone is looked for: its place, with the
// country and region its locality names when it has no country code.
func zonePlace(l schemas.Location) schemas.Location {
	if s := statedPlace(l); s.Country != "" {
		l.Country, l.Region = s.Country, s.Region
	}
	return l
}
