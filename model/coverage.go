package model

// LaneLevel is the finest level at which a model has seen a lane, from
// the lane itself down to nothing at all.
type LaneLevel int

// Lane levels, finest first.
const (
	LevelPostalLane     LaneLevel = iota // the lane between the two postal prefixes
	LevelRegionLane                      // the lane between the two regions
	LevelCountryLane                     // the lane between the two countries
	LevelCarrierService                  // the carrier's service, not this lane
	LevelCarrier                         // the carrier, not this service
	LevelGlobal                          // nothing of the carrier: the global terms alone
)

var laneLevelNames = [...]string{"postal_lane", "region_lane", "country_lane", "carrier_service", "carrier", "global"}

// String is the level's name in API answers and metrics.
func (l LaneLevel) String() string { return laneLevelNames[l] }

// Coverage is what a model knows of a snapshot's lane.
type Coverage struct {
	Level LaneLevel
	// The parts of the lane the features have never seen.
	UnknownCarrier, UnknownService bool
	UnknownOrigin, UnknownDest     bool
}

// Known reports whether the model has seen the carrier, the service and
// both areas.
func (c Coverage) Known() bool {
	return !c.UnknownCarrier && !c.UnknownService && !c.UnknownOrigin && !c.UnknownDest
}

// Coverage says at which level the model knows s's lane: the finest lane
// key its fit's offsets or its lane baselines hold, else its carrier's
// service or carrier in the features, else nothing.
func (m *Model) Coverage(s Snapshot) Coverage {
	e := m.enc
	_, csKnown := e.cs[[2]string{s.Carrier, s.Service}]
	carrierKnown := csKnown
	if !carrierKnown {
		for k := range e.cs {
			if k[0] == s.Carrier {
				carrierKnown = true
				break
			}
		}
	}
	_, oKnown := e.orig[s.OriginArea]
	_, dKnown := e.dest[s.DestArea]
	c := Coverage{UnknownCarrier: !carrierKnown, UnknownService: carrierKnown && !csKnown,
		UnknownOrigin: !oKnown, UnknownDest: !dKnown}
	keys := laneKeysOfSnapshot(&s)
	f := m.fitFor(&s)
	seen := func(k string) bool {
		if k == "" {
			return false
		}
		if _, ok := f.LaneOffsets[k]; ok {
			return true
		}
		_, ok := m.Baselines.LaneMedianHours[k]
		return ok
	}
	_, laneFeature := e.lanes[[2]string{s.OriginArea, s.DestArea}]
	switch {
	case !csKnown && carrierKnown:
		c.Level = LevelCarrier
	case !carrierKnown:
		c.Level = LevelGlobal
	case seen(keys[areaPostal]) && keys[areaPostal] != keys[areaRegion]:
		c.Level = LevelPostalLane
	case seen(keys[areaRegion]) || laneFeature:
		c.Level = LevelRegionLane
	case seen(keys[areaCountry]):
		c.Level = LevelCountryLane
	default:
		c.Level = LevelCarrierService
	}
	return c
}
