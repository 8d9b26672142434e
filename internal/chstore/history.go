package chstore

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// History reads shipments' journeys from scan_events: it is the
// model.Source training reads and the journeys predict looks up.
type History struct {
	conn driver.Conn
	// chunk is how many days of first scans one query of Delivered
	// groups, so the server holds one chunk's numbers at a time; horizon
	// how far after a chunk that query reads, the journeys delivered later
	// being read apart (0: to the chunk's last delivery).
	chunk, horizon time.Duration
}

// defaultChunk and defaultHorizon are History.chunk's and History.horizon's
// defaults.
const (
	defaultChunk   = 30 * 24 * time.Hour
	defaultHorizon = 60 * 24 * time.Hour
)

// NewHistory returns a reader on a migrated parcelcast database.
func NewHistory(db *DB) *History {
	return &History{conn: db.conn, chunk: defaultChunk, horizon: defaultHorizon}
}

// journeyColumns selects one row per carrier, tracking number and
// shipment key with its scans as arrays. Every scan is read once: FINAL
// collapses duplicate event ids. The row may hold several journeys of a
// reused number (journeys splits them); each takes its service and places
// from its own first scan, so neither a journey nor a trained model
// depends on the order ClickHouse happens to read rows in.
const journeyColumns = `SELECT carrier, tracking_number, shipment_key,
	groupArray(toUnixTimestamp(event_time)), groupArray(toString(status)), groupArray(event_utc_offset_minutes),
	groupArray(service),
	groupArray(origin_postal_code), groupArray(origin_region), groupArray(origin_country),
	groupArray(destination_postal_code), groupArray(destination_region), groupArray(destination_country),
	groupArray(ifNull(toUnixTimestamp(promised_delivery), 0))
FROM scan_events FINAL`

// journeyGroup is the columns' arrays of journeyColumns: one row of it.
const journeyGroup = `GROUP BY carrier, tracking_number, shipment_key`

// journeyRow is one row of journeyColumns, kept between rows so that its
// arrays' memory is reused.
type journeyRow struct {
	carrier, number, key string
	times                []uint32
	statuses             []string
	offsets              []int16
	service              []string
	oPostal, oRegion     []string
	oCountry, dPostal    []string
	dRegion, dCountry    []string
	promised             []uint32
	order, starts        []int
	scans                []model.Scan
}

func (r *journeyRow) scan(rows driver.Rows) error {
	if err := rows.Scan(&r.carrier, &r.number, &r.key, &r.times, &r.statuses, &r.offsets, &r.service,
		&r.oPostal, &r.oRegion, &r.oCountry, &r.dPostal, &r.dRegion, &r.dCountry, &r.promised); err != nil {
		return fmt.Errorf("scan journey row: %w", err)
	}
	return nil
}

// journeys calls fn for each journey of the row, oldest first: its scans
// in time order (ties by status in journey order, as Split's ORDER BY and
// the shipments view sort them, so a pickup and a delivery in the same
// second are one journey; then by places, for a stable order) split where
// model.JourneyStarts says a new shipment begins. The journey passed to fn
// is its own: fn may keep it.
func (r *journeyRow) journeys(fn func(model.Journey) error) error {
	n := len(r.times)
	r.order = r.order[:0]
	for i := range n {
		r.order = append(r.order, i)
	}
	slices.SortStableFunc(r.order, func(a, b int) int {
		return cmp.Or(cmp.Compare(r.times[a], r.times[b]),
			cmp.Compare(schemas.Status(r.statuses[a]).Ordinal(), schemas.Status(r.statuses[b]).Ordinal()),
			cmp.Compare(r.service[a], r.service[b]), cmp.Compare(r.oPostal[a], r.oPostal[b]), cmp.Compare(r.dPostal[a], r.dPostal[b]))
	})
	r.scans = r.scans[:0]
	for _, i := range r.order {
		r.scans = append(r.scans, model.Scan{Time: time.Unix(int64(r.times[i]), 0).UTC(),
			Status: schemas.Status(r.statuses[i]), OffsetMinutes: int(r.offsets[i])})
	}
	r.starts = append(model.JourneyStarts(r.starts[:0], r.scans), n)
	for s := 0; s+1 < len(r.starts); s++ {
		lo, hi := r.starts[s], r.starts[s+1]
		first := r.order[lo]
		j := model.Journey{TrackingNumber: r.number, Carrier: r.carrier, ShipmentKey: r.key, Service: r.service[first],
			Origin:      schemas.Location{PostalCode: r.oPostal[first], Region: r.oRegion[first], Country: r.oCountry[first]},
			Destination: schemas.Location{PostalCode: r.dPostal[first], Region: r.dRegion[first], Country: r.dCountry[first]},
			Scans:       slices.Clone(r.scans[lo:hi]),
		}
		var promised uint32
		for _, i := range r.order[lo:hi] {
			promised = max(promised, r.promised[i])
		}
		if promised > 0 {
			j.Promised = time.Unix(int64(promised), 0).UTC()
		}
		if err := fn(j); err != nil {
			return err
		}
	}
	return nil
}

