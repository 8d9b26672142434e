// Package milestones finds the milestones of shipments as the live state
// changes them (shipped, arrived at the destination facility, out for
// delivery, …) and publishes each exactly once per shipment: what it
// published is remembered in memory and in a table, and read back at
// start, so that duplicate or late scans, replays of the topic and
// restarts publish nothing twice.
package milestones

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// Kinds lists every milestone in journey order.
var Kinds = []schemas.MilestoneKind{
	schemas.MilestoneShipped, schemas.MilestoneArrivedAtFacility, schemas.MilestoneOutForDelivery,
	schemas.MilestoneDeliveryAttempted, schemas.MilestoneAvailableForPickup, schemas.MilestoneDelivered,
	schemas.MilestoneException, schemas.MilestoneReturnedToSender,
}

// kindBit is a kind's bit in a set of kinds (its index in Kinds).
func kindBit(k schemas.MilestoneKind) uint16 {
	for i, v := range Kinds {
		if v == k {
			return 1 << i
		}
	}
	return 0
}

// Reached is a milestone a shipment has reached: its kind and the scan
// that reached it first.
type Reached struct {
	Kind     schemas.MilestoneKind
	At       time.Time
	Location schemas.Location
}

// possession is whether a status means the carrier holds the parcel: a
// label (info_received), a cancellation, an exception or an unknown code
// do not.
func possession(s schemas.Status) bool {
	switch s {
	case schemas.StatusPickedUp, schemas.StatusInTransit, schemas.StatusArrivedAtFacility,
		schemas.StatusDepartedFacility, schemas.StatusOutForDelivery, schemas.StatusDeliveryAttempted,
		schemas.StatusAvailableForPickup, schemas.StatusDelivered, schemas.StatusReturnedToSender:
		return true
	}
	return false
}

// lastMile is whether a status is past the last facility: the parcel is
// on the van, at the door or at the pickup point.
func lastMile(s schemas.Status) bool {
	switch s {
	case schemas.StatusOutForDelivery, schemas.StatusDeliveryAttempted,
		schemas.StatusAvailableForPickup, schemas.StatusDelivered:
		return true
	}
	return false
}

// statusKind is the milestone a status reaches by itself.
var statusKind = map[schemas.Status]schemas.MilestoneKind{
	schemas.StatusOutForDelivery:     schemas.MilestoneOutForDelivery,
	schemas.StatusDeliveryAttempted:  schemas.MilestoneDeliveryAttempted,
	schemas.StatusAvailableForPickup: schemas.MilestoneAvailableForPickup,
	schemas.StatusDelivered:          schemas.MilestoneDelivered,
	schemas.StatusException:          schemas.MilestoneException,
	schemas.StatusReturnedToSender:   schemas.MilestoneReturnedToSender,
}

// Detect returns the milestones the shipment has reached, in the order of
// Kinds, each at the earliest scan that reached it, whatever order the
// scans arrived in:
//   - shipped: the first scan in the carrier's possession (picked up or
//     later; a label is not);
//   - arrived at the destination facility: the first arrived_at_facility
//     scan in the destination's area (InDestinationArea); failing one, once
//     the parcel is past the last facility (out for delivery, attempted,
//     at a pickup point or delivered), the last arrived_at_facility scan
//     before that, else the last departed_facility scan before it;
//   - out for delivery, delivery attempted, available for pickup,
//     delivered, exception and returned to sender: the first scan of that
//     status.
func Detect(sh predict.Shipment) []Reached {
	scans := timeline(sh)
	first := make(map[schemas.MilestoneKind]int, len(Kinds))
	take := func(k schemas.MilestoneKind, i int) {
		if j, ok := first[k]; !ok || scans[i].Time.Before(scans[j].Time) {
			first[k] = i
		}
	}
	lastMileAt := -1
	for i, sc := range scans {
		if possession(sc.Status) {
			take(schemas.MilestoneShipped, i)
		}
		if k, ok := statusKind[sc.Status]; ok {
			take(k, i)
		}
		if sc.Status == schemas.StatusArrivedAtFacility && InDestinationArea(sc.Location, sh.Destination) {
			take(schemas.MilestoneArrivedAtFacility, i)
		}
		if lastMile(sc.Status) && (lastMileAt < 0 || sc.Time.Before(scans[lastMileAt].Time)) {
			lastMileAt = i
		}
	}
	if _, ok := first[schemas.MilestoneArrivedAtFacility]; !ok && lastMileAt >= 0 {
		if i := lastFacilityBefore(scans, scans[lastMileAt].Time); i >= 0 {
			first[schemas.MilestoneArrivedAtFacility] = i
		}
	}
	out := make([]Reached, 0, len(first))
	for _, k := range Kinds {
		if i, ok := first[k]; ok {
			out = append(out, Reached{Kind: k, At: scans[i].Time, Location: scans[i].Location})
		}
	}
	return out
}

