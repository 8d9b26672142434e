package model

import (
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// JourneyGap is the silence after which a label or pickup scan under a
// tracking number is a new shipment's, though no delivery came before it:
// carriers reuse numbers (FedEx after about 90 days), and a parcel does
// not lie unscanned for a month and then get a new label.
const JourneyGap = 30 * 24 * time.Hour

// StartsJourney reports whether scan cur, which follows prev in time
// among one carrier's scans of one number and shipment key, begins a new
// shipment: it is a label or a pickup and comes after a delivery of the
// current journey (delivered says whether there was one) or after a
// silence of more than JourneyGap.
func StartsJourney(prev, cur Scan, delivered bool) bool {
	if cur.Status != schemas.StatusInfoReceived && cur.Status != schemas.StatusPickedUp {
		return false
	}
	return delivered || cur.Time.Sub(prev.Time) > JourneyGap
}

// JourneyStarts appends to dst the index of the first scan of every
// journey in scans, which must be one carrier's scans of one number and
// shipment key in time order: 0, and every scan that StartsJourney. A
// carrier's own shipment key, where it sends one, already tells two
// shipments apart; the rule covers the numbers without one.
func JourneyStarts(dst []int, scans []Scan) []int {
	if len(scans) == 0 {
		return dst
	}
	dst = append(dst, 0)
	delivered := scans[0].Status == schemas.StatusDelivered
	for i := 1; i < len(scans); i++ {
		if StartsJourney(scans[i-1], scans[i], delivered) {
			dst = append(dst, i)
			delivered = false
		}
		if scans[i].Status == schemas.StatusDelivered {
			delivered = true
		}
	}
	return dst
}
