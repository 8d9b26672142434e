package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"math"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

var (
	onlineShipments = flag.Int("online.shipments", 2000, "shipments TestOnlineAccuracy simulates")
	onlineDays      = flag.Int("online.days", 3, "days TestOnlineAccuracy serves ETAs for after training")
)

// onlineStep is how often TestOnlineAccuracy's clock moves on.
const onlineStep = 12 * time.Hour

// TestOnlineAccuracy measures the served ETAs as the predictions table and
// its views see them, next to the backtest's figures: a simulated history
// is stored up to a cut-off and a model trained on it; then, every
// onlineStep for online.days, the scans of the step are stored and every
// shipment in flight is asked for its ETA, with sampling on, and the
// deliveries are told to the sampler; at the end the rest of the scans are
// stored and the views read. Run larger with
//
//	go test ./cmd/parcelcast -run TestOnlineAccuracy -v -online.shipments 6000 -online.days 7
func TestOnlineAccuracy(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	cut := time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC)
	g := sim.New(sim.Config{Seed: 33, Shipments: *onlineShipments, Days: 40, Start: cut.AddDate(0, 0, -35)})
	var ships []sim.Shipment
	var events []schemas.ScanEvent
	for {
		s, ok := g.Next()
		if !ok {
			break
		}
		if len(s.Scans) == 0 {
			continue
		}
		for i := range s.Scans {
			s.Scans[i].EventID = schemas.ComputeEventID(&s.Scans[i])
		}
		ships = append(ships, s)
		events = append(events, s.Scans...)
	}
	sort.SliceStable(events, func(a, b int) bool { return events[a].EventTime.Before(events[b].EventTime) })
	w := chstore.NewScanWriter(db)
	next := 0 // events[:next] are stored
	storeUntil := func(at time.Time) {
		t.Helper()
		end := sort.Search(len(events), func(i int) bool { return events[i].EventTime.After(at) })
		if end > next {
			if err := w.WriteEvents(ctx, events[next:end]); err != nil {
				t.Fatal(err)
			}
			next = end
		}
	}

	storeUntil(cut)
	m, _, err := train(ctx, db, filepath.Join(t.TempDir(), "eta.json"), model.DefaultTrainConfig())
	if err != nil {
		t.Fatalf("train: %v", err)
	}

	reg := prometheus.NewRegistry()
	scfg := predict.DefaultSamplerConfig()
	scfg.WriteTimeout = time.Minute // a loaded machine's insert is slow, not lost
	sampler := predict.NewSampler(chstore.NewPredictionWriter(db), scfg, nil, reg)
	sctx, stopSampler := context.WithCancel(ctx)
	defer stopSampler()
	sampled := make(chan struct{})
	go func() { sampler.Run(sctx); close(sampled) }()
	now := cut
	srv := predict.NewServer(newStoredShipments(db), m, predict.Options{Now: func() time.Time { return now }, Sampler: sampler})

	requests, observed := 0, 0
	askedFor := map[int]bool{} // shipments asked while in flight, by index
	for now = cut; !now.After(cut.Add(time.Duration(*onlineDays) * 24 * time.Hour)); now = now.Add(onlineStep) {
		prev := now.Add(-onlineStep)
		storeUntil(now)
		for i := range ships {
			s := &ships[i]
			j, ended, delivered := journeyAt(s, now)
			if len(j.Scans) == 0 {
				continue
			}
			if ended {
				// The live state tells the sampler of every changed shipment.
				if delivered && s.DeliveredAt.After(prev) && askedFor[i] {
					sampler.ShipmentChanged(predict.Shipment{Journey: j})
					observed++
				}
				continue
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/shipments/"+s.TrackingNumber+"/eta", nil))
			if rec.Code != 200 {
				t.Fatalf("eta of %s at %s: %d %s", s.TrackingNumber, now, rec.Code, rec.Body)
			}
			requests++
			askedFor[i] = true
		}
	}
	storeUntil(events[len(events)-1].EventTime)
	stopSampler()
	select {
	case <-sampled:
	case <-time.After(time.Minute):
		t.Fatal("the sampler's writer did not stop")
	}

	rows, err := db.CountPredictions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, want := gathered(t, reg, "parcelcast_predictions_sampled_total"); rows == 0 || float64(rows) != want {
		_, failed := gathered(t, reg, "parcelcast_predictions_write_failed_total")
		t.Fatalf("predictions holds %d rows, the sampler took %v (%v failed to be written)", rows, want, failed)
	}
	var table strings.Builder
	fmt.Fprintf(&table, "%d shipments, %d ETA requests over %d days, %d sampled\n", len(ships), requests, *onlineDays, rows)
	var all chstore.Accuracy
	for _, by := range []string{"days_to_go", "carrier"} {
		acc, err := db.OnlineAccuracy(ctx, by)
		if err != nil {
			t.Fatal(err)
		}
		online := map[string]chstore.Accuracy{}
		for _, a := range acc {
			online[a.Group] = a
		}
		all = online[""]
		groups, backtest := model.DaysToGoBuckets, m.Metrics.ByDaysToGo
		if by == "carrier" {
			groups, backtest = slices.Sorted(maps.Keys(m.Metrics.ByCarrier)), m.Metrics.ByCarrier
		}
		fmt.Fprintf(&table, "\n| %s | backtest snapshots | MAE h | p10–p90 | by p95 | online predictions | MAE h | p10–p90 | by p95 |\n|---|---|---|---|---|---|---|---|---|\n", strings.ReplaceAll(by, "_", " "))
		row := func(name string, bt model.Score, on chstore.Accuracy) {
			fmt.Fprintf(&table, "| %s | %d | %.1f | %.1f%% | %.1f%% | %d | %.1f | %.1f%% | %.1f%% |\n",
				name, bt.N, bt.MAEHours, 100*bt.Coverage80, 100*bt.P95OnTime, on.Predictions, on.MAEHours, 100*on.CoverageP10P90, 100*on.P95OnTime)
		}
		for _, g := range groups {
			row(g, backtest[g], online[g])
		}
		row("all", model.Score{N: m.Metrics.TestRows, MAEHours: m.Metrics.MAEHours, Coverage80: m.Metrics.Coverage80, P95OnTime: m.Metrics.P95OnTime}, all)
	}
	n, sum := gathered(t, reg, "parcelcast_eta_abs_error_hours")
	fmt.Fprintf(&table, "\nparcelcast_eta_abs_error_hours: %d deliveries, mean %.1f h (each shipment's latest sampled p50)\n", n, sum/float64(max(n, 1)))
	t.Logf("online accuracy against the backtest:\n%s", table.String())

	if all.Predictions == 0 || math.IsNaN(all.MAEHours) || all.CoverageP10P90 < 0.4 || all.P95OnTime < 0.6 {
		t.Errorf("online figures out of any sensible range: %+v", all)
	}
	// The histogram: one observation per sampled shipment delivered while
	// the clock ran.
	if n != uint64(observed) || n == 0 {
		t.Errorf("error histogram has %d observations, %d sampled shipments were delivered", n, observed)
	}
}

// journeyAt is s as known at now: its scans so far, whether it had ended
// (delivered, returned or cancelled), and whether by delivery.
func journeyAt(s *sim.Shipment, now time.Time) (model.Journey, bool, bool) {
	j := model.Journey{TrackingNumber: s.TrackingNumber, ShipmentKey: s.ShipmentKey, Carrier: s.Carrier, Service: s.Service}
	ended, delivered := false, false
	for _, e := range s.Scans {
		if e.EventTime.After(now) {
			break
		}
		j.Scans = append(j.Scans, model.Scan{Time: e.EventTime, Status: e.Status, OffsetMinutes: e.UTCOffsetMinutes})
		if e.Status.Terminal() {
			ended, delivered = true, e.Status == schemas.StatusDelivered
		}
	}
	return j, ended, delivered
}

// gathered sums a metric over its labels: a histogram's observations,
// and a counter's value.
func gathered(t *testing.T, reg *prometheus.Registry, name string) (uint64, float64) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				n += m.GetHistogram().GetSampleCount()
				sum += m.GetHistogram().GetSampleSum() + m.GetCounter().GetValue()
			}
		}
	}
	return n, sum
}
