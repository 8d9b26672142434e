package chstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// History reads shipments' journeys from scan_events: it is the
// model.Source training reads and the journeys predict looks up.
type History struct {
	conn driver.Conn
}

// NewHistory returns a reader on a migrated parcelcast database.
func NewHistory(db *DB) *History { return &History{conn: db.conn} }

// journeyColumns selects one row per shipment with its scans as arrays.
// Every scan is read once: FINAL collapses duplicate event ids. The
// shipment's carrier, service and places are those of its first scan: a
// carrier that reuses a tracking number puts two shipments under it, and
// taking any scan's would make a journey, and a trained model, depend on
// the order ClickHouse happens to read rows in.
const journeyColumns = `SELECT tracking_number,
	argMin(carrier, event_time), argMin(service, event_time),
	argMin(origin_postal_code, event_time), argMin(origin_region, event_time), argMin(origin_country, event_time),
	argMin(destination_postal_code, event_time), argMin(destination_region, event_time), argMin(destination_country, event_time),
	groupArray(toUnixTimestamp(event_time)), groupArray(toString(status)), groupArray(event_utc_offset_minutes),
	max(ifNull(toUnixTimestamp(promised_delivery), 0))
FROM scan_events FINAL`

func scanJourney(rows driver.Rows) (model.Journey, error) {
	var (
		j        model.Journey
		times    []uint32
		statuses []string
		offsets  []int16
		promised uint32
	)
	if err := rows.Scan(&j.TrackingNumber, &j.Carrier, &j.Service,
		&j.Origin.PostalCode, &j.Origin.Region, &j.Origin.Country,
		&j.Destination.PostalCode, &j.Destination.Region, &j.Destination.Country,
		&times, &statuses, &offsets, &promised); err != nil {
		return j, fmt.Errorf("scan journey row: %w", err)
	}
	if promised > 0 {
		j.Promised = time.Unix(int64(promised), 0).UTC()
	}
	j.Scans = make([]model.Scan, len(times))
	for i := range times {
		j.Scans[i] = model.Scan{Time: time.Unix(int64(times[i]), 0).UTC(), Status: schemas.Status(statuses[i]), OffsetMinutes: int(offsets[i])}
	}
	j.Sort()
	return j, nil
}

// Delivered calls fn for every delivered shipment whose first scan is in
// [from, to) and whose delivery happened before deliveredBefore. Rows
// stream: memory does not grow with the number of shipments.
func (h *History) Delivered(ctx context.Context, from, to, deliveredBefore time.Time, fn func(*model.Journey) error) error {
	// The shipments of the slice are found first, from three columns and
	// without FINAL (duplicates change neither a first scan nor whether
	// there was a delivery), so that the grouping of every column and of
	// the scans' arrays holds the slice's shipments, not the whole
	// history's. A shipment's scans are all at or after its first, so
	// partitions older than the slice are skipped.
	rows, err := h.conn.Query(ctx, journeyColumns+`
WHERE toUnixTimestamp(event_time) >= ? AND tracking_number IN (
	SELECT tracking_number FROM scan_events
	GROUP BY tracking_number
	HAVING countIf(status = 'delivered') > 0
	   AND toUnixTimestamp(min(event_time)) >= ? AND toUnixTimestamp(min(event_time)) < ?
	   AND toUnixTimestamp(minIf(event_time, status = 'delivered')) < ?)
GROUP BY tracking_number`,
		from.Unix(), from.Unix(), to.Unix(), deliveredBefore.Unix())
	if err != nil {
		return fmt.Errorf("query delivered journeys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		j, err := scanJourney(rows)
		if err != nil {
			return err
		}
		if err := fn(&j); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read delivered journeys: %w", err)
	}
	return nil
}

// Journey returns one shipment's journey, or false if it has no scans.
func (h *History) Journey(ctx context.Context, trackingNumber string) (model.Journey, bool, error) {
	rows, err := h.conn.Query(ctx, journeyColumns+`
WHERE tracking_number = ?
GROUP BY tracking_number`, trackingNumber)
	if err != nil {
		return model.Journey{}, false, fmt.Errorf("query journey: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return model.Journey{}, false, rows.Err()
	}
	j, err := scanJourney(rows)
	return j, err == nil, err
}

// Split is the time split of delivered history into train, calibration
// and test slices by first-scan time: 70%, 10%, 20% of shipments.
func (h *History) Split(ctx context.Context) (model.Window, int, error) {
	var (
		w       model.Window
		n       uint64
		lo, hi  uint32
		cutsArr []float64
	)
	row := h.conn.QueryRow(ctx, `SELECT count(), min(t), max(t), quantilesExact(0.7, 0.8)(toFloat64(t)) FROM (
	SELECT toUnixTimestamp(min(event_time)) AS t FROM scan_events FINAL
	GROUP BY tracking_number HAVING countIf(status = 'delivered') > 0)`)
	if err := row.Scan(&n, &lo, &hi, &cutsArr); err != nil {
		return w, 0, fmt.Errorf("compute time split: %w", err)
	}
	if n == 0 {
		return w, 0, nil
	}
	w.TrainFrom = time.Unix(int64(lo), 0).UTC()
	w.TrainTo = time.Unix(int64(cutsArr[0]), 0).UTC()
	w.CalibTo = time.Unix(int64(cutsArr[1]), 0).UTC()
	w.TestTo = time.Unix(int64(hi)+1, 0).UTC()
	return w, int(n), nil
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
