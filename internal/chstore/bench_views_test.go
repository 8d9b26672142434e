package chstore_test

import (
	"context"
	"flag"
	"slices"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/schemas"
)

var benchViewShipments = flag.Int("views.shipments", 100_000, "simulated shipments BenchmarkViews loads")

// BenchmarkViews reads each analysts' view whole over a simulated history
// (reused numbers at the simulator's default rate), beside the shipments
// view of migration 0004, which grouped by tracking number alone, created
// again as shipments_by_number.
func BenchmarkViews(b *testing.B) {
	ctx := context.Background()
	_, db := env.Database(b)
	scans := storeSimulated(ctx, b, db, sim.Config{Seed: 5, Shipments: *benchViewShipments, Days: 180})
	migs, err := schemas.Migrations()
	if err != nil {
		b.Fatal(err)
	}
	const create = "CREATE VIEW shipments AS"
	i := slices.IndexFunc(migs, func(m schemas.Migration) bool { return m.Version == 4 })
	j := slices.IndexFunc(migs[i].Statements, func(s string) bool { return strings.HasPrefix(s, create) })
	if err := db.Conn().Exec(ctx, "CREATE VIEW shipments_by_number AS"+strings.TrimPrefix(migs[i].Statements[j], create)); err != nil {
		b.Fatal(err)
	}
	const whole = " WHERE last_city != '' OR toUnixTimestamp(picked_up_at) >= 0" // every column read
	for _, q := range []struct{ name, sql string }{
		{"shipments_by_number", "SELECT count(), sum(scans) FROM shipments_by_number" + whole},
		{"shipments", "SELECT count(), sum(scans) FROM shipments" + whole},
		{"transits", "SELECT count(), sum(scans) FROM transits WHERE transit_hours >= 0"},
		{"lane_weekly", "SELECT count(), sum(shipments) FROM lane_weekly"},
		{"on_time_by_carrier", "SELECT count(), sum(delivered) FROM on_time_by_carrier"},
	} {
		b.Run(q.name, func(b *testing.B) {
			before := serverCPU(ctx, b, db)
			for b.Loop() {
				var rows, n uint64
				if err := db.Conn().QueryRow(ctx, q.sql).Scan(&rows, &n); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(scans)*float64(b.N)/b.Elapsed().Seconds(), "scans/s")
			b.ReportMetric((serverCPU(ctx, b, db)-before)/float64(b.N), "server-cpu-s/op")
		})
	}
}

// serverCPU is the CPU time the server has spent, in seconds: on a
// machine others load too, the time of a query there tells its cost
// better than the time it takes to answer.
func serverCPU(ctx context.Context, b *testing.B, db *chstore.DB) float64 {
	var us uint64
	if err := db.Conn().QueryRow(ctx, `SELECT sum(value) FROM system.events
		WHERE event IN ('UserTimeMicroseconds', 'SystemTimeMicroseconds')`).Scan(&us); err != nil {
		b.Fatal(err)
	}
	return float64(us) / 1e6
}

// storeSimulated stores the scans of a simulated history and returns how
// many it stored.
func storeSimulated(ctx context.Context, b *testing.B, db *chstore.DB, cfg sim.Config) int {
	g := sim.New(cfg)
	w := chstore.NewScanWriter(db)
	var batch []schemas.ScanEvent
	scans := 0
	for {
		s, ok := g.Next()
		if ok {
			for _, e := range s.Scans {
				e.EventID = schemas.ComputeEventID(&e)
				batch = append(batch, e)
			}
		}
		if len(batch) >= 50_000 || !ok && len(batch) > 0 {
			if err := w.WriteEvents(ctx, batch); err != nil {
				b.Fatal(err)
			}
			scans += len(batch)
			batch = batch[:0]
		}
		if !ok {
			return scans
		}
	}
}
