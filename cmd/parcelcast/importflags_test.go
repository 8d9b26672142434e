package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/testenv"
)

// olistMap maps the columns of the marketplace export in
// ../shared/data/olist-dev (docs/import.md) onto the importer's.
const olistMap = "order_id=tracking_number,order_status=status,order_purchase_timestamp=created_time," +
	"order_delivered_carrier_date=ship_time,order_delivered_customer_date=delivered_time," +
	"order_estimated_delivery_date=promised_date," +
	"seller_zip_code_prefix=origin_postal_code,seller_city=origin_city,seller_state=origin_region," +
	"customer_zip_code_prefix=destination_postal_code,customer_city=destination_city,customer_state=destination_region"

// The import command's flags become the importer's mapping and defaults,
// and bad ones are refused before anything is read.
func TestImportFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		mapping string
		carrier string
		country string
		err     string
	}{
		{name: "defaults", args: nil},
		{name: "mapping and defaults", args: []string{"-map", "Order_ID=tracking_number, shipped=ship_time", "-carrier", "olist", "-service", "standard", "-country", "BR"},
			mapping: "order_id=tracking_number,shipped=ship_time", carrier: "olist", country: "BR"},
		{name: "the documented example", args: []string{"-map", olistMap}, mapping: "customer_city=destination_city,"},
		{name: "unknown target", args: []string{"-map", "a=weight"}, err: `-map: "a=weight": unknown importer column "weight"`},
		{name: "not a pair", args: []string{"-map", "order_id"}, err: "-map: \"order_id\" is not file_column=importer_column"},
		{name: "bad format", args: []string{"-format", "xlsx"}, err: `-format: "xlsx" is neither csv nor jsonl`},
		{name: "bad batch size", args: []string{"-batch-size", "0"}, err: "-batch-size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFlagSet("import", "")
			f := addImportFlags(fs)
			if err := parseArgs(fs, tc.args); err != nil {
				t.Fatal(err)
			}
			opts, err := f.options()
			if !wantErr(t, "options()", err, tc.err) {
				return
			}
			if got := opts.Map.String(); !strings.HasPrefix(got, tc.mapping) {
				t.Errorf("mapping %q, want %q", got, tc.mapping)
			}
			if opts.Defaults.Carrier != tc.carrier || opts.Defaults.Country != tc.country || opts.BatchSize != 10000 {
				t.Errorf("options %+v", opts)
			}
		})
	}
}

// TestImportNeedsMigrate: importing into a database that does not exist,
// or has no tables, says to run migrate, and loads nothing.
func TestImportNeedsMigrate(t *testing.T) {
	ctx := context.Background()
	for _, create := range []bool{false, true} {
		cfg := chstore.Config{Addr: env.ClickHouse.Addr, Database: testenv.RandomName("nomig_")}
		t.Cleanup(func() { _ = chstore.DropDatabase(context.Background(), cfg) })
		if create {
			if err := chstore.EnsureDatabase(ctx, cfg); err != nil {
				t.Fatal(err)
			}
		}
		var stderr bytes.Buffer
		code := run([]string{"import", "-clickhouse-addr", cfg.Addr, "-clickhouse-database", cfg.Database, "-log-level", "warn",
			"../../ingest/importer/testdata/history.csv"}, &stderr)
		if code != 1 || !strings.Contains(stderr.String(), "run `parcelcast migrate` first") {
			t.Errorf("database created %v: exit %d, %q; want 1 and a word about migrate", create, code, stderr.String())
		}
	}
}

// TestImportMappedExport runs `parcelcast import -map` with defaults on an
// export shaped like the marketplace's: every good row is a shipment, the
// one never handed to the carrier and the one still travelling stay in
// flight, and the bad rows are reported with the file's own text.
func TestImportMappedExport(t *testing.T) {
	ctx := context.Background()
	cfg := &chstore.Config{Addr: env.ClickHouse.Addr, Database: testenv.RandomName("importmap_")}
	t.Cleanup(func() { _ = chstore.DropDatabase(context.Background(), *cfg) })
	if _, err := migrate(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	const file = "../../ingest/importer/testdata/export.csv"
	args := []string{"import", "-clickhouse-addr", cfg.Addr, "-clickhouse-database", cfg.Database, "-log-level", "warn",
		"-map", olistMap, "-carrier", "olist", "-service", "standard", "-country", "BR", file}
	if code := run(args, io.Discard); code != 1 {
		t.Fatalf("exit %d, want 1 (rejected rows)", code)
	}
	conn, err := openClickHouse(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fs := newFlagSet("import", "")
	f := addImportFlags(fs)
	if err := parseArgs(fs, args[7:len(args)-1]); err != nil {
		t.Fatal(err)
	}
	opts, err := f.options()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if _, err := importFile(ctx, file, "", chstore.NewScanWriter(conn), opts, &stderr); err != nil { // again: nothing twice
		t.Fatal(err)
	}
	want := "export.csv:6: delivered_time: \"2017-06-03 12:00:00\" is before the ship time \"2017-06-05 10:00:00\"\n"
	if !strings.Contains(stderr.String(), want) || strings.Count(stderr.String(), "\n") != 2 {
		t.Errorf("rejected rows:\n%s\nwant two, one of them %q", stderr.String(), want)
	}
	shipments, delivered := countShipments(t, conn)
	// 5 good rows: 2 delivered, 1 travelling, 1 not yet handed over, 1
	// cancelled.
	if shipments != 5 || delivered != 2 {
		t.Errorf("%d shipments, %d delivered; want 5 and 2", shipments, delivered)
	}
}

// withStdout runs fn with standard output going to a buffer, for the
// commands that print their results there.
func withStdout(t *testing.T, fn func()) string {
	t.Helper()
	tmp, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = tmp
	defer func() { os.Stdout = saved }()
	fn()
	if err := tmp.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(tmp.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
