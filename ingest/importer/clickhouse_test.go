package importer

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) { testenv.Run(m, &env) }

// TestImportIntoClickHouse loads the test files twice into a real
// ClickHouse: the analysts' views see each shipment once, with the
// transit the file gives.
func TestImportIntoClickHouse(t *testing.T) {
	ctx := context.Background()
	_, conn := env.Database(t)
	w := ingest.NewClickHouseWriter(conn)
	for range 2 {
		for _, in := range []string{"testdata/history.csv", "testdata/history.jsonl"} {
			f, err := os.Open(in)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Import(ctx, f, FormatOf(in), w, Options{Source: in})
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	var shipments, delivered uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM shipments").Scan(&shipments); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT count() FROM transits").Scan(&delivered); err != nil {
		t.Fatal(err)
	}
	// history.csv: 5 good rows, 4 delivered; history.jsonl: 2, both delivered.
	if shipments != 7 || delivered != 6 {
		t.Errorf("%d shipments, %d delivered; want 7 and 6", shipments, delivered)
	}
	var hours float64
	var onTime *uint8
	if err := conn.QueryRow(ctx, "SELECT transit_hours, on_time FROM transits WHERE tracking_number = '1Z999AA10123456702'").Scan(&hours, &onTime); err != nil {
		t.Fatal(err)
	}
	if math.Abs(hours-69.7) > 0.01 || onTime == nil || *onTime != 1 {
		t.Errorf("1Z999AA10123456702: transit %.2f h, on time %v; want 69.70 h, on time", hours, onTime)
	}
}
