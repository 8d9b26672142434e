package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/importer"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// olistOrders is the real order history beside the repository (its licence
// keeps it out of it), relative to this package's directory.
var olistOrders = filepath.Join("..", "..", "..", "shared", "data", "olist-dev", "orders.csv")

// TestOlistEndToEnd imports the real order history of a marketplace in
// Brazil with the documented mapping into a fresh database, trains on it
// and evaluates the model: the figures docs/model.md records as the
// starting point on real history.
func TestOlistEndToEnd(t *testing.T) {
	if _, err := os.Stat(olistOrders); errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s is absent: the real order history is not in this clone (its licence keeps it out of the repository); every other test still runs", olistOrders)
	}
	ctx := context.Background()
	cfg := &chstore.Config{Addr: env.ClickHouse.Addr, Database: testenv.RandomName("olist_")}
	t.Cleanup(func() { _ = chstore.DropDatabase(context.Background(), *cfg) })
	if _, err := migrate(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	ch := []string{"-clickhouse-addr", cfg.Addr, "-clickhouse-database", cfg.Database, "-log-level", "warn"}
	flags := []string{"-map", olistMap, "-carrier", "olist", "-service", "standard", "-country", "BR"}

	// 1. Import: every row loads but those whose delivery precedes the
	// hand-over to the carrier.
	var out string
	var code int
	out = withStdout(t, func() {
		code = run(append(append(append([]string{"import"}, ch...), flags...), olistOrders), io.Discard)
	})
	if code != 1 {
		t.Fatalf("import exited %d, want 1 (rejected rows)\n%s", code, out)
	}
	conn, err := openClickHouse(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fs := newFlagSet("import", "")
	f := addImportFlags(fs)
	if err := parseArgs(fs, flags); err != nil {
		t.Fatal(err)
	}
	opts, err := f.options()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	rep, err := importFile(ctx, olistOrders, "", chstore.NewScanWriter(conn), opts, &stderr) // again: nothing twice
	if err != nil {
		t.Fatal(err)
	}
	beforePickup := regexp.MustCompile(`^orders\.csv:\d+: delivered_time: "[0-9: -]+" is before the ship time "[0-9: -]+"$`)
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	for _, l := range lines {
		if !beforePickup.MatchString(strings.TrimPrefix(l, filepath.Dir(olistOrders)+string(filepath.Separator))) {
			t.Errorf("unexplained rejected row: %s", l)
		}
	}
	const rows, rejected = 3510, 3
	if rep.Rows != rows || rep.Rejected != rejected || len(lines) != rejected {
		t.Errorf("%d rows, %d rejected (%d reported); want %d and %d, delivered before the hand-over", rep.Rows, rep.Rejected, len(lines), rows, rejected)
	}
	if !strings.Contains(out, "columns not read: order_approved_at, items, sellers, price_total, freight_total") {
		t.Errorf("import did not list the columns it left unread:\n%s", out)
	}
	journeys, delivered := countShipments(t, conn)
	perOrder, err := conn.JourneysPerNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shipments := uint64(len(perOrder)) // orders: the views have a row per journey
	// 2,317 orders have a delivery time (2,312 delivered, 5 cancelled after
	// delivery), less the 3 rejected; the others are in flight or
	// cancelled, not dropped.
	const withDelivery = 2317
	if shipments != rows-rejected || delivered != withDelivery-rejected {
		t.Errorf("%d shipments, %d delivered; want %d and %d", shipments, delivered, rows-rejected, withDelivery-rejected)
	}
	// 12 orders reached the carrier more than 30 days (model.JourneyGap)
	// after their purchase: by the label rule (docs/carriers.md, Shipment
	// identity) the pickup starts a journey of its own.
	const longWaits = 12
	if journeys != shipments+longWaits {
		t.Errorf("%d journeys of %d orders; want %d, two for each order that waited over 30 days for the carrier", journeys, shipments, shipments+longWaits)
	}

	// 2. Train: a model and its backtest, printed.
	dir := t.TempDir()
	artifact := filepath.Join(dir, "eta.json")
	out = withStdout(t, func() {
		code = run(append(append([]string{"train"}, ch...), "-out", artifact), io.Discard)
	})
	if code != 0 {
		t.Fatalf("train exited %d\n%s", code, out)
	}
	if !strings.Contains(out, "hours-to-delivery MAE: model") || !strings.Contains(out, "strongest baseline (") ||
		!strings.Contains(out, "p10–p90 coverage") || !strings.Contains(out, "windows by first scan: train 2016-") {
		t.Errorf("train printed no backtest or no windows:\n%s", out)
	}
	t.Logf("train:\n%s", out)
	m, err := model.Load(artifact)
	if err != nil {
		t.Fatal(err)
	}
	mt := m.Metrics
	if mt.TestShipments == 0 || !(mt.MAEHours > 0) || !(mt.Coverage80 > 0) {
		t.Errorf("backtest %+v", mt.Overall)
	}

	// 3. Evaluate: the summary, the report and the predictions.
	predictions := filepath.Join(dir, "predictions.csv")
	out = withStdout(t, func() {
		code = run(append(append([]string{"evaluate"}, ch...), "-model", artifact, "-out", filepath.Join(dir, "report"), "-predictions", predictions), io.Discard)
	})
	if code != 0 {
		t.Fatalf("evaluate exited %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "report", "report.md")); err != nil {
		t.Errorf("evaluate wrote no report: %v", err)
	}
	t.Logf("evaluate:\n%s", out)
	if rows := readPredictions(t, predictions); len(rows) != mt.TestRows {
		t.Errorf("evaluate wrote %d predictions for %d test snapshots", len(rows), mt.TestRows)
	}

	// The figures docs/model.md records.
	lane := mt.Overall.Baselines[model.BaselineLaneMedian].MAEHours
	std := mt.Overall.Baselines[model.BaselineStandard].MAEHours
	late, slackAll, slackOnTime, n := merchantPromise(t, opts, time.Time{}, time.Time{})
	tLate, tSlackAll, tSlackOnTime, tn := merchantPromise(t, opts, m.Window.CalibTo, m.Window.TestTo)
	t.Logf("model MAE %.1f h (%.2f d); lane median %.1f h (%.0f%% lower); carrier standard %.1f h; without the promise %.1f h",
		mt.MAEHours, mt.MAEHours/24, lane, 100*mt.Overall.Reduction(model.BaselineLaneMedian), std, mt.WithoutPromise.MAEHours)
	t.Logf("p10–p90 coverage %.1f%%; p95 commit on time %.1f%% (late %.1f%%), mean slack %.1f d over the snapshots delivered by it, %.1f d over all",
		100*mt.Coverage80, 100*mt.P95OnTime, 100*(1-mt.P95OnTime), mt.Overall.P95SlackHours/24, mt.Overall.P95SlackAllHours/24)
	c := mt.Promises.Commit
	t.Logf("p95 commit at the %d orders' first scans: late %.1f%%, mean slack %.1f d over all", c.N, 100*c.Late, c.MeanSlackAllHours/24)
	t.Logf("merchant's promise over all %d delivered orders: late %.1f%%, mean slack %.1f d over all, %.1f d over the on-time ones",
		n, 100*late, slackAll, slackOnTime)
	t.Logf("merchant's promise over the %d test shipments (first scan %s to %s): late %.1f%%, mean slack %.1f d over all, %.1f d over the on-time ones",
		tn, m.Window.CalibTo.Format(time.DateOnly), m.Window.TestTo.Format(time.DateOnly), 100*tLate, tSlackAll, tSlackOnTime)
	t.Logf("windows: train %s to %s, calibration to %s, test to %s", m.Window.TrainFrom.Format(time.DateOnly),
		m.Window.TrainTo.Format(time.DateOnly), m.Window.CalibTo.Format(time.DateOnly), m.Window.TestTo.Format(time.DateOnly))
	t.Logf("train %d, calibration %d, test %d snapshots; %d test shipments", mt.TrainRows, mt.CalibRows, mt.TestRows, mt.TestShipments)

	// 4. The backtest as of 2017-10-01, calibrated on the 30 days before.
	asOf := filepath.Join(dir, "eta-2017-10-01.json")
	out = withStdout(t, func() {
		code = run(append(append([]string{"train"}, ch...), "-out", asOf, "-test-from", "2017-10-01", "-calibration-days", "30"), io.Discard)
	})
	if code != 0 {
		t.Fatalf("train -test-from 2017-10-01 exited %d\n%s", code, out)
	}
	if !strings.Contains(out, "calibration 2017-09-01 to 2017-10-01, test 2017-10-01 to ") {
		t.Errorf("train -test-from 2017-10-01 -calibration-days 30 printed other windows:\n%s", out)
	}
	t.Logf("train -test-from 2017-10-01 -calibration-days 30:\n%s", out)
	if m, err = model.Load(asOf); err != nil {
		t.Fatal(err)
	}
	mt = m.Metrics
	tLate, tSlackAll, tSlackOnTime, tn = merchantPromise(t, opts, m.Window.CalibTo, m.Window.TestTo)
	t.Logf("as of 2017-10-01: model MAE %.1f h (%.2f d); lane median %.1f h (%.0f%% lower); p10–p90 coverage %.1f%%; p95 late %.1f%%, mean slack %.1f d over the on-time snapshots",
		mt.MAEHours, mt.MAEHours/24, mt.Overall.Baselines[model.BaselineLaneMedian].MAEHours, 100*mt.Overall.Reduction(model.BaselineLaneMedian),
		100*mt.Coverage80, 100*(1-mt.P95OnTime), mt.Overall.P95SlackHours/24)
	c = mt.Promises.Commit
	t.Logf("as of 2017-10-01: p95 commit mean slack %.1f d over all snapshots; at the %d orders' first scans late %.1f%%, mean slack %.1f d over all",
		mt.Overall.P95SlackAllHours/24, c.N, 100*c.Late, c.MeanSlackAllHours/24)
	t.Logf("as of 2017-10-01: merchant's promise over the %d test shipments: late %.1f%%, mean slack %.1f d over all, %.1f d over the on-time ones",
		tn, 100*tLate, tSlackAll, tSlackOnTime)
}

// merchantPromise reads the file as the import does and measures the
// merchant's own promise on the delivered orders whose first event is in
// [from, to) (all of them when to is zero): the share delivered after it,
// and its mean slack (promise − delivery, days; a late order counts as 0)
// over all of them and over the on-time ones.
func merchantPromise(t *testing.T, opts importer.Options, from, to time.Time) (late, slackAll, slackOnTime float64, n int) {
	t.Helper()
	in, err := os.Open(olistOrders)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var lateN int
	var sumAll, sumOnTime float64
	now := time.Now()
	err = importer.ReadWith(in, importer.CSV, importer.ReadOptions{Map: opts.Map, Defaults: opts.Defaults}, func(_ int, s *importer.Shipment, err error) error {
		if err != nil {
			return nil
		}
		events, err := s.Events("orders.csv", now)
		if err != nil {
			return nil
		}
		first := events[0].EventTime
		for _, e := range events {
			if e.EventTime.Before(first) {
				first = e.EventTime
			}
		}
		if !to.IsZero() && (first.Before(from) || !first.Before(to)) {
			return nil
		}
		for _, e := range events {
			if e.Status != schemas.StatusDelivered || e.PromisedDelivery == nil {
				continue
			}
			n++
			slack := e.PromisedDelivery.Sub(e.EventTime).Hours() / 24
			if slack < 0 {
				lateN++
				slack = 0
			} else {
				sumOnTime += slack
			}
			sumAll += slack
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no delivered order with a promise")
	}
	return float64(lateN) / float64(n), sumAll / float64(n), sumOnTime / float64(n-lateN), n
}
