package chstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// History is what training reads and what the API looks journeys up in.
var (
	_ model.Source     = (*chstore.History)(nil)
	_ predict.Journeys = (*chstore.History)(nil)
	// References stores what PUT /v1/shipments/{tracking_number}/references sets.
	_ predict.ReferenceStore = (*chstore.References)(nil)
)

// The counting queries see each scan once through FINAL, count stored
// rows as they are, and filter by topic and lineage.
func TestCounts(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	at := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	scan := func(tn, topic string, offset int64) schemas.ScanEvent {
		e := schemas.ScanEvent{TrackingNumber: tn, Carrier: "ups", Status: schemas.StatusInTransit, EventTime: at,
			Source: schemas.Source{Topic: topic, Offset: offset, IngestedAt: at}}
		e.EventID = schemas.ComputeEventID(&e)
		return e
	}
	a, b, c := scan("A1", "raw.ups", 1), scan("B1", "raw.ups", -1), scan("C1", "raw.dhl", 7)
	c.EventTime = at.Add(time.Hour)
	c.EventID = schemas.ComputeEventID(&c)
	// a twice, in one insert: one part, which no merge collapses.
	if err := chstore.NewScanWriter(db).WriteEvents(ctx, []schemas.ScanEvent{a, b, c, a}); err != nil {
		t.Fatal(err)
	}
	rows, ids, err := db.CountScans(ctx)
	if err != nil || rows != 3 || ids != 3 {
		t.Errorf("CountScans = %d, %d, %v; want 3, 3", rows, ids, err)
	}
	for _, tc := range []struct {
		name string
		got  func() (uint64, error)
		want uint64
	}{
		{"rows as stored", func() (uint64, error) { return db.CountRows(ctx, "scan_events") }, 4},
		{"from raw.ups", func() (uint64, error) { return db.CountScansFrom(ctx, "raw.ups") }, 2},
		{"from raw.dhl", func() (uint64, error) { return db.CountScansFrom(ctx, "raw.dhl") }, 1},
		{"raw.ups with offsets", func() (uint64, error) { return db.CountScansWithLineage(ctx, "raw.ups") }, 1},
		{"from nowhere", func() (uint64, error) { return db.CountScansFrom(ctx, "raw.none") }, 0},
		{"active parts", func() (uint64, error) { p, err := db.PartsOf(ctx, "scan_events"); return p.Active, err }, 1},
		{"rows in active parts", func() (uint64, error) { p, err := db.PartsOf(ctx, "scan_events"); return p.ActiveRows, err }, 4},
	} {
		if n, err := tc.got(); err != nil || n != tc.want {
			t.Errorf("%s: %d (%v), want %d", tc.name, n, err, tc.want)
		}
	}
	if _, err := db.CountRows(ctx, "scan_events; DROP TABLE x"); err == nil {
		t.Error("CountRows accepted a table name that is not an identifier")
	}
	per, err := db.ScansPerShipment(ctx)
	if err != nil || len(per) != 3 || per["A1"] != 1 || per["C1"] != 1 {
		t.Errorf("ScansPerShipment = %v, %v", per, err)
	}
	cols, err := db.ColumnsOf(ctx, "scan_events")
	if err != nil || len(cols) == 0 || cols[0] != (chstore.Column{Name: "event_id", Type: "String"}) {
		t.Errorf("ColumnsOf(scan_events) starts %v (%v), want event_id String", cols[:min(1, len(cols))], err)
	}
	if v, err := db.ServerVersion(ctx); err != nil || v == "" {
		t.Errorf("ServerVersion = %q, %v", v, err)
	}
}
