package sim

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// reuseSilence is the least time between a shipment's delivery and the
// label of the next shipment under its number.
const reuseSilence = 3 * 24 * time.Hour

// reusePool is how many delivered numbers per carrier wait to be reused:
// the generator's memory stays constant.
const reusePool = 64

// reuser hands a share of new shipments the number of an earlier
// delivered shipment of the same carrier, as carriers reuse numbers: the
// number's scans then hold a delivery, a silence and a new label.
type reuser struct {
	rate float64
	rng  *rand.Rand
	// delivered are each carrier's delivered numbers, oldest first, with
	// their last scan's time.
	delivered map[string][]deliveredNumber
}

type deliveredNumber struct {
	number string
	last   time.Time
}

func newReuser(rate float64, rng *rand.Rand) reuser {
	return reuser{rate: rate, rng: rng, delivered: map[string][]deliveredNumber{}}
}

// take gives s, whose carrier and label time are set, the oldest
// delivered number of its carrier if its last scan is reuseSilence before
// the label, at the reuse rate.
func (r *reuser) take(s *Shipment) {
	if r.rate <= 0 || r.rng.Float64() >= r.rate {
		return
	}
	pool := r.delivered[s.Carrier]
	if len(pool) == 0 || pool[0].last.Add(reuseSilence).After(s.LabelTime) {
		return
	}
	s.TrackingNumber = pool[0].number
	r.delivered[s.Carrier] = pool[1:]
}

// done offers the number of s for reuse if s was delivered and its
// delivery scan is in the feed.
func (r *reuser) done(s *Shipment) {
	if r.rate <= 0 || len(s.Scans) == 0 || s.Scans[len(s.Scans)-1].Status != schemas.StatusDelivered {
		return
	}
	// A full pool keeps its oldest numbers: they are the ones whose
	// silence has lasted long enough to be reused.
	if pool := r.delivered[s.Carrier]; len(pool) < reusePool {
		r.delivered[s.Carrier] = append(pool, deliveredNumber{s.TrackingNumber, s.Scans[len(s.Scans)-1].EventTime})
	}
}

// shipmentKey is the carrier's id of shipment i under number, in the
// shape of FedEx's trackingNumberUniqueId.
func shipmentKey(i int, number string) string {
	return strconv.Itoa(12000+i) + "~" + number + "~FX"
}
