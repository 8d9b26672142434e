package milestones_test

import (
	"slices"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/milestones"
	"github.com/parcelcast/parcelcast/schemas"
)

var t0 = time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)

// scan is a scan of a test shipment: hours after t0, a status, a place.
type scan struct {
	h      int
	status schemas.Status
	place  schemas.Location
}

var (
	atlanta = schemas.Location{City: "Atlanta", Region: "GA", PostalCode: "30301", Country: "US"}
	hub     = schemas.Location{City: "Louisville", Region: "KY", PostalCode: "40201", Country: "US"}
	denver  = schemas.Location{City: "Denver", Region: "CO", PostalCode: "80202", Country: "US"}
	aurora  = schemas.Location{City: "Aurora", Region: "CO", PostalCode: "80010", Country: "US"}
	dest    = schemas.Location{City: "Denver", Region: "CO", PostalCode: "80205", Country: "US"}
)

// shipment builds a shipment to dest, its scans in the order given (the
// live state sorts them; Detect must not rely on it).
func shipment(scans ...scan) predict.Shipment {
	sh := predict.Shipment{Journey: model.Journey{TrackingNumber: "1Z999AA10123456784", Carrier: "ups",
		Origin: atlanta, Destination: dest}}
	for _, s := range scans {
		at := t0.Add(time.Duration(s.h) * time.Hour)
		sh.Scans = append(sh.Scans, model.Scan{Time: at, Status: s.status})
		sh.Timeline = append(sh.Timeline, predict.TimelineScan{Time: at, Status: s.status, Location: s.place})
	}
	return sh
}

// got is a milestone reached, as the table states it.
type got struct {
	kind schemas.MilestoneKind
	h    int
}

func TestDetect(t *testing.T) {
	const (
		info      = schemas.StatusInfoReceived
		picked    = schemas.StatusPickedUp
		transit   = schemas.StatusInTransit
		arrived   = schemas.StatusArrivedAtFacility
		departed  = schemas.StatusDepartedFacility
		ofd       = schemas.StatusOutForDelivery
		attempted = schemas.StatusDeliveryAttempted
		pickup    = schemas.StatusAvailableForPickup
		delivered = schemas.StatusDelivered
		exception = schemas.StatusException
		returned  = schemas.StatusReturnedToSender
		cancelled = schemas.StatusCancelled
		unknown   = schemas.StatusUnknown
	)
	cases := []struct {
		name  string
		scans []scan
		want  []got
	}{
		{"a label alone is no milestone", []scan{{0, info, atlanta}}, nil},
		{"a cancelled label is none either", []scan{{0, info, atlanta}, {5, cancelled, atlanta}, {6, unknown, atlanta}}, nil},
		{"shipped at pickup", []scan{{0, info, atlanta}, {2, picked, atlanta}, {5, transit, hub}},
			[]got{{schemas.MilestoneShipped, 2}}},
		{"shipped at the first movement without a pickup scan", []scan{{0, info, atlanta}, {4, arrived, hub}},
			[]got{{schemas.MilestoneShipped, 4}}},
		{"an exception before pickup is not possession", []scan{{0, info, atlanta}, {1, exception, atlanta}},
			[]got{{schemas.MilestoneException, 1}}},
		{"every kind of a full journey", []scan{
			{0, info, atlanta}, {2, picked, atlanta}, {6, arrived, hub}, {8, departed, hub},
			{20, arrived, denver}, {30, ofd, denver}, {34, attempted, dest}, {40, exception, dest},
			{50, pickup, denver}, {60, delivered, denver}},
			[]got{{schemas.MilestoneShipped, 2}, {schemas.MilestoneArrivedAtFacility, 20}, {schemas.MilestoneOutForDelivery, 30},
				{schemas.MilestoneDeliveryAttempted, 34}, {schemas.MilestoneAvailableForPickup, 50}, {schemas.MilestoneDelivered, 60},
				{schemas.MilestoneException, 40}}},
		{"returned to sender", []scan{{2, picked, atlanta}, {10, exception, hub}, {30, returned, atlanta}},
			[]got{{schemas.MilestoneShipped, 2}, {schemas.MilestoneException, 10}, {schemas.MilestoneReturnedToSender, 30}}},
		{"duplicate scans: the first of each", []scan{{2, picked, atlanta}, {2, picked, atlanta}, {20, arrived, denver},
			{21, arrived, denver}, {30, ofd, denver}, {31, ofd, denver}},
			[]got{{schemas.MilestoneShipped, 2}, {schemas.MilestoneArrivedAtFacility, 20}, {schemas.MilestoneOutForDelivery, 30}}},
		{"out of order: the earliest scan wins", []scan{{30, ofd, denver}, {20, arrived, denver}, {2, picked, atlanta},
			{8, departed, hub}, {25, arrived, denver}, {31, ofd, denver}},
			[]got{{schemas.MilestoneShipped, 2}, {schemas.MilestoneArrivedAtFacility, 20}, {schemas.MilestoneOutForDelivery, 30}}},
		{"a hub outside the destination's area is not its facility", []scan{{2, picked, atlanta}, {6, arrived, hub}},
			[]got{{schemas.MilestoneShipped, 2}}},
		{"same region, another postal area is not it", []scan{{2, picked, atlanta}, {6, arrived, aurora}},
			[]got{{schemas.MilestoneShipped, 2}}},
		{"fallback: the last facility before the last mile", []scan{{2, picked, atlanta}, {6, arrived, hub},
			{9, arrived, aurora}, {12, departed, aurora}, {20, ofd, dest}},
			[]got{{schemas.MilestoneShipped, 2}, {schemas.MilestoneArrivedAtFacility, 9}, {schemas.MilestoneOutForDelivery, 20}}},
		{"fallback to a departure when no arrival was scanned", []scan{{2, picked, atlanta}, {12, departed, aurora},
			{22, delivered, dest}},
			[]got{{schemas.MilestoneShipped, 2}, {schemas.MilestoneArrivedAtFacility, 12}, {schemas.MilestoneDelivered, 22}}},
		{"no fallback before the last mile", []scan{{2, picked, atlanta}, {9, arrived, aurora}},
			[]got{{schemas.MilestoneShipped, 2}}},
		{"the fallback ignores facilities after the last mile began", []scan{{2, picked, atlanta}, {9, arrived, hub},
			{20, ofd, dest}, {25, arrived, aurora}},
			[]got{{schemas.MilestoneShipped, 2}, {schemas.MilestoneArrivedAtFacility, 9}, {schemas.MilestoneOutForDelivery, 20}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var have []got
			for _, r := range milestones.Detect(shipment(c.scans...)) {
				have = append(have, got{r.Kind, int(r.At.Sub(t0) / time.Hour)})
			}
			if !slices.Equal(have, c.want) {
				t.Fatalf("Detect = %v, want %v", have, c.want)
			}
		})
	}
}

