package chstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/schemas"
)

// Every field of an event reaches its column, including the nullable ones
// both set and unset.
func TestScanWriterStoresEveryField(t *testing.T) {
	ctx := context.Background()
	_, conn := env.Database(t)
	promised := time.Date(2026, 3, 14, 23, 59, 59, 0, time.UTC)
	full := schemas.ScanEvent{
		TrackingNumber: "1Z999AA10123456784", Carrier: "ups", ShipmentKey: "2460~1Z999AA10123456784~X", Service: "ground",
		Status: schemas.StatusDeliveryAttempted, StatusDetail: "recipient_unavailable", CarrierCode: "48",
		Description: "Delivery attempted", EventTime: time.Date(2026, 3, 12, 15, 4, 5, 0, time.UTC),
		UTCOffsetMinutes: -300, OffsetInferred: true, OffsetApproximate: true,
		Location: schemas.Location{City: "Chicago", Region: "IL", PostalCode: "60601", Country: "US",
			Lat: 41.88, Lon: -87.63, HasCoords: true},
		Origin:      schemas.Location{Region: "NY", PostalCode: "10001", Country: "US"},
		Destination: schemas.Location{Region: "IL", PostalCode: "60601", Country: "US"},
		Mode:        "ground", PromisedDelivery: &promised,
		Source: schemas.Source{Topic: "raw.ups", Partition: 3, Offset: 12345, IngestedAt: time.Date(2026, 3, 12, 15, 5, 0, 0, time.UTC)},
	}
	bare := schemas.ScanEvent{TrackingNumber: "9400100000000000000000", Carrier: "usps", Status: schemas.StatusPickedUp,
		EventTime: time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC), Source: schemas.Source{Topic: "raw.usps", IngestedAt: time.Date(2026, 4, 1, 8, 1, 0, 0, time.UTC)}}
	events := []schemas.ScanEvent{full, bare}
	for i := range events {
		events[i].EventID = schemas.ComputeEventID(&events[i])
	}
	if err := chstore.NewScanWriter(conn).WriteEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	for _, want := range events {
		var got schemas.ScanEvent
		var status string
		var offset int16
		var inferred, approximate uint8
		var lat, lon *float64
		row := conn.Conn().QueryRow(ctx, `SELECT tracking_number, carrier, shipment_key, service, toString(status), status_detail, carrier_code, description,
			event_time, event_utc_offset_minutes, offset_inferred, offset_approximate, city, region, postal_code, country, lat, lon,
			origin_postal_code, origin_region, origin_country, destination_postal_code, destination_region, destination_country,
			mode, promised_delivery, source_topic, source_partition, source_offset, ingested_at
			FROM scan_events WHERE event_id = ?`, want.EventID)
		if err := row.Scan(&got.TrackingNumber, &got.Carrier, &got.ShipmentKey, &got.Service, &status, &got.StatusDetail, &got.CarrierCode, &got.Description,
			&got.EventTime, &offset, &inferred, &approximate, &got.Location.City, &got.Location.Region, &got.Location.PostalCode, &got.Location.Country, &lat, &lon,
			&got.Origin.PostalCode, &got.Origin.Region, &got.Origin.Country, &got.Destination.PostalCode, &got.Destination.Region, &got.Destination.Country,
			&got.Mode, &got.PromisedDelivery, &got.Source.Topic, &got.Source.Partition, &got.Source.Offset, &got.Source.IngestedAt); err != nil {
			t.Fatal(err)
		}
		got.EventID, got.Status, got.UTCOffsetMinutes = want.EventID, schemas.Status(status), int(offset)
		got.OffsetInferred, got.OffsetApproximate = inferred == 1, approximate == 1
		if lat != nil && lon != nil {
			got.Location.Lat, got.Location.Lon, got.Location.HasCoords = *lat, *lon, true
		}
		got.EventTime, got.Source.IngestedAt = got.EventTime.UTC(), got.Source.IngestedAt.UTC()
		if got.PromisedDelivery != nil {
			p := got.PromisedDelivery.UTC()
			got.PromisedDelivery = &p
		}
		if (got.PromisedDelivery == nil) != (want.PromisedDelivery == nil) ||
			(got.PromisedDelivery != nil && !got.PromisedDelivery.Equal(*want.PromisedDelivery)) {
			t.Errorf("%s: promised %v, want %v", want.TrackingNumber, got.PromisedDelivery, want.PromisedDelivery)
		}
		got.PromisedDelivery, want.PromisedDelivery = nil, nil
		if got != want {
			t.Errorf("stored\n%+v\nwant\n%+v", got, want)
		}
	}
}

// An insert larger than one block sends several blocks: every row arrives
// once, with its own values, and the insert still makes a single part.
func TestScanWriterSendsBlocks(t *testing.T) {
	ctx := context.Background()
	_, conn := env.Database(t)
	const n = 3*8192 + 100 // three full blocks and a short one
	events := make([]schemas.ScanEvent, n)
	for i := range events {
		e := &events[i]
		e.TrackingNumber, e.Carrier, e.Status = fmt.Sprintf("PC%08d", i), "dhl", schemas.StatusInTransit
		e.Description = strings.Repeat("x", i%50) // strings of every length, so a stale buffer would show
		e.EventTime = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
		e.Source = schemas.Source{Topic: "raw.dhl", Offset: int64(i), IngestedAt: e.EventTime}
		e.EventID = schemas.ComputeEventID(e)
	}
	if err := chstore.NewScanWriter(conn).WriteEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	var rows, ids, parts, bad uint64
	if err := conn.Conn().QueryRow(ctx, `SELECT count(), uniqExact(event_id),
		countIf(length(description) != source_offset % 50 OR toUInt64(substring(tracking_number, 3)) != source_offset)
		FROM scan_events`).Scan(&rows, &ids, &bad); err != nil {
		t.Fatal(err)
	}
	if err := conn.Conn().QueryRow(ctx, "SELECT count() FROM system.parts WHERE active AND database = currentDatabase() AND table = 'scan_events'").Scan(&parts); err != nil {
		t.Fatal(err)
	}
	if rows != n || ids != n || bad != 0 || parts != 1 {
		t.Errorf("stored %d rows, %d distinct ids, %d with another row's values, in %d parts; want %d, %d, 0, 1", rows, ids, bad, parts, n, n)
	}
}
