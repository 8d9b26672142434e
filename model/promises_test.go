package model_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
)

// TestPromiseCurve backtests the commits on simulated history: a higher
// on-time target is late less often and gives more slack, the commit of
// the configured target is on the curve, and the carriers' own promises
// are scored beside it.
func TestPromiseCurve(t *testing.T) {
	src := modeltest.NewMem(sim.Config{Seed: 11, Shipments: 12000, Days: 120, Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	cfg := model.DefaultTrainConfig()
	cfg.PromiseTarget = 0.955
	m, err := model.Train(context.Background(), src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Metrics.Promises
	if c.Target != 0.955 || m.PromiseTarget != 0.955 {
		t.Errorf("promise target %g in the curve, %g in the model, want 0.955", c.Target, m.PromiseTarget)
	}
	var commit *model.PromisePoint
	for i, p := range c.Points {
		t.Logf("target %.3f: %d shipments, late %.3f, slack %.1f h over all, %.1f h on time", p.Target, p.N, p.Late, p.MeanSlackAllHours, p.MeanSlackOnTimeHours)
		if p.N != m.Metrics.TestShipments {
			t.Errorf("target %g scored %d shipments, want the %d tested", p.Target, p.N, m.Metrics.TestShipments)
		}
		if i > 0 && (p.Late > c.Points[i-1].Late || p.MeanSlackAllHours < c.Points[i-1].MeanSlackAllHours) {
			t.Errorf("target %g: late %.3f, slack %.1f h; the lower target before it: %.3f, %.1f h", p.Target, p.Late,
				p.MeanSlackAllHours, c.Points[i-1].Late, c.Points[i-1].MeanSlackAllHours)
		}
		if p.Target == c.Target {
			commit = &c.Points[i]
		}
	}
	if commit == nil {
		t.Fatalf("no point at the target 0.955: %+v", c.Points)
	}
	if late := commit.Late; late > 0.06 {
		t.Errorf("the 95.5%% commit is late %.3f, want about 0.045", late)
	}
	t.Logf("own promise: %d shipments, late %.3f, slack %.1f h over all", c.Own.N, c.Own.Late, c.Own.MeanSlackAllHours)
	if c.Own.N == 0 || len(c.Model) != len(c.Points) {
		t.Errorf("the carriers' promises are not scored beside the curve: own %+v, %d model points", c.Own, len(c.Model))
	}
}

func TestTrainRefusesPromiseTargetOutOfRange(t *testing.T) {
	src := modeltest.NewMem(sim.Config{Seed: 3, Shipments: 1500})
	for _, target := range []float64{0.3, 0.995, 1.2} {
		cfg := model.DefaultTrainConfig()
		cfg.PromiseTarget = target
		if _, err := model.Train(context.Background(), src, cfg); err == nil || !strings.Contains(err.Error(), "promise target") {
			t.Errorf("target %g: err %v, want a refusal", target, err)
		}
	}
}
