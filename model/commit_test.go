package model_test

import (
	"context"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
)

// TestServedCommit checks that what the API serves as the p95 commit is
// the commit the training calibrated: Predict's P95 and Quantiles at the
// promise target agree, come from the fits' commits, never fall before
// the p90, and the backtest scores them at every test shipment.
func TestServedCommit(t *testing.T) {
	src := modeltest.NewMem(sim.Config{Seed: 5, Shipments: 4000, Days: 90, Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	m, err := model.Train(context.Background(), src, model.DefaultTrainConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []*model.Fit{m.Lane, m.Promise} {
		if f.CommitLevel < m.PromiseTarget || f.PromiseCommitLevel < m.PromiseTarget || len(f.Commits) == 0 || len(f.PromiseCommits) == 0 {
			t.Fatalf("fit without commits: levels %.3f and %.3f, %d and %d segments", f.CommitLevel, f.PromiseCommitLevel, len(f.Commits), len(f.PromiseCommits))
		}
	}
	t.Logf("commit levels: promise fit %.3f (first snapshots %.3f), lane fit %.3f (%.3f)", m.Promise.CommitLevel, m.Promise.PromiseCommitLevel,
		m.Lane.CommitLevel, m.Lane.PromiseCommitLevel)
	out := make([]float64, 1)
	n := 0
	for _, j := range src.Journeys[len(src.Journeys)-200:] {
		for k := 0; k < len(j.Scans)-1; k++ { // after each scan before the last
			s := j.SnapshotAt(k)
			p := m.Predict(s)
			m.Quantiles(s, []float64{m.PromiseTarget}, out)
			if p.P95 != out[0] || p.P95 < p.P90 {
				t.Fatalf("%s scan %d: P95 %.2f h, Quantiles at %.2f %.2f h, P90 %.2f h", j.TrackingNumber, k, p.P95, m.PromiseTarget, out[0], p.P90)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no snapshots predicted")
	}
	c := m.Metrics.Promises.Commit
	if c.N != m.Metrics.TestShipments || c.Target != m.PromiseTarget {
		t.Errorf("served commit scored at %d shipments for target %g, want the %d tested for %g", c.N, c.Target, m.Metrics.TestShipments, m.PromiseTarget)
	}
	if o := m.Metrics.Overall; !(o.P95SlackAllHours > 0) || o.P95SlackAllHours > o.P95SlackHours {
		t.Errorf("p95 slack %.1f h over all snapshots, %.1f h over the on-time: want 0 < over all ≤ on-time", o.P95SlackAllHours, o.P95SlackHours)
	}
}
