package model

import (
	"strings"

	"github.com/parcelcast/parcelcast/schemas"
)

// Area levels, from the coarsest: a lane is known at each, and the lane
// offsets and lane baselines go as deep as the history supports.
const (
	areaCountry = iota // "BR"
	areaRegion         // "BR-SP"; in the US the first ZIP digit, "US1"
	areaPostal         // "BR-SP:010", "US1:100": the region and a postal prefix
	areaLevels         // how many there are
)

// postalPrefixLen is how many leading characters of a postal code name
// the finest area: a US sectional centre, a Brazilian CEP sector.
const postalPrefixLen = 3

// AreaPath names a location's area at every level, coarsest first. A
// level the location says nothing more about repeats the one above it.
type AreaPath [areaLevels]string

// Areas is the path of areas of a location: its country, its region (the
// state or province it gives; in the US the first ZIP digit, the ten
// national areas) and its postal prefix within that region.
func Areas(l schemas.Location) AreaPath {
	postal := postalKey(l.PostalCode)
	country := strings.ToUpper(strings.TrimSpace(l.Country))
	var p AreaPath
	switch {
	case (country == "US" || country == "") && postal != "" && postal[0] >= '0' && postal[0] <= '9':
		p[areaCountry], p[areaRegion] = "US", "US"+postal[:1]
	case country == "":
		return AreaPath{"?", "?", "?"}
	default:
		p[areaCountry], p[areaRegion] = country, country
		// A US place without a ZIP is the country's area, as every US
		// region is a ZIP digit.
		if r := strings.ToUpper(strings.TrimSpace(l.Region)); r != "" && country != "US" {
			p[areaRegion] = country + "-" + r
		}
	}
	p[areaPostal] = p[areaRegion]
	if postal != "" {
		p[areaPostal] += ":" + postal[:min(len(postal), postalPrefixLen)]
	}
	return p
}

// postalKey is a postal code upper-cased without spaces or dashes, so
// "ec1a 1bb" and "EC1A1BB" share a prefix.
func postalKey(code string) string {
	code = strings.TrimSpace(code)
	clean := true
	for i := 0; i < len(code); i++ {
		if c := code[i]; c == ' ' || c == '-' || c >= 'a' && c <= 'z' {
			clean = false
			break
		}
	}
	if clean {
		return code
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.ToUpper(code))
}

// Area is the region of a location (see Areas): the level the lane
// features of the ridge fit use.
func Area(l schemas.Location) string { return Areas(l)[areaRegion] }

// laneKeys are a lane's keys at every area level, coarsest first.
type laneKeys [areaLevels]string

// laneKeysFor are the lane keys of a carrier's service between two area
// paths.
func laneKeysFor(carrier, service string, o, d AreaPath) laneKeys {
	var k laneKeys
	for l := range k {
		k[l] = Lane(carrier, service, o[l], d[l])
	}
	return k
}

// laneKeysOf are the lane keys of a journey.
func laneKeysOf(j *Journey) laneKeys {
	return laneKeysFor(j.Carrier, j.Service, Areas(j.Origin), Areas(j.Destination))
}

// laneKeysOfSnapshot are the lane keys of a snapshot. A snapshot made
// with its region areas only (OriginArea, DestArea) has those keys at
// the region level and none below or above it.
func laneKeysOfSnapshot(s *Snapshot) laneKeys {
	if s.OriginAreas[areaRegion] == s.OriginArea && s.DestAreas[areaRegion] == s.DestArea && s.OriginArea != "" {
		return laneKeysFor(s.Carrier, s.Service, s.OriginAreas, s.DestAreas)
	}
	var k laneKeys
	k[areaRegion] = Lane(s.Carrier, s.Service, s.OriginArea, s.DestArea)
	return k
}

// offsetOf is the offset of the finest of keys that m holds, 0 when it
// holds none: a lane first seen at serving time gets its region's or
// country's offset.
func offsetOf(m map[string]float64, keys *laneKeys) float64 {
	for l := len(keys) - 1; l >= 0; l-- {
		if v, ok := m[keys[l]]; ok {
			return v
		}
	}
	return 0
}
