package chstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// PredictionWriter inserts served predictions into the predictions table:
// the sink of predict's sampler. Its methods are safe for concurrent use.
type PredictionWriter struct {
	db *DB
}

// NewPredictionWriter returns a writer on db, which must be a migrated
// parcelcast database.
func NewPredictionWriter(db *DB) *PredictionWriter { return &PredictionWriter{db: db} }

// insertPredictions spells out the column list, as 18.16 requires.
const insertPredictions = `INSERT INTO predictions (tracking_number, shipment_key, carrier, service,
	origin_area, destination_area, snapshot_time, status, served_at, model_version,
	p10, p50, p90, p95, hours_to_go, promised_delivery)`

// WritePredictions inserts ps as one batch; on error none may be assumed
// written.
func (w *PredictionWriter) WritePredictions(ctx context.Context, ps []schemas.ServedPrediction) error {
	if len(ps) == 0 {
		return nil
	}
	batch, err := w.db.conn.PrepareBatch(ctx, insertPredictions)
	if err != nil {
		return fmt.Errorf("prepare predictions insert: %w", err)
	}
	for i := range ps {
		p := &ps[i]
		var promised *time.Time
		if p.Promised != nil {
			t := p.Promised.UTC()
			promised = &t
		}
		if err := batch.Append(p.TrackingNumber, p.ShipmentKey, p.Carrier, p.Service,
			p.OriginArea, p.DestArea, p.SnapshotAt.UTC(), string(p.Status), p.ServedAt.UTC(), p.ModelVersion,
			p.P10.UTC(), p.P50.UTC(), p.P90.UTC(), p.P95.UTC(), p.HoursToGo, promised); err != nil {
			_ = batch.Abort()
			return fmt.Errorf("append prediction of %s: %w", p.TrackingNumber, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send %d predictions: %w", len(ps), err)
	}
	return nil
}

// Accuracy is how a group of sampled predictions fared once delivered.
type Accuracy struct {
	// Group is the value of the grouping column, "" for every group.
	Group          string
	Predictions    uint64
	MAEHours       float64
	CoverageP10P90 float64
	P95OnTime      float64
}

// AccuracyGroups are the columns of prediction_errors OnlineAccuracy
// groups by.
var AccuracyGroups = []string{"days_to_go", "carrier", "service", "model_version", "status"}

// OnlineAccuracy reads prediction_errors grouped by one of
// AccuracyGroups, in the column's order, then over every group (Group ""),
// which is zero when nothing sampled has been delivered.
func (db *DB) OnlineAccuracy(ctx context.Context, by string) ([]Accuracy, error) {
	if !slices.Contains(AccuracyGroups, by) {
		return nil, fmt.Errorf("online accuracy by %q: want one of %v", by, AccuracyGroups)
	}
	rows, err := db.conn.Query(ctx, `SELECT toString(`+by+`), count(), avg(abs_error_hours), avg(in_p10_p90), avg(by_p95)
		FROM prediction_errors GROUP BY `+by+` ORDER BY `+by)
	if err != nil {
		return nil, fmt.Errorf("read prediction_errors: %w", err)
	}
	defer rows.Close()
	var out []Accuracy
	var all Accuracy
	for rows.Next() {
		var a Accuracy
		if err := rows.Scan(&a.Group, &a.Predictions, &a.MAEHours, &a.CoverageP10P90, &a.P95OnTime); err != nil {
			return nil, fmt.Errorf("scan prediction_errors: %w", err)
		}
		out = append(out, a)
		n := float64(a.Predictions)
		all.Predictions += a.Predictions
		all.MAEHours += n * a.MAEHours
		all.CoverageP10P90 += n * a.CoverageP10P90
		all.P95OnTime += n * a.P95OnTime
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read prediction_errors: %w", err)
	}
	if n := float64(all.Predictions); n > 0 {
		all.MAEHours, all.CoverageP10P90, all.P95OnTime = all.MAEHours/n, all.CoverageP10P90/n, all.P95OnTime/n
	}
	return append(out, all), nil
}

// CountPredictions returns the rows of the predictions table.
func (db *DB) CountPredictions(ctx context.Context) (uint64, error) {
	var n uint64
	if err := db.conn.QueryRow(ctx, "SELECT count() FROM predictions").Scan(&n); err != nil {
		return 0, fmt.Errorf("count predictions: %w", err)
	}
	return n, nil
}
