package main

import (
	"bytes"
	"context"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/ingest/importer"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/testenv"
)

// TestImportCommand runs `parcelcast import` twice on the importer's test
// files into a real ClickHouse: rejected rows are reported with file and
// line and the exit status is 1; the analysts' views see each good
// shipment once, with the transit the file gives.
func TestImportCommand(t *testing.T) {
	ctx := context.Background()
	cfg := &chstore.Config{Addr: env.ClickHouse.Addr, Database: testenv.RandomName("import_")}
	t.Cleanup(func() { _ = chstore.DropDatabase(context.Background(), *cfg) })
	if _, err := migrate(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	files := []string{"../../ingest/importer/testdata/history.csv", "../../ingest/importer/testdata/history.jsonl"}
	args := append([]string{"import", "-clickhouse-addr", cfg.Addr, "-clickhouse-database", cfg.Database, "-log-level", "warn"}, files...)
	if code := run(args, io.Discard); code != 1 {
		t.Fatalf("exit %d, want 1 (rejected rows)", code)
	}
	conn, err := openClickHouse(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var stderr bytes.Buffer
	for _, f := range files { // again: nothing is stored twice
		if _, err := importFile(ctx, f, "", chstore.NewScanWriter(conn), importer.Options{BatchSize: 3}, &stderr); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(stderr.String(), "history.csv:9: tracking_number: required\n") || strings.Count(stderr.String(), "\n") != 9 {
		t.Fatalf("rejected rows not reported one per line with file and line:\n%s", stderr.String())
	}
	shipments, delivered := countShipments(t, conn)
	// history.csv: 5 good rows, 4 delivered; history.jsonl: 2, both delivered.
	if shipments != 7 || delivered != 6 {
		t.Errorf("%d shipments, %d delivered; want 7 and 6", shipments, delivered)
	}
	tr, err := conn.TransitOf(ctx, "1Z999AA10123456702")
	if err != nil {
		t.Fatal(err)
	}
	hours, onTime := tr.Hours, tr.OnTime
	if math.Abs(hours-69.7) > 0.01 || onTime == nil || *onTime != 1 {
		t.Errorf("1Z999AA10123456702: transit %.2f h, on time %v; want 69.70 h, on time", hours, onTime)
	}
}

// countShipments is how many shipments the analysts' views show in a
// database, and how many of them were delivered.
func countShipments(t *testing.T, conn *chstore.DB) (shipments, delivered uint64) {
	t.Helper()
	ctx := context.Background()
	shipments, err := conn.CountRows(ctx, "shipments")
	if err != nil {
		t.Fatal(err)
	}
	if delivered, err = conn.CountRows(ctx, "transits"); err != nil {
		t.Fatal(err)
	}
	return shipments, delivered
}
