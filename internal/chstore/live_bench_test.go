package chstore_test

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/predict/live/livetest"
	"github.com/parcelcast/parcelcast/schemas"
)

var bootstrapShipments = flag.Int("live.shipments", 1_000_000, "shipments in flight BenchmarkLiveBootstrap stores and loads")

// BenchmarkLiveBootstrap stores -live.shipments shipments in flight of
// eight scans with the ScanWriter, then times the live state's bootstrap
// from the real server: the query, the stream of rows and the store. It
// bootstraps twice: right after the insert, while the server still merges
// the new parts, and again (a restart's case: a table mostly merged).
func BenchmarkLiveBootstrap(b *testing.B) {
	ctx := context.Background()
	_, db := env.Database(b)
	now := time.Now()
	w := chstore.NewScanWriter(db)
	n := *bootstrapShipments
	start := time.Now()
	var batch []schemas.ScanEvent
	for i := range n {
		batch = livetest.Shipment(batch, i, now)
		if len(batch) >= 200_000 || i == n-1 {
			if err := w.WriteEvents(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	fmt.Printf("live bootstrap: stored %d shipments, %d scans in %s\n", n, n*livetest.ScansPerShipment, time.Since(start).Round(time.Millisecond))
	b.ResetTimer()
	for i := range 2 * b.N {
		s, err := live.New(live.Options{Bootstrap: chstore.NewLiveScans(db), Now: func() time.Time { return now }})
		if err != nil {
			b.Fatal(err)
		}
		t := time.Now()
		if err := s.Bootstrap(ctx); err != nil {
			b.Fatal(err)
		}
		took := time.Since(t)
		held, scans := s.Len()
		if held != n || scans != n*livetest.ScansPerShipment {
			b.Fatalf("bootstrap held %d shipments, %d scans; want %d, %d", held, scans, n, n*livetest.ScansPerShipment)
		}
		when := "right after storing"
		if i%2 == 1 {
			when = "again"
			b.ReportMetric(took.Seconds(), "bootstrap-s")
			b.ReportMetric(float64(scans)/took.Seconds(), "scans/s")
		}
		fmt.Printf("live bootstrap, %s: %d shipments, %d scans loaded in %s (%.0f scans/s)\n", when, held, scans, took.Round(time.Millisecond), float64(scans)/took.Seconds())
	}
}
