package chstore

import (
	"context"
	"fmt"
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
