package usps

import (
	"strings"

	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
	"github.com/parcelcast/parcelcast/schemas"
)

// xmlPlace is where Web Tools event d happened, as USPS gives it.
func xmlPlace(d *TrackDetail) schemas.Location {
	return schemas.Location{City: d.EventCity, Region: strings.ToUpper(d.EventState), PostalCode: d.EventZIPCode, Country: country(d.EventCountry)}
}

// place is where v3 event ev happened, as USPS gives it.
func (ev *Event) place() schemas.Location {
	zip := ev.EventZIP
	if zip == "" {
		zip = ev.EventZIPCode
	}
	return schemas.Location{City: ev.EventCity, Region: strings.ToUpper(ev.EventState), PostalCode: zip, Country: country(ev.EventCountry)}
}

// statedPlace is the place a USPS scan with neither state nor ZIP names
// in its city: the state of a facility's name ("CHICAGO IL DISTRIBUTION
// CENTER", "ISC NEW YORK NY(USPS)"), or no place. Such a scan is not
// placed at the origin: its zone is this state's, else the next scan's
// place's and the others' nearest first, then the origin's and the
// destination's, and its time is flagged approximate.
func statedPlace(l schemas.Location) schemas.Location {
	if l.Country != "US" || l.Region != "" || l.PostalCode != "" {
		return schemas.Location{}
	}
	if st := stateInCity(l.City); st != "" {
		return schemas.Location{Region: st, Country: "US"}
	}
	return schemas.Location{}
}

// zonePlace is where a scan's zone is looked for: its place, with the
// state its city names when it gives neither state nor ZIP.
func zonePlace(l schemas.Location) schemas.Location {
	if s := statedPlace(l); s.Region != "" {
		l.Region = s.Region
	}
	return l
}

// stateInCity is the US state a USPS facility's name gives after its
// city ("CHICAGO IL DISTRIBUTION CENTER" → IL), or "": the last word of
// two letters that is a state's code and follows another word, so that a
// city named with one ("LA PUENTE", "DE SOTO") is not read as a state.
func stateInCity(city string) string {
	end := len(city)
	for end > 0 {
		for end > 0 && !isLetter(city[end-1]) {
			end--
		}
		start := end
		for start > 0 && isLetter(city[start-1]) {
			start--
		}
		if end-start == 2 && strings.IndexFunc(city[:start], func(r rune) bool { return r < 128 && isLetter(byte(r)) }) >= 0 {
			if st := strings.ToUpper(city[start:end]); zone.IsUSState(st) {
				return st
			}
		}
		end = start
	}
	return ""
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
