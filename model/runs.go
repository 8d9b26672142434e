package model

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/parcelcast/parcelcast/internal/chdb"
)

// RecordRun writes a training run and its backtest to model_runs.
func RecordRun(ctx context.Context, conn driver.Conn, m *Model, artifactSHA256 string, started time.Time) error {
	var id [8]byte
	_, _ = rand.Read(id[:])
	err := chdb.InsertRow(ctx, conn, `INSERT INTO model_runs (run_id, model_version, started_at, finished_at,
	train_from, train_to, test_from, test_to, train_rows, test_rows,
	mae_hours, baseline_mae_hours, coverage_p10_p90, artifact_sha256)`,
		hex.EncodeToString(id[:]), m.Version, started.UTC(), time.Now().UTC(),
		m.Window.TrainFrom, m.Window.TrainTo, m.Window.CalibTo, m.Window.TestTo,
		uint64(m.Metrics.TrainRows), uint64(m.Metrics.TestRows),
		m.Metrics.MAEHours, m.Metrics.BaselineMAEHours, m.Metrics.Coverage80, artifactSHA256)
	if err != nil {
		return fmt.Errorf("record model run: %w", err)
	}
	return nil
}