// Delivered calls fn for every delivered journey whose first scan is in
// [from, to) and whose delivery happened before deliveredBefore. Rows
// stream: memory does not grow with the number of shipments, on the
// server either: [from, to) is read in chunks of first scans (History.chunk),
// so a query groups one chunk's numbers, not the whole slice's. A journey
// belongs to the chunk of its first scan, so each is given once.
func (h *History) Delivered(ctx context.Context, from, to, deliveredBefore time.Time, fn func(*model.Journey) error) error {
	step := h.chunk
	if step <= 0 || to.Sub(from)/step > 1000 {
		step = to.Sub(from) // an open-ended slice: one query
	}
	for lo := from; lo.Before(to); {
		hi := lo.Add(step)
		if step <= 0 || hi.After(to) || !hi.After(lo) {
			hi = to
		}
		if err := h.deliveredChunk(ctx, lo, hi, deliveredBefore, fn); err != nil {
			return err
		}
		lo = hi
	}
	return nil
}

// deliveredChunk is Delivered over one chunk of first scans.
func (h *History) deliveredChunk(ctx context.Context, from, to, deliveredBefore time.Time, fn func(*model.Journey) error) error {
	// The numbers of the chunk are found first, from three columns and
	// without FINAL (duplicates change neither a scan's time nor whether
	// there was a delivery): those with a scan in the chunk, and of those
	// the ones delivered between the chunk's start and deliveredBefore.
	// Both are sets bounded by time on either side. Their scans are then
	// read from model.JourneyGap before the chunk, so a journey of the
	// chunk is told from an earlier one under its number (by that one's
	// delivery or by the silence between them) and one begun before the
	// chunk is seen to begin there; and up to model.JourneyGap after the
	// chunk's last delivery, which bounds the parts the server reads: a
	// scan later than that could only be the tail of a journey after its
	// delivery, or a later journey. Partitions outside are skipped. One
	// parcel delivered months late would widen that span for the whole
	// chunk, so it ends at most History.horizon after the chunk: the
	// journeys delivered later are read by a second query of their numbers
	// alone (a few), which their long span costs little.
	const delivered = `FROM scan_events
	WHERE status = 'delivered' AND toUnixTimestamp(event_time) >= ? AND toUnixTimestamp(event_time) < ?
	  AND tracking_number IN (
		SELECT tracking_number FROM scan_events
		WHERE toUnixTimestamp(event_time) >= ? AND toUnixTimestamp(event_time) < ?)`
	var last int64
	var n uint64
	err := h.conn.QueryRow(ctx, `SELECT toInt64(max(toUnixTimestamp(event_time))), count() `+delivered,
		from.Unix(), deliveredBefore.Unix(), from.Unix(), to.Unix()).Scan(&last, &n)
	if err != nil {
		return fmt.Errorf("query the last delivery of %s to %s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	if n == 0 {
		return nil
	}
	since := from.Add(-model.JourneyGap).Unix()
	until := time.Unix(last, 0).Add(model.JourneyGap).Unix() + 1
	late := false // deliveries after until are read apart
	if h.horizon > 0 {
		if cut := to.Add(h.horizon).Add(model.JourneyGap).Unix(); cut < until {
			until, late = cut, true
		}
	}
	// A journey may have begun before since: its label and pickup more
	// than JourneyGap before the chunk, its later scans in it. Read from
	// since, it would look like a journey of the chunk begun at its first
	// scan there (tailOfEarlier).
	earlier, err := h.scannedBefore(ctx, since, delivered, from.Unix(), deliveredBefore.Unix(), from.Unix(), to.Unix())
	if err != nil {
		return err
	}
	keep := func(j *model.Journey, lo, hi int64) bool {
		first := j.Scans[0].Time
		at, ok := j.DeliveredAt()
		return ok && !first.Before(from) && first.Before(to) && at.Before(deliveredBefore) &&
			at.Unix() >= lo && at.Unix() < hi && !tailOfEarlier(j, earlier)
	}
	rows, err := h.conn.Query(ctx, journeyColumns+`
WHERE toUnixTimestamp(event_time) >= ? AND toUnixTimestamp(event_time) < ? AND tracking_number IN (SELECT tracking_number `+delivered+`)
`+journeyGroup,
		since, until, from.Unix(), deliveredBefore.Unix(), from.Unix(), to.Unix())
	// A journey delivered from until on lacks its delivery here.
	err = streamJourneys(rows, err, "delivered journeys", func(j *model.Journey) bool { return keep(j, 0, until) }, fn)
	if err != nil || !late {
		return err
	}
	// The journeys delivered from until on: their numbers' scans from since
	// to JourneyGap after the last delivery.
	lateEnd := time.Unix(last, 0).Add(model.JourneyGap).Unix() + 1
	rows, err = h.conn.Query(ctx, journeyColumns+`
WHERE toUnixTimestamp(event_time) >= ? AND toUnixTimestamp(event_time) < ? AND tracking_number IN (SELECT tracking_number `+delivered+`)
`+journeyGroup,
		since, lateEnd, until, deliveredBefore.Unix(), from.Unix(), to.Unix())
	return streamJourneys(rows, err, "journeys delivered late", func(j *model.Journey) bool { return keep(j, until, lateEnd) }, fn)
}

// tailOfEarlier reports whether j, read from JourneyGap before a slice,
// is the rest of a journey begun before that: its number has scans
// earlier (in earlier) and j begins with neither a label nor a pickup,
// the only scans that begin a journey after others (model.StartsJourney).
func tailOfEarlier(j *model.Journey, earlier map[journeyKey]bool) bool {
	st := j.Scans[0].Status
	return st != schemas.StatusInfoReceived && st != schemas.StatusPickedUp && earlier[journeyKey{j.Carrier, j.TrackingNumber, j.ShipmentKey}]
}

// journeyKey is what journeyColumns groups by.
type journeyKey struct{ carrier, number, key string }

// scannedBefore returns the carriers, numbers and shipment keys of the
// numbers the query tail numbers (FROM … selecting tracking_number, with
// its args) that have a scan before since. It reads every partition before
// since, two columns of them: a scan that is neither a label nor a pickup
// joins an earlier journey however old.
func (h *History) scannedBefore(ctx context.Context, since int64, numbers string, args ...any) (map[journeyKey]bool, error) {
	rows, err := h.conn.Query(ctx, `SELECT DISTINCT carrier, tracking_number, shipment_key FROM scan_events
WHERE toUnixTimestamp(event_time) < ? AND tracking_number IN (SELECT tracking_number `+numbers+`)`, append([]any{since}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("query the numbers scanned before %s: %w", time.Unix(since, 0).UTC().Format(time.DateOnly), err)
	}
	defer rows.Close()
	out := map[journeyKey]bool{}
	for rows.Next() {
		var k journeyKey
		if err := rows.Scan(&k.carrier, &k.number, &k.key); err != nil {
			return nil, fmt.Errorf("scan a number scanned before %s: %w", time.Unix(since, 0).UTC().Format(time.DateOnly), err)
		}
		out[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the numbers scanned before %s: %w", time.Unix(since, 0).UTC().Format(time.DateOnly), err)
	}
	return out, nil
}

// streamJourneys splits the rows of a journeyColumns query into journeys
// and calls fn for those keep accepts; what names them in errors.
func streamJourneys(rows driver.Rows, err error, what string, keep func(*model.Journey) bool, fn func(*model.Journey) error) error {
	if err != nil {
		return fmt.Errorf("query %s: %w", what, err)
	}
	defer rows.Close()
	var r journeyRow
	for rows.Next() {
		if err := r.scan(rows); err != nil {
			return err
		}
		err := r.journeys(func(j model.Journey) error {
			if !keep(&j) {
				return nil
			}
			return fn(&j)
		})
		if err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", what, err)
	}
	return nil
}

// InFlight calls fn for every journey whose first scan is in [from, to)
// and that was not delivered before asOf, with only its scans before asOf:
// the shipments a model trained at asOf knew to be still on their way.
func (h *History) InFlight(ctx context.Context, from, to, asOf time.Time, fn func(*model.Journey) error) error {
	// As in Delivered: the slice's numbers first, from two columns; a
	// number delivered before asOf may still hold a later journey in
	// flight, so journeys decides each one. No scan from asOf on is read.
	const numbers = `FROM scan_events
	WHERE toUnixTimestamp(event_time) >= ? AND toUnixTimestamp(event_time) < ?
	GROUP BY tracking_number
	HAVING toUnixTimestamp(max(event_time)) >= ? AND toUnixTimestamp(min(event_time)) < ?`
	since := from.Add(-model.JourneyGap).Unix()
	args := []any{since, asOf.Unix(), from.Unix(), to.Unix()}
	earlier, err := h.scannedBefore(ctx, since, numbers, args...)
	if err != nil {
		return err
	}
	rows, err := h.conn.Query(ctx, journeyColumns+`
WHERE toUnixTimestamp(event_time) >= ? AND toUnixTimestamp(event_time) < ? AND tracking_number IN (SELECT tracking_number `+numbers+`)
`+journeyGroup, append([]any{since, asOf.Unix()}, args...)...)
	return streamJourneys(rows, err, "journeys in flight", func(j *model.Journey) bool {
		first := j.Scans[0]
		_, delivered := j.DeliveredAt()
		return !delivered && !first.Time.Before(from) && first.Time.Before(to) && !tailOfEarlier(j, earlier)
	}, fn)
}

// Journey returns the latest journey under a tracking number (a reused
// number has several: the one whose first scan is newest), or false if
// the number has no scans.
func (h *History) Journey(ctx context.Context, trackingNumber string) (model.Journey, bool, error) {
	rows, err := h.conn.Query(ctx, journeyColumns+`
WHERE tracking_number = ?
`+journeyGroup, trackingNumber)
	if err != nil {
		return model.Journey{}, false, fmt.Errorf("query journey: %w", err)
	}
	defer rows.Close()
	var (
		r      journeyRow
		latest model.Journey
		found  bool
	)
	for rows.Next() {
		if err := r.scan(rows); err != nil {
			return model.Journey{}, false, err
		}
		err := r.journeys(func(j model.Journey) error {
			if !found || later(&j, &latest) {
				latest, found = j, true
			}
			return nil
		})
		if err != nil {
			return model.Journey{}, false, err
		}
	}
	if err := rows.Err(); err != nil {
		return model.Journey{}, false, fmt.Errorf("read journey: %w", err)
	}
	return latest, found, nil
}

// later orders journeys by first scan, then by carrier and key, so that
// the latest of a number's journeys does not depend on the rows' order.
func later(a, b *model.Journey) bool {
	return cmp.Or(a.Scans[0].Time.Compare(b.Scans[0].Time), cmp.Compare(a.Carrier, b.Carrier),
		cmp.Compare(a.ShipmentKey, b.ShipmentKey)) > 0
}

// splitSortMemory is the memory Split's sort may take in the server.
const splitSortMemory = 1 << 30

// Split is the time split of delivered history into train, calibration
// and test slices by first-scan time: 70%, 10%, 20% of delivered journeys.
// The scans stream in the order of their number and time, and are split
// into journeys as they come: memory holds each delivered journey's first
// scan time, not the scans.
func (h *History) Split(ctx context.Context) (model.Window, int, error) {
	var w model.Window
	// The sort of the whole history spills to disk past splitSortMemory
	// instead of holding every scan in the server's memory.
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"max_bytes_before_external_sort": splitSortMemory}))
	rows, err := h.conn.Query(ctx, `SELECT carrier, tracking_number, shipment_key, toUnixTimestamp(event_time), toString(status)
FROM scan_events FINAL
ORDER BY tracking_number, carrier, shipment_key, event_time, status`)
	if err != nil {
		return w, 0, fmt.Errorf("query time split: %w", err)
	}
	defer rows.Close()
	var (
		firsts               []uint32 // of the delivered journeys
		carrier, number, key string
		prevCarrier, prevNum string
		prevKey              string
		t                    uint32
		status               string
		prev                 model.Scan
		first                uint32
		delivered, inJourney bool
	)
	end := func() {
		if inJourney && delivered {
			firsts = append(firsts, first)
		}
	}
	for rows.Next() {
		if err := rows.Scan(&carrier, &number, &key, &t, &status); err != nil {
			return w, 0, fmt.Errorf("scan time split: %w", err)
		}
		cur := model.Scan{Time: time.Unix(int64(t), 0), Status: schemas.Status(status)}
		same := inJourney && number == prevNum && carrier == prevCarrier && key == prevKey
		if !same || model.StartsJourney(prev, cur, delivered) {
			end()
			first, delivered, inJourney = t, false, true
			if !same {
				prevCarrier, prevNum, prevKey = carrier, number, key
			}
		}
		delivered = delivered || cur.Status == schemas.StatusDelivered
		prev = cur
	}
	if err := rows.Err(); err != nil {
		return w, 0, fmt.Errorf("read time split: %w", err)
	}
	end()
	if len(firsts) == 0 {
		return w, 0, nil
	}
	slices.Sort(firsts)
	// quantilesExact's choice: the value at index ⌊q·n⌋ of the sorted values.
	at := func(q float64) uint32 { return firsts[min(int(q*float64(len(firsts))), len(firsts)-1)] }
	w.TrainFrom = time.Unix(int64(firsts[0]), 0).UTC()
	w.TrainTo = time.Unix(int64(at(0.7)), 0).UTC()
	w.CalibTo = time.Unix(int64(at(0.8)), 0).UTC()
	w.TestTo = time.Unix(int64(firsts[len(firsts)-1])+1, 0).UTC()
	return w, len(firsts), nil
}

