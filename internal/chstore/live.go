package chstore

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/parcelcast/parcelcast/schemas"
)

// LiveScans reads whole scan events for the predictor's live state: the
// bootstrap of the recent numbers, and the lookup of one number.
type LiveScans struct {
	conn driver.Conn
}

// NewLiveScans returns a reader on a migrated parcelcast database.
func NewLiveScans(db *DB) *LiveScans { return &LiveScans{conn: db.conn} }

// eventColumns reads scan_events back into schemas.ScanEvents: every
// column but the source topic, partition and offset, which the live state
// does not hold (decoding the rows is most of a bootstrap's time). FINAL:
// each event id once, in its newest version.
const eventColumns = `SELECT event_id, tracking_number, carrier, shipment_key, service, toString(status),
	status_detail, carrier_code, description, toUnixTimestamp(event_time), event_utc_offset_minutes,
	offset_inferred, offset_approximate, city, region, postal_code, country, lat, lon,
	origin_postal_code, origin_region, origin_country, destination_postal_code, destination_region, destination_country,
	mode, ifNull(toUnixTimestamp(promised_delivery), 0), toUnixTimestamp(ingested_at), order_ref, customer_ref
FROM scan_events FINAL`

// eventRow is one row of eventColumns, reused from row to row.
type eventRow struct {
	e                    schemas.ScanEvent
	status               string
	at, promised, ingest uint32
	offset               int16
	inferred, approx     uint8
	lat, lon             *float64
}

func (r *eventRow) scan(rows driver.Rows) (*schemas.ScanEvent, error) {
	e := &r.e
	*e = schemas.ScanEvent{}
	if err := rows.Scan(&e.EventID, &e.TrackingNumber, &e.Carrier, &e.ShipmentKey, &e.Service, &r.status,
		&e.StatusDetail, &e.CarrierCode, &e.Description, &r.at, &r.offset,
		&r.inferred, &r.approx, &e.Location.City, &e.Location.Region, &e.Location.PostalCode, &e.Location.Country, &r.lat, &r.lon,
		&e.Origin.PostalCode, &e.Origin.Region, &e.Origin.Country, &e.Destination.PostalCode, &e.Destination.Region, &e.Destination.Country,
		&e.Mode, &r.promised, &r.ingest, &e.OrderRef, &e.CustomerRef); err != nil {
		return nil, fmt.Errorf("scan event row: %w", err)
	}
	e.Status = schemas.Status(r.status)
	e.EventTime = time.Unix(int64(r.at), 0).UTC()
	e.UTCOffsetMinutes = int(r.offset)
	e.OffsetInferred, e.OffsetApproximate = r.inferred != 0, r.approx != 0
	if r.lat != nil && r.lon != nil {
		e.Location.HasCoords, e.Location.Lat, e.Location.Lon = true, *r.lat, *r.lon
	}
	if r.promised > 0 {
		p := time.Unix(int64(r.promised), 0).UTC()
		e.PromisedDelivery = &p
	}
	e.Source.IngestedAt = time.Unix(int64(r.ingest), 0).UTC()
	return e, nil
}

// RecentScans calls fn with every scan of the numbers that have a scan at
// or after since (so whose latest is), each scan once and in no order.
// Rows stream: the client holds one block at a time. The numbers come
// from the partitions since covers; their scans from every partition, as
// a shipment in flight may have begun long before. The event fn gets is
// reused for the next row: fn copies what it keeps.
func (l *LiveScans) RecentScans(ctx context.Context, since time.Time, fn func(*schemas.ScanEvent) error) error {
	rows, err := l.conn.Query(ctx, eventColumns+`
WHERE tracking_number IN (
	SELECT DISTINCT tracking_number FROM scan_events WHERE toUnixTimestamp(event_time) >= ?)`, since.Unix())
	return streamEvents(rows, err, "recent scans", fn)
}

// Scans returns every scan of one tracking number, none if it has none.
func (l *LiveScans) Scans(ctx context.Context, trackingNumber string) ([]schemas.ScanEvent, error) {
	rows, err := l.conn.Query(ctx, eventColumns+`
WHERE tracking_number = ?`, trackingNumber)
	var out []schemas.ScanEvent
	err = streamEvents(rows, err, "scans of "+trackingNumber, func(e *schemas.ScanEvent) error {
		out = append(out, *e)
		return nil
	})
	return out, err
}

func streamEvents(rows driver.Rows, err error, what string, fn func(*schemas.ScanEvent) error) error {
	if err != nil {
		return fmt.Errorf("query %s: %w", what, err)
	}
	defer rows.Close()
	var r eventRow
	for rows.Next() {
		e, err := r.scan(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", what, err)
	}
	return nil
}
