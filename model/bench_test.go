package model_test

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
)

var benchRows = flag.Int("train.rows", 1_000_000, "snapshot rows of BenchmarkTrain's history (train, calibration and test slices together)")

// BenchmarkTrain trains on a pool of simulated journeys repeated in time
// until the history holds -train.rows snapshot rows, and reports snapshot
// rows per second through all three passes and the process's peak RSS.
// The source holds only the pool, so memory must not grow with the rows:
// run two sizes (make bench-train) to see it.
func BenchmarkTrain(b *testing.B) {
	c := modeltest.NewCycle(sim.Config{Seed: 21, Shipments: 20000, Days: 28,
		Start: time.Date(2020, 1, 6, 0, 0, 0, 0, time.UTC)}, 1)
	c.Copies = max(1, *benchRows/c.Snapshots())
	b.ResetTimer()
	var rows int
	var m *model.Model
	for b.Loop() {
		var err error
		cfg := model.DefaultTrainConfig()
		cfg.Log = benchLog()
		m, err = model.Train(context.Background(), c, cfg)
		if err != nil {
			b.Fatal(err)
		}
		rows += m.Lane.Rows + m.Metrics.CalibRows + m.Metrics.TestRows
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(m.Lane.Rows+m.Metrics.CalibRows+m.Metrics.TestRows), "rows")
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
	b.ReportMetric(float64(len(m.Features)), "features")
	b.ReportMetric(100*m.Metrics.Overall.Reduction(model.BaselineLaneMedian), "%-below-lane-median")
}

// peakRSSMB is the process's peak resident set (VmHWM) in MB.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

// benchLog logs the training phases' timings to stderr when BENCH_LOG is
// set (BENCH_LOG=1 go test -bench Train ./model), and nothing otherwise.
func benchLog() *slog.Logger {
	if os.Getenv("BENCH_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}
