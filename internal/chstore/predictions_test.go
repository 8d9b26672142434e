package chstore_test

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

var _ predict.PredictionRecorder = (*chstore.PredictionWriter)(nil)

// TestPredictionViews stores sampled predictions and deliveries whose
// errors are known, and checks what prediction_errors and
// prediction_accuracy compute from them.
func TestPredictionViews(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	// Five days ago at 08:00 UTC, so the docs' queries of recent days see
	// the rows.
	t0 := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -5).Add(8 * time.Hour)
	h := func(hours float64) time.Time { return t0.Add(time.Duration(hours * float64(time.Hour))) }
	promised := h(72)
	pred := func(tn, key, carrier string, status schemas.Status, snap, served, p10, p50, p90, p95 float64) schemas.ServedPrediction {
		return schemas.ServedPrediction{
			TrackingNumber: tn, ShipmentKey: key, Carrier: carrier, Service: "ground",
			OriginArea: "US9", DestArea: "US1", SnapshotAt: h(snap), Status: status, ServedAt: h(served),
			ModelVersion: "v1", P10: h(p10), P50: h(p50), P90: h(p90), P95: h(p95),
			HoursToGo: p50 - served, Promised: &promised,
		}
	}
	preds := []schemas.ServedPrediction{
		// A, in transit: delivered 4 h after p50, inside p10–p90, by p95.
		pred("1ZA", "", "ups", schemas.StatusInTransit, 0, 1, 30, 48, 60, 70),
		// The same sample from a second replica, later the same day: the
		// views keep the earliest.
		pred("1ZA", "", "ups", schemas.StatusInTransit, 0, 2, 40, 45, 50, 55),
		// A, out for delivery the next day: 2 h late, outside both.
		pred("1ZA", "", "ups", schemas.StatusOutForDelivery, 29, 30, 49, 50, 51, 51),
		// B: delivered 10 h before p50, inside, by p95.
		pred("7B", "", "fedex", schemas.StatusPickedUp, 0, 0, 5, 20, 30, 40),
		// C: not delivered yet, so in neither view.
		pred("7C", "", "fedex", schemas.StatusPickedUp, 0, 0, 5, 20, 30, 40),
		// D: a number delivered before (an earlier shipment under it) and
		// twice after the snapshot; the first after counts: 6 h late,
		// outside p10–p90, by p95.
		pred("94D", "", "usps", schemas.StatusInTransit, 0, 0, 20, 24, 28, 35),
		// E: its key's shipment is not delivered; another key's is.
		pred("7E", "k1", "fedex", schemas.StatusPickedUp, 0, 0, 5, 20, 30, 40),
	}
	w := chstore.NewPredictionWriter(db)
	if err := w.WritePredictions(ctx, preds); err != nil {
		t.Fatal(err)
	}
	if err := w.WritePredictions(ctx, nil); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
	scan := func(tn, key, carrier string, status schemas.Status, at float64) schemas.ScanEvent {
		e := schemas.ScanEvent{TrackingNumber: tn, ShipmentKey: key, Carrier: carrier, Service: "ground",
			Status: status, CarrierCode: string(status), EventTime: h(at), Source: schemas.Source{IngestedAt: h(at)}}
		e.EventID = schemas.ComputeEventID(&e)
		return e
	}
	events := []schemas.ScanEvent{
		scan("1ZA", "", "ups", schemas.StatusInTransit, 0),
		scan("1ZA", "", "ups", schemas.StatusDelivered, 52),
		scan("7B", "", "fedex", schemas.StatusDelivered, 10),
		scan("7C", "", "fedex", schemas.StatusInTransit, 3),
		scan("94D", "", "usps", schemas.StatusDelivered, -100),
		scan("94D", "", "usps", schemas.StatusDelivered, 30),
		scan("94D", "", "usps", schemas.StatusDelivered, 40),
		scan("7E", "k2", "fedex", schemas.StatusDelivered, 12),
	}
	if err := chstore.NewScanWriter(db).WriteEvents(ctx, append(events, events...)); err != nil {
		t.Fatal(err)
	}

	rows, err := db.CountPredictions(ctx)
	if err != nil || rows != uint64(len(preds)) {
		t.Fatalf("predictions holds %d rows, want %d (%v)", rows, len(preds), err)
	}

	type errRow struct {
		tn, status string
		delivered  time.Time
		errHours   float64
		in, by     uint8
		daysToGo   string
	}
	wantErrs := []errRow{
		{"1ZA", "in_transit", h(52), 4, 1, 1, "2-3d"},
		{"1ZA", "out_for_delivery", h(52), 2, 0, 0, "0-1d"},
		{"7B", "picked_up", h(10), -10, 1, 1, "0-1d"},
		{"94D", "in_transit", h(30), 6, 0, 1, "1-2d"},
	}
	r, err := db.Conn().Query(ctx, `SELECT tracking_number, toString(status), delivered_at, error_hours, in_p10_p90, by_p95, days_to_go
		FROM prediction_errors ORDER BY tracking_number, served_at`)
	if err != nil {
		t.Fatal(err)
	}
	var got []errRow
	for r.Next() {
		var e errRow
		if err := r.Scan(&e.tn, &e.status, &e.delivered, &e.errHours, &e.in, &e.by, &e.daysToGo); err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	r.Close()
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(wantErrs) {
		t.Fatalf("prediction_errors rows:\n got %+v\nwant %+v", got, wantErrs)
	}
	for i, g := range got {
		w := wantErrs[i]
		if g.tn != w.tn || g.status != w.status || !g.delivered.Equal(w.delivered) || math.Abs(g.errHours-w.errHours) > 1e-9 ||
			g.in != w.in || g.by != w.by || g.daysToGo != w.daysToGo {
			t.Errorf("prediction_errors row %d: got %+v, want %+v", i, g, w)
		}
	}

	type accRow struct {
		carrier, daysToGo    string
		predictions          uint64
		mae, coverage, byP95 float64
	}
	wantAcc := []accRow{
		{"fedex", "0-1d", 1, 10, 1, 1},
		{"ups", "0-1d", 1, 2, 0, 0},
		{"ups", "2-3d", 1, 4, 1, 1},
		{"usps", "1-2d", 1, 6, 0, 1},
	}
	r, err = db.Conn().Query(ctx, `SELECT carrier, days_to_go, predictions, mae_hours, coverage_p10_p90, p95_on_time
		FROM prediction_accuracy WHERE model_version = 'v1' ORDER BY carrier, days_to_go`)
	if err != nil {
		t.Fatal(err)
	}
	var acc []accRow
	for r.Next() {
		var a accRow
		if err := r.Scan(&a.carrier, &a.daysToGo, &a.predictions, &a.mae, &a.coverage, &a.byP95); err != nil {
			t.Fatal(err)
		}
		acc = append(acc, a)
	}
	r.Close()
	if len(acc) != len(wantAcc) {
		t.Fatalf("prediction_accuracy:\n got %+v\nwant %+v", acc, wantAcc)
	}
	for i, a := range acc {
		w := wantAcc[i]
		if a.carrier != w.carrier || a.daysToGo != w.daysToGo || a.predictions != w.predictions ||
			math.Abs(a.mae-w.mae) > 1e-9 || math.Abs(a.coverage-w.coverage) > 1e-9 || math.Abs(a.byP95-w.byP95) > 1e-9 {
			t.Errorf("prediction_accuracy row %d: got %+v, want %+v", i, a, w)
		}
	}

	// By carrier across every bucket, as analysts roll it up.
	var mae, coverage float64
	if err := db.Conn().QueryRow(ctx, `SELECT avg(abs_error_hours), avg(in_p10_p90) FROM prediction_errors WHERE carrier = 'ups'`).
		Scan(&mae, &coverage); err != nil {
		t.Fatal(err)
	}
	if mae != 3 || coverage != 0.5 {
		t.Errorf("ups: MAE %.3f h, coverage %.3f; want 3 h and 0.5", mae, coverage)
	}

	// OnlineAccuracy: by days to go, then over all of them.
	got2, err := db.OnlineAccuracy(ctx, "days_to_go")
	if err != nil {
		t.Fatal(err)
	}
	wantOnline := []chstore.Accuracy{
		{Group: "0-1d", Predictions: 2, MAEHours: 6, CoverageP10P90: 0.5, P95OnTime: 0.5},
		{Group: "1-2d", Predictions: 1, MAEHours: 6, CoverageP10P90: 0, P95OnTime: 1},
		{Group: "2-3d", Predictions: 1, MAEHours: 4, CoverageP10P90: 1, P95OnTime: 1},
		{Group: "", Predictions: 4, MAEHours: 5.5, CoverageP10P90: 0.5, P95OnTime: 0.75},
	}
	if len(got2) != len(wantOnline) {
		t.Fatalf("OnlineAccuracy:\n got %+v\nwant %+v", got2, wantOnline)
	}
	for i, g := range got2 {
		w := wantOnline[i]
		if g.Group != w.Group || g.Predictions != w.Predictions || math.Abs(g.MAEHours-w.MAEHours) > 1e-9 ||
			math.Abs(g.CoverageP10P90-w.CoverageP10P90) > 1e-9 || math.Abs(g.P95OnTime-w.P95OnTime) > 1e-9 {
			t.Errorf("OnlineAccuracy row %d: got %+v, want %+v", i, g, w)
		}
	}
	byCarrier, err := db.OnlineAccuracy(ctx, "carrier")
	if err != nil || len(byCarrier) != 4 || byCarrier[1].Group != "ups" || byCarrier[1].MAEHours != 3 || byCarrier[3].Predictions != 4 {
		t.Errorf("OnlineAccuracy by carrier: %+v (%v)", byCarrier, err)
	}
	if _, err := db.OnlineAccuracy(ctx, "1; DROP TABLE predictions"); err == nil {
		t.Error("OnlineAccuracy grouped by an unknown column")
	}

	// The analysts' queries of served ETAs run on these rows and find some.
	doc, err := os.ReadFile("../../docs/analysts.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(doc), "## Served ETAs against their deliveries")
	blocks := strings.Split(section, "```sql\n")[1:]
	if len(blocks) == 0 {
		t.Fatal("docs/analysts.md has no queries of served ETAs")
	}
	for _, block := range blocks {
		q := strings.TrimSuffix(strings.TrimSpace(block[:strings.Index(block, "```")]), ";")
		r, err := db.Conn().Query(ctx, q)
		if err != nil {
			t.Fatalf("docs query fails: %v\n%s", err, q)
		}
		n := 0
		for r.Next() {
			n++
		}
		r.Close()
		if err := r.Err(); err != nil || n == 0 {
			t.Errorf("docs query gave %d rows (%v):\n%s", n, err, q)
		}
	}
}