// Vocabulary returns the categories of scans in [from, to): the lane
// features' areas are regions (model.Area), which need a location's
// country, region and first postal character only.
func (h *History) Vocabulary(ctx context.Context, from, to time.Time) (model.Vocabulary, error) {
	var v model.Vocabulary
	rows, err := h.conn.Query(ctx, `SELECT DISTINCT carrier, service,
	origin_country, origin_region, substring(origin_postal_code, 1, 1),
	destination_country, destination_region, substring(destination_postal_code, 1, 1)
FROM scan_events
WHERE toUnixTimestamp(event_time) >= ? AND toUnixTimestamp(event_time) < ?`, from.Unix(), to.Unix())
	if err != nil {
		return v, fmt.Errorf("query vocabulary: %w", err)
	}
	defer rows.Close()
	cs, areas, lanes := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for rows.Next() {
		var carrier, service string
		var o, d schemas.Location
		if err := rows.Scan(&carrier, &service, &o.Country, &o.Region, &o.PostalCode, &d.Country, &d.Region, &d.PostalCode); err != nil {
			return v, fmt.Errorf("scan vocabulary: %w", err)
		}
		oa, da := model.Area(o), model.Area(d)
		cs[carrier+"|"+service] = true
		areas[oa], areas[da] = true, true
		lanes[oa+">"+da] = true
	}
	if err := rows.Err(); err != nil {
		return v, fmt.Errorf("read vocabulary: %w", err)
	}
	v.CarrierServices, v.Areas, v.Lanes = slices.Sorted(maps.Keys(cs)), slices.Sorted(maps.Keys(areas)), slices.Sorted(maps.Keys(lanes))
	return v, nil
}

var _ model.Source = (*History)(nil)
