package chstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parcelcast/parcelcast/model"
)

// RecordRun writes a training run and its backtest to model_runs.
func RecordRun(ctx context.Context, db *DB, m *model.Model, artifactSHA256 string, started time.Time) error {
	var id [8]byte
	_, _ = rand.Read(id[:])
	metrics, err := json.Marshal(m.Metrics)
	if err != nil {
		return fmt.Errorf("encode metrics: %w", err)
	}
	mt := m.Metrics
	err = db.insertRow(ctx, `INSERT INTO model_runs (run_id, model_version, started_at, finished_at,
	train_from, train_to, test_from, test_to, train_rows, test_rows,
	mae_hours, baseline_mae_hours, coverage_p10_p90, artifact_sha256,
	p95_on_time, standard_mae_hours, lane_mode_mae_hours, feature_schema, metrics_json)`,
		hex.EncodeToString(id[:]), m.Version, started.UTC(), time.Now().UTC(),
		m.Window.TrainFrom, m.Window.TrainTo, m.Window.CalibTo, m.Window.TestTo,
		uint64(mt.TrainRows), uint64(mt.TestRows),
		mt.MAEHours, mt.BaselineMAEHours, mt.Coverage80, artifactSHA256,
		mt.P95OnTime, mt.Overall.Baselines[model.BaselineStandard].MAEHours, mt.Overall.Baselines[model.BaselineLaneMode].MAEHours,
		m.FeatureSchema, string(metrics))
	if err != nil {
		return fmt.Errorf("record model run: %w", err)
	}
	return nil
}