func TestDetectTimelineMissing(t *testing.T) {
	sh := shipment(scan{2, schemas.StatusPickedUp, atlanta}, scan{9, schemas.StatusDelivered, dest})
	sh.Timeline = nil
	r := milestones.Detect(sh)
	if len(r) != 2 || r[0].Kind != schemas.MilestoneShipped || r[1].Kind != schemas.MilestoneDelivered {
		t.Fatalf("Detect without a timeline = %+v", r)
	}
}

func TestInDestinationArea(t *testing.T) {
	cases := []struct {
		name        string
		place, dest schemas.Location
		want        bool
	}{
		{"same US sectional centre", denver, dest, true},
		{"another sectional centre", aurora, dest, false},
		{"postal codes spelled differently", schemas.Location{Country: "GB", PostalCode: "ec1a 1bb"},
			schemas.Location{Country: "GB", PostalCode: "EC1A2AA"}, true},
		{"same prefix in another country", schemas.Location{Country: "DE", PostalCode: "10115"},
			schemas.Location{Country: "AT", PostalCode: "10115"}, false},
		{"no postal code: region and city", schemas.Location{City: "denver", Region: "co", Country: "us"},
			schemas.Location{City: "Denver", Region: "CO", Country: "US", PostalCode: "80205"}, true},
		{"no postal code: another city", schemas.Location{City: "Aurora", Region: "CO", Country: "US"}, dest, false},
		{"no postal code, no city: the region", schemas.Location{Region: "SP", Country: "BR"},
			schemas.Location{City: "Campinas", Region: "SP", Country: "BR"}, true},
		{"no postal code, no region: cannot tell", schemas.Location{City: "Denver", Country: "US"}, dest, false},
		{"nothing known", schemas.Location{}, dest, false},
		{"a destination with nothing known", denver, schemas.Location{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := milestones.InDestinationArea(c.place, c.dest); got != c.want {
				t.Fatalf("InDestinationArea(%+v, %+v) = %v, want %v", c.place, c.dest, got, c.want)
			}
		})
	}
}

func TestID(t *testing.T) {
	base := milestones.ID("ups", "1Z1", "", t0, schemas.MilestoneShipped)
	if base != milestones.ID("ups", "1Z1", "", t0.In(time.FixedZone("x", 3600)), schemas.MilestoneShipped) {
		t.Fatal("the id depends on the start's zone")
	}
	for name, other := range map[string]string{
		"carrier":    milestones.ID("fedex", "1Z1", "", t0, schemas.MilestoneShipped),
		"number":     milestones.ID("ups", "1Z2", "", t0, schemas.MilestoneShipped),
		"key":        milestones.ID("ups", "1Z1", "k", t0, schemas.MilestoneShipped),
		"start":      milestones.ID("ups", "1Z1", "", t0.Add(time.Nanosecond), schemas.MilestoneShipped),
		"kind":       milestones.ID("ups", "1Z1", "", t0, schemas.MilestoneDelivered),
		"boundaries": milestones.ID("ups1", "Z1", "", t0, schemas.MilestoneShipped),
	} {
		if other == base {
			t.Errorf("the id does not depend on the %s", name)
		}
	}
}
