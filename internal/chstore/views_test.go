package chstore_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/schemas"
)

// TestShipmentViews loads simulated scans and checks the analysts' views
// against the simulation's truth.
func TestShipmentViews(t *testing.T) {
	ctx := context.Background()
	_, conn := env.Database(t)
	g := sim.New(sim.Config{Seed: 4, Shipments: 300})
	var events []schemas.ScanEvent
	truth := map[string]sim.Shipment{}
	for {
		s, ok := g.Next()
		if !ok {
			break
		}
		truth[s.TrackingNumber] = s
		for _, e := range s.Scans {
			e.EventID = schemas.ComputeEventID(&e)
			events = append(events, e, e) // twice: the views see each scan once
		}
	}
	if err := chstore.NewScanWriter(conn).WriteEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	var shipments, delivered uint64
	if err := conn.Conn().QueryRow(ctx, "SELECT count() FROM shipments").Scan(&shipments); err != nil {
		t.Fatal(err)
	}
	if shipments != uint64(len(truth)) {
		t.Errorf("shipments has %d rows, want %d", shipments, len(truth))
	}
	rows, err := conn.Conn().Query(ctx, "SELECT tracking_number, delivered_at, transit_hours, scans FROM transits")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var tn string
		var at time.Time
		var hours float64
		var scans uint64
		if err := rows.Scan(&tn, &at, &hours, &scans); err != nil {
			t.Fatal(err)
		}
		delivered++
		s := truth[tn]
		pickup := s.Scans[1].EventTime
		if s.Outcome != sim.Delivered || !at.Equal(s.DeliveredAt) || scans != uint64(len(s.Scans)) {
			t.Fatalf("%s: delivered %s with %d scans, truth %s %s with %d", tn, at, scans, s.Outcome, s.DeliveredAt, len(s.Scans))
		}
		if want := s.DeliveredAt.Sub(pickup).Hours(); hours < want-0.02 || hours > want+0.02 {
			t.Fatalf("%s: transit %.2f h, truth %.2f h", tn, hours, want)
		}
	}
	want := 0
	for _, s := range truth {
		if s.Outcome == sim.Delivered {
			want++
		}
	}
	if delivered != uint64(want) {
		t.Errorf("transits has %d rows, want %d delivered shipments", delivered, want)
	}

	// Business days and hops agree with the calendar and the scans.
	var bad uint64
	if err := conn.Conn().QueryRow(ctx, `SELECT countIf(business_days > dateDiff('day', picked_up_at, delivered_at)
		OR hops < 1 OR hops >= scans OR origin = '' OR destination = '') FROM transits`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad > 0 {
		t.Errorf("%d transits with business days beyond calendar days, no hop or no lane", bad)
	}
	var weekly, monthly uint64
	if err := conn.Conn().QueryRow(ctx, "SELECT sum(shipments) FROM lane_weekly").Scan(&weekly); err != nil || weekly != delivered {
		t.Errorf("lane_weekly counts %d shipments, transits %d (%v)", weekly, delivered, err)
	}
	if err := conn.Conn().QueryRow(ctx, "SELECT sum(delivered) FROM on_time_by_carrier").Scan(&monthly); err != nil || monthly != delivered {
		t.Errorf("on_time_by_carrier counts %d deliveries, transits %d (%v)", monthly, delivered, err)
	}

	// Every example query of the docs runs as written.
	for _, doc := range []string{"../../docs/clickhouse.md", "../../docs/analysts.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		blocks := strings.Split(string(b), "```sql\n")[1:]
		if len(blocks) == 0 {
			t.Fatalf("%s has no SQL examples", doc)
		}
		for _, block := range blocks {
			block = block[:strings.Index(block, "```")]
			for _, q := range strings.Split(block, ";") {
				if strings.TrimSpace(q) == "" {
					continue
				}
				r, err := conn.Conn().Query(ctx, q)
				if err != nil {
					t.Fatalf("%s query fails: %v\n%s", doc, err, q)
				}
				r.Close()
			}
		}
	}
}
