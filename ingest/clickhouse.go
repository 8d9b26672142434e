package ingest

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/parcelcast/parcelcast/schemas"
)

// ClickHouseWriter inserts canonical events into the scan_events table.
type ClickHouseWriter struct {
	conn driver.Conn
}

// NewClickHouseWriter returns a writer on conn, which must be connected to
// a migrated parcelcast database.
func NewClickHouseWriter(conn driver.Conn) *ClickHouseWriter {
	return &ClickHouseWriter{conn: conn}
}

// The column list is spelled out: ClickHouse 18.16 rejects a batch insert
// without it.
const insertScanEvents = `INSERT INTO scan_events (
	event_id, tracking_number, carrier, service, status, status_detail, carrier_code, description,
	event_time, event_utc_offset_minutes, offset_inferred,
	city, region, postal_code, country, lat, lon,
	origin_postal_code, origin_region, origin_country,
	destination_postal_code, destination_region, destination_country,
	mode, promised_delivery, source_topic, source_partition, source_offset, ingested_at)`

// WriteEvents inserts events as one batch. The batch is acknowledged by
// the server when WriteEvents returns nil; on error nothing may be assumed
// written and the caller retries the whole batch (event ids make that safe).
func (w *ClickHouseWriter) WriteEvents(ctx context.Context, events []schemas.ScanEvent) error {
	if len(events) == 0 {
		return nil
	}
	batch, err := w.conn.PrepareBatch(ctx, insertScanEvents)
	if err != nil {
		return fmt.Errorf("prepare scan_events insert: %w", err)
	}
	for i := range events {
		e := &events[i]
		var lat, lon *float64
		if e.Location.HasCoords {
			lat, lon = &e.Location.Lat, &e.Location.Lon
		}
		var inferred uint8
		if e.OffsetInferred {
			inferred = 1
		}
		if err := batch.Append(
			e.EventID, e.TrackingNumber, e.Carrier, e.Service, string(e.Status), e.StatusDetail, e.CarrierCode, e.Description,
			e.EventTime.UTC(), int16(e.UTCOffsetMinutes), inferred,
			e.Location.City, e.Location.Region, e.Location.PostalCode, e.Location.Country, lat, lon,
			e.Origin.PostalCode, e.Origin.Region, e.Origin.Country,
			e.Destination.PostalCode, e.Destination.Region, e.Destination.Country,
			e.Mode, e.PromisedDelivery, e.Source.Topic, e.Source.Partition, e.Source.Offset, e.Source.IngestedAt.UTC(),
		); err != nil {
			_ = batch.Abort()
			return fmt.Errorf("append event %s: %w", e.EventID, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send %d scan events: %w", len(events), err)
	}
	return nil
}
