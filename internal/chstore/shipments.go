package chstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// Shipments reads a shipment's scans in full from scan_events: the view
// of one shipment (its timeline, references) when the live state does not
// hold it, and the shipments of an order or a customer.
type Shipments struct {
	conn driver.Conn
}

// NewShipments returns a reader on a migrated parcelcast database.
func NewShipments(db *DB) *Shipments { return &Shipments{conn: db.conn} }

// ShipmentRecord is one journey with its scans in full.
type ShipmentRecord struct {
	Journey model.Journey
	// Events are the journey's scans, in the order of Journey.Scans.
	Events []schemas.ScanEvent
}

// fullScanColumns selects every stored field of a scan, in the order of
// scanEventRow.scan.
const fullScanColumns = `SELECT event_id, tracking_number, carrier, shipment_key, service, toString(status), status_detail,
	carrier_code, description, event_time, event_utc_offset_minutes, offset_inferred, offset_approximate,
	city, region, postal_code, country, lat, lon,
	origin_postal_code, origin_region, origin_country, destination_postal_code, destination_region, destination_country,
	mode, promised_delivery, order_ref, customer_ref, source_topic, source_partition, source_offset, ingested_at
FROM scan_events FINAL`

func scanEvent(rows driver.Rows) (schemas.ScanEvent, error) {
	var (
		e                     schemas.ScanEvent
		status                string
		offset                int16
		inferred, approximate uint8
		lat, lon              *float64
	)
	if err := rows.Scan(&e.EventID, &e.TrackingNumber, &e.Carrier, &e.ShipmentKey, &e.Service, &status, &e.StatusDetail,
		&e.CarrierCode, &e.Description, &e.EventTime, &offset, &inferred, &approximate,
		&e.Location.City, &e.Location.Region, &e.Location.PostalCode, &e.Location.Country, &lat, &lon,
		&e.Origin.PostalCode, &e.Origin.Region, &e.Origin.Country, &e.Destination.PostalCode, &e.Destination.Region, &e.Destination.Country,
		&e.Mode, &e.PromisedDelivery, &e.OrderRef, &e.CustomerRef, &e.Source.Topic, &e.Source.Partition, &e.Source.Offset, &e.Source.IngestedAt); err != nil {
		return e, fmt.Errorf("scan scan_events row: %w", err)
	}
	e.Status, e.UTCOffsetMinutes = schemas.Status(status), int(offset)
	e.OffsetInferred, e.OffsetApproximate = inferred == 1, approximate == 1
	if lat != nil && lon != nil {
		e.Location.Lat, e.Location.Lon, e.Location.HasCoords = *lat, *lon, true
	}
	e.EventTime, e.Source.IngestedAt = e.EventTime.UTC(), e.Source.IngestedAt.UTC()
	if e.PromisedDelivery != nil {
		p := e.PromisedDelivery.UTC()
		e.PromisedDelivery = &p
	}
	return e, nil
}

// Latest returns the latest journey under a tracking number, as
// History.Journey chooses it, with its scans in full; false if the number
// has no scans.
func (s *Shipments) Latest(ctx context.Context, trackingNumber string) (ShipmentRecord, bool, error) {
	recs, err := s.LatestOf(ctx, []string{trackingNumber})
	rec, ok := recs[trackingNumber]
	return rec, ok, err
}

// LatestOf is Latest for several numbers in one query: the numbers with
// scans are the map's keys.
func (s *Shipments) LatestOf(ctx context.Context, numbers []string) (map[string]ShipmentRecord, error) {
	out := make(map[string]ShipmentRecord, len(numbers))
	if len(numbers) == 0 {
		return out, nil
	}
	rows, err := s.conn.Query(ctx, fullScanColumns+" WHERE tracking_number IN ? ORDER BY tracking_number", inSet(numbers))
	if err != nil {
		return nil, fmt.Errorf("query scans of shipments: %w", err)
	}
	defer rows.Close()
	var events []schemas.ScanEvent
	flush := func() {
		if rec, ok := latestRecord(events); ok {
			out[rec.Journey.TrackingNumber] = rec
		}
		events = events[:0]
	}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		if len(events) > 0 && events[0].TrackingNumber != e.TrackingNumber {
			flush()
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read scans of shipments: %w", err)
	}
	flush()
	return out, nil
}

