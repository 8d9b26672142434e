package chstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/parcelcast/parcelcast/schemas"
)

// ScanWriter inserts canonical events into the scan_events table: it is
// the sink ingest and the importer write to. Its methods are safe for
// concurrent use.
type ScanWriter struct {
	db *DB
}

// NewScanWriter returns a writer on db, which must be a migrated
// parcelcast database.
func NewScanWriter(db *DB) *ScanWriter { return &ScanWriter{db: db} }

// scanColumn is one column of scan_events; appendTo appends it, read from
// a batch of events, to an insert.
type scanColumn struct {
	name     string
	appendTo func(col driver.BatchColumn, events []schemas.ScanEvent) error
}

// appendChunk is how many values of a column are appended at a time: the
// driver copies them into its own column, so a small slice does, where a
// batch-sized one per column added a tenth to ingest's memory.
const appendChunk = 1024

// insertBlock is how many rows an insert sends per block.
const insertBlock = 8192

// column reads one field of every event, appendChunk events at a time.
func column[T any](name string, field func(e *schemas.ScanEvent) T) scanColumn {
	return scanColumn{name: name, appendTo: func(col driver.BatchColumn, events []schemas.ScanEvent) error {
		buf := make([]T, min(appendChunk, len(events)))
		for lo := 0; lo < len(events); lo += appendChunk {
			chunk := events[lo:min(lo+appendChunk, len(events))]
			buf = buf[:len(chunk)]
			for i := range chunk {
				buf[i] = field(&chunk[i])
			}
			if err := col.Append(buf); err != nil {
				return err
			}
		}
		return nil
	}}
}

// scanColumns are the columns an insert fills, in the order of
// insertScanEvents. Appending columns costs a fraction of appending row by
// row (no boxing of every value, no type switch per value).
var scanColumns = []scanColumn{
	column("event_id", func(e *schemas.ScanEvent) string { return e.EventID }),
	column("tracking_number", func(e *schemas.ScanEvent) string { return e.TrackingNumber }),
	column("carrier", func(e *schemas.ScanEvent) string { return e.Carrier }),
	column("shipment_key", func(e *schemas.ScanEvent) string { return e.ShipmentKey }),
	column("service", func(e *schemas.ScanEvent) string { return e.Service }),
	column("status", func(e *schemas.ScanEvent) string { return string(e.Status) }),
	column("status_detail", func(e *schemas.ScanEvent) string { return e.StatusDetail }),
	column("carrier_code", func(e *schemas.ScanEvent) string { return e.CarrierCode }),
	column("description", func(e *schemas.ScanEvent) string { return e.Description }),
	column("event_time", func(e *schemas.ScanEvent) time.Time { return e.EventTime.UTC() }),
	column("event_utc_offset_minutes", func(e *schemas.ScanEvent) int16 { return int16(e.UTCOffsetMinutes) }),
	column("offset_inferred", func(e *schemas.ScanEvent) uint8 {
		if e.OffsetInferred {
			return 1
		}
		return 0
	}),
	column("offset_approximate", func(e *schemas.ScanEvent) uint8 {
		if e.OffsetApproximate {
			return 1
		}
		return 0
	}),
	column("city", func(e *schemas.ScanEvent) string { return e.Location.City }),
	column("region", func(e *schemas.ScanEvent) string { return e.Location.Region }),
	column("postal_code", func(e *schemas.ScanEvent) string { return e.Location.PostalCode }),
	column("country", func(e *schemas.ScanEvent) string { return e.Location.Country }),
	column("lat", func(e *schemas.ScanEvent) *float64 {
		if !e.Location.HasCoords {
			return nil
		}
		return &e.Location.Lat
	}),
	column("lon", func(e *schemas.ScanEvent) *float64 {
		if !e.Location.HasCoords {
			return nil
		}
		return &e.Location.Lon
	}),
	column("origin_postal_code", func(e *schemas.ScanEvent) string { return e.Origin.PostalCode }),
	column("origin_region", func(e *schemas.ScanEvent) string { return e.Origin.Region }),
	column("origin_country", func(e *schemas.ScanEvent) string { return e.Origin.Country }),
	column("destination_postal_code", func(e *schemas.ScanEvent) string { return e.Destination.PostalCode }),
	column("destination_region", func(e *schemas.ScanEvent) string { return e.Destination.Region }),
	column("destination_country", func(e *schemas.ScanEvent) string { return e.Destination.Country }),
	column("mode", func(e *schemas.ScanEvent) string { return e.Mode }),
	column("promised_delivery", func(e *schemas.ScanEvent) *time.Time { return e.PromisedDelivery }),
	column("order_ref", func(e *schemas.ScanEvent) string { return e.OrderRef }),
	column("customer_ref", func(e *schemas.ScanEvent) string { return e.CustomerRef }),
	column("source_topic", func(e *schemas.ScanEvent) string { return e.Source.Topic }),
	column("source_partition", func(e *schemas.ScanEvent) int32 { return e.Source.Partition }),
	column("source_offset", func(e *schemas.ScanEvent) int64 { return e.Source.Offset }),
	column("ingested_at", func(e *schemas.ScanEvent) time.Time { return e.Source.IngestedAt.UTC() }),
}

// insertScanEvents spells out the column list: ClickHouse 18.16 rejects a
// batch insert without it.
var insertScanEvents = func() string {
	names := make([]string, len(scanColumns))
	for i, c := range scanColumns {
		names[i] = c.name
	}
	return "INSERT INTO scan_events (" + strings.Join(names, ", ") + ")"
}()

// WriteEvents inserts events as one batch. The batch is acknowledged by
// the server when WriteEvents returns nil; on error nothing may be assumed
// written and the caller retries the whole batch (event ids make that safe).
func (w *ScanWriter) WriteEvents(ctx context.Context, events []schemas.ScanEvent) error {
	if len(events) == 0 {
		return nil
	}
	batch, err := w.db.conn.PrepareBatch(ctx, insertScanEvents)
	if err != nil {
		return fmt.Errorf("prepare scan_events insert: %w", err)
	}
	// The insert goes to the server as blocks of insertBlock rows. The
	// driver keeps its column buffers from one block to the next, where
	// filling one batch-sized block grew every string column from empty
	// for each insert; the server joins the blocks of one INSERT into
	// one part (min_insert_block_size_rows).
	for lo := 0; lo < len(events); lo += insertBlock {
		block := events[lo:min(lo+insertBlock, len(events))]
		for i, c := range scanColumns {
			if err := c.appendTo(batch.Column(i), block); err != nil {
				_ = batch.Abort()
				return fmt.Errorf("append scan_events column %s: %w", c.name, err)
			}
		}
		if lo+insertBlock < len(events) {
			if err := batch.Flush(); err != nil {
				_ = batch.Abort()
				return fmt.Errorf("send a block of %d scan events: %w", len(block), err)
			}
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send %d scan events: %w", len(events), err)
	}
	return nil
}
