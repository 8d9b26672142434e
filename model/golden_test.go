package model_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
)

var update = flag.Bool("update", false, "rewrite testdata/train.sha256")

// TestTrainGolden pins a trained artifact to the bit: one worker (so the
// sums are added in one order) and a fixed clock on a fixed simulated
// history. A change meant to keep training's results must pass it
// unchanged; a change of the maths updates the file with -update. The
// checksum holds on amd64 only: other architectures fuse multiply-adds,
// which changes the last bits.
func TestTrainGolden(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skipf("the golden checksum is of amd64 arithmetic, not %s", runtime.GOARCH)
	}
	cfg := model.DefaultTrainConfig()
	cfg.Workers = 1
	cfg.Now = func() time.Time { return time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) }
	m, err := model.Train(context.Background(), modeltest.NewMem(sim.Config{Seed: 2, Shipments: 1500}), cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := m.Save(filepath.Join(t.TempDir(), "eta.json"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "train.sha256")
	if *update {
		if err := os.WriteFile(path, []byte(sum+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if got := strings.TrimSpace(string(want)); sum != got {
		t.Errorf("trained artifact's sha256 is %s, want %s: training's results changed", sum, got)
	}
}