// latestRecord splits one number's events into journeys, by carrier and
// shipment key and then as model.JourneyStarts says, and returns the
// latest. The scans are ordered as journeyRow orders them, so that the
// journey is the one History.Journey returns.
func latestRecord(events []schemas.ScanEvent) (ShipmentRecord, bool) {
	slices.SortStableFunc(events, func(a, b schemas.ScanEvent) int {
		return cmp.Or(cmp.Compare(a.Carrier, b.Carrier), cmp.Compare(a.ShipmentKey, b.ShipmentKey),
			a.EventTime.Compare(b.EventTime), cmp.Compare(a.Status, b.Status), cmp.Compare(a.Service, b.Service),
			cmp.Compare(a.Origin.PostalCode, b.Origin.PostalCode), cmp.Compare(a.Destination.PostalCode, b.Destination.PostalCode))
	})
	var (
		latest ShipmentRecord
		found  bool
		starts []int
		scans  []model.Scan
	)
	for lo := 0; lo < len(events); {
		hi := lo + 1
		for hi < len(events) && events[hi].Carrier == events[lo].Carrier && events[hi].ShipmentKey == events[lo].ShipmentKey {
			hi++
		}
		group := events[lo:hi]
		scans = scans[:0]
		for i := range group {
			scans = append(scans, model.Scan{Time: group[i].EventTime, Status: group[i].Status, OffsetMinutes: group[i].UTCOffsetMinutes})
		}
		starts = append(model.JourneyStarts(starts[:0], scans), len(group))
		for k := 0; k+1 < len(starts); k++ {
			rec := record(group[starts[k]:starts[k+1]], scans[starts[k]:starts[k+1]])
			if !found || later(&rec.Journey, &latest.Journey) {
				latest, found = rec, true
			}
		}
		lo = hi
	}
	return latest, found
}

// record is one journey's record: its lane from its first scan, its
// promise the latest any scan gives.
func record(events []schemas.ScanEvent, scans []model.Scan) ShipmentRecord {
	first := &events[0]
	j := model.Journey{TrackingNumber: first.TrackingNumber, Carrier: first.Carrier, ShipmentKey: first.ShipmentKey,
		Service: first.Service, Origin: first.Origin, Destination: first.Destination, Scans: slices.Clone(scans)}
	for i := range events {
		if p := events[i].PromisedDelivery; p != nil && p.After(j.Promised) {
			j.Promised = *p
		}
	}
	return ShipmentRecord{Journey: j, Events: slices.Clone(events)}
}

// inSet binds a list of strings as the right side of IN: the driver
// sends a plain slice as an array, which 18.16 does not compare with a
// String column.
func inSet(values []string) clickhouse.GroupSet {
	set := clickhouse.GroupSet{Value: make([]any, len(values))}
	for i, v := range values {
		set.Value[i] = v
	}
	return set
}

// NumbersByRef returns the tracking numbers some scan of which carries
// the order reference (order true) or the customer reference from the
// feed. Without an index on the references this reads the columns of the
// whole table: it serves the lookups the live state does not answer.
func (s *Shipments) NumbersByRef(ctx context.Context, order bool, ref string) ([]string, error) {
	col := "customer_ref"
	if order {
		col = "order_ref"
	}
	rows, err := s.conn.Query(ctx, "SELECT DISTINCT tracking_number FROM scan_events WHERE "+col+" = ? ORDER BY tracking_number", ref)
	if err != nil {
		return nil, fmt.Errorf("query numbers by %s: %w", col, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("scan numbers by %s: %w", col, err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read numbers by %s: %w", col, err)
	}
	return out, nil
}