// lastFacilityBefore is the index of the latest arrived_at_facility scan
// before t, else of the latest departed_facility scan before it, else -1.
func lastFacilityBefore(scans []predict.TimelineScan, t time.Time) int {
	best := [2]int{-1, -1} // arrived, departed
	for i, sc := range scans {
		slot := -1
		switch sc.Status {
		case schemas.StatusArrivedAtFacility:
			slot = 0
		case schemas.StatusDepartedFacility:
			slot = 1
		}
		if slot < 0 || !sc.Time.Before(t) {
			continue
		}
		if j := best[slot]; j < 0 || scans[j].Time.Before(sc.Time) {
			best[slot] = i
		}
	}
	if best[0] >= 0 {
		return best[0]
	}
	return best[1]
}

// InDestinationArea reports whether a scan's place lies in the
// destination's area: the same postal area (model.Areas' finest level: a
// US sectional centre, the first three characters of the postal code
// elsewhere) when both give a postal code; otherwise the same country and
// region and, when both name one, the same city. A place too vague to tell
// (no country, or no region without a postal code) is not in it.
func InDestinationArea(place, dest schemas.Location) bool {
	if strings.TrimSpace(place.PostalCode) != "" && strings.TrimSpace(dest.PostalCode) != "" {
		p, d := model.Areas(place), model.Areas(dest)
		return p[len(p)-1] == d[len(d)-1] && p[0] != "?"
	}
	same := func(a, b string) bool { return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b)) }
	if strings.TrimSpace(place.Country) == "" || !same(place.Country, dest.Country) ||
		strings.TrimSpace(place.Region) == "" || !same(place.Region, dest.Region) {
		return false
	}
	if strings.TrimSpace(place.City) != "" && strings.TrimSpace(dest.City) != "" {
		return same(place.City, dest.City)
	}
	return true
}

// timeline is the shipment's scans in full, or built from the journey's
// scans (without places) when the timeline is not held.
func timeline(sh predict.Shipment) []predict.TimelineScan {
	if len(sh.Timeline) == len(sh.Scans) {
		return sh.Timeline
	}
	out := make([]predict.TimelineScan, len(sh.Scans))
	for i, sc := range sh.Scans {
		out[i] = predict.TimelineScan{Time: sc.Time, Status: sc.Status, OffsetMinutes: sc.OffsetMinutes}
	}
	return out
}

// Start is the time of the shipment's first scan, zero when it has none.
func Start(sh predict.Shipment) time.Time {
	var t time.Time
	for _, sc := range sh.Scans {
		if t.IsZero() || sc.Time.Before(t) {
			t = sc.Time
		}
	}
	return t
}

// ID is a milestone's deterministic id: a hash of the carrier, the
// tracking number, the shipment key, the shipment's first scan and the
// kind, so a replay or a restart that finds the milestone again gives it
// the same id.
func ID(carrier, trackingNumber, shipmentKey string, start time.Time, kind schemas.MilestoneKind) string {
	h := sha256.New()
	for _, s := range []string{carrier, trackingNumber, shipmentKey, start.UTC().Format(time.RFC3339Nano), string(kind)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "ms_" + hex.EncodeToString(h.Sum(nil)[:16])
}
