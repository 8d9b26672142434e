package chstore_test

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/model"
)

var (
	benchHistoryShipments = flag.Int("history.shipments", 100_000, "simulated shipments BenchmarkDeliveredMemory loads")
	benchHistoryDays      = flag.Int("history.days", 360, "days of history BenchmarkDeliveredMemory spreads them over")
)

// BenchmarkDeliveredMemory reads the delivered journeys of a history's
// first 70% (the fit pass's slice) in one query and in chunks of first
// scans, and reports the server's peak memory of the largest query, from
// system.query_log.
func BenchmarkDeliveredMemory(b *testing.B) {
	ctx := context.Background()
	_, db := env.Database(b)
	storeSimulated(ctx, b, db, sim.Config{Seed: 5, Shipments: *benchHistoryShipments, Days: *benchHistoryDays})
	h := chstore.NewHistory(db)
	win, _, err := h.Split(ctx)
	if err != nil {
		b.Fatal(err)
	}
	from, to := win.TrainFrom, win.TrainFrom.Add(win.TestTo.Sub(win.TrainFrom)*7/10)
	for _, c := range []struct {
		name  string
		chunk time.Duration
	}{{"one-query", 0}, {"chunks-30d", 30 * 24 * time.Hour}, {"chunks-7d", 7 * 24 * time.Hour}} {
		b.Run(c.name, func(b *testing.B) {
			h.SetChunk(c.chunk)
			// The queries of one read are told from the others by time: a
			// query id is one query's, and a read makes several.
			time.Sleep(time.Second)
			var start time.Time
			if err := db.Conn().QueryRow(ctx, "SELECT now()").Scan(&start); err != nil {
				b.Fatal(err)
			}
			qctx := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"log_queries": 1}))
			var journeys int
			for b.Loop() {
				journeys = 0
				if err := h.Delivered(qctx, from, to, to, func(*model.Journey) error { journeys++; return nil }); err != nil {
					b.Fatal(err)
				}
			}
			if err := db.Conn().Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
				b.Fatal(err)
			}
			var peak uint64
			if err := db.Conn().QueryRow(ctx, `SELECT toUInt64(max(memory_usage)) FROM system.query_log
WHERE type = 2 AND event_time >= ? AND query LIKE '%scan_events%' AND query NOT LIKE '%query_log%'`, start).Scan(&peak); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(peak)/(1<<20), "server-peak-MB")
			b.ReportMetric(float64(journeys), "journeys")
		})
	}
}
