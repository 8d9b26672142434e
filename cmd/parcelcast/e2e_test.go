package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/ingest/sim/publish"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	// The crash test runs `parcelcast ingest` as a child process: this test
	// binary, told by the environment to be the command instead.
	if args := os.Getenv(childArgsEnv); args != "" {
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			panic(err)
		}
		os.Exit(run(argv, os.Stderr))
	}
	if args := os.Getenv(naiveArgsEnv); args != "" {
		var a struct {
			Brokers        []string
			Topic, Group   string
			Addr, Database string
			Table          string
			Full           bool
			Want           int
		}
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			panic(err)
		}
		if err := naiveLoop(a.Brokers, a.Topic, a.Group, chstore.Config{Addr: a.Addr, Database: a.Database}, a.Table, a.Full, a.Want); err != nil {
			fmt.Fprintln(os.Stderr, "naive loop:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	testenv.Run(m, &env)
}

// TestEndToEnd publishes simulated scans to Kafka, ingests them into
// ClickHouse, trains, and asks the HTTP handler for ETAs, checking each
// stage's output before the next.
func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	cfg, conn := migratedDatabase(t, "e2e_")

	// 1. Simulated scans into Kafka, the newest shipments still in flight.
	now := time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC)
	feeds := publish.CarrierFeeds(testenv.RandomName(ingest.RawTopicPrefix+"e2e_") + ".")
	var truth []sim.Shipment
	st, err := publishSim(ctx, env.Kafka.Brokers, feeds,
		sim.Config{Seed: 21, Shipments: 2500, Days: 30, Start: now.AddDate(0, 0, -30), Until: now, ReuseRate: 0.02},
		func(s *sim.Shipment) {
			if len(s.Scans) > 0 {
				truth = append(truth, *s)
			}
		})
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if st.Scans == 0 {
		t.Fatal("nothing published")
	}

	// 2. Ingest: every scan lands in ClickHouse exactly once.
	if err := ingestAll(ctx, env.Kafka.Brokers, feeds.Topics(), conn, int64(st.Records), nil); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	rows, _, err := conn.CountScans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rows != uint64(st.Scans) {
		t.Fatalf("scan_events has %d rows, published %d scans", rows, st.Scans)
	}

	// 3. Train from ClickHouse: an artifact, a model_runs row, a model that
	// beats the lane median.
	path := filepath.Join(t.TempDir(), "eta.json")
	m, _, err := train(ctx, conn, path, model.DefaultTrainConfig())
	if err != nil {
		t.Fatalf("train: %v", err)
	}
	if _, err := model.Load(path); err != nil {
		t.Fatalf("artifact: %v", err)
	}
	runs, stored, err := conn.ModelRuns(ctx, m.Version)
	if err != nil || runs != 1 {
		t.Fatalf("model_runs rows for %s: %d (%v)", m.Version, runs, err)
	}
	var back model.Metrics
	if err := json.Unmarshal([]byte(stored), &back); err != nil || back.TestRows != m.Metrics.TestRows || len(back.ByDaysToGo) == 0 {
		t.Fatalf("model_runs metrics_json does not hold the backtest: %v %.200s", err, stored)
	}
	if m.Metrics.TestRows == 0 || m.Metrics.MAEHours >= m.Metrics.BaselineMAEHours {
		t.Fatalf("model does not beat the lane-median baseline: %+v", m.Metrics)
	}
	// The history the trainer reads: whole journeys, each in its slice.
	scans, err := conn.ScansPerShipment(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w := m.Window
	byNumber := map[string][]sim.Shipment{}
	for _, s := range truth {
		byNumber[s.TrackingNumber] = append(byNumber[s.TrackingNumber], s)
	}
	seen := 0
	err = chstore.NewHistory(conn).Delivered(ctx, w.CalibTo, w.TestTo, w.TestTo.AddDate(1, 0, 0), func(j *model.Journey) error {
		seen++
		n := uint64(len(j.Scans))
		if len(byNumber[j.TrackingNumber]) > 1 {
			n = scans[j.TrackingNumber] // a reused number's journeys are checked below
		}
		if first := j.Scans[0].Time; first.Before(w.CalibTo) || !first.Before(w.TestTo) || n != scans[j.TrackingNumber] {
			t.Fatalf("%s: first scan %s outside [%s, %s) or %d of its %d scans", j.TrackingNumber, first, w.CalibTo, w.TestTo, len(j.Scans), scans[j.TrackingNumber])
		}
		return nil
	})
	if err != nil || seen != m.Metrics.TestShipments {
		t.Fatalf("test slice: %d journeys, backtest saw %d (%v)", seen, m.Metrics.TestShipments, err)
	}
	views, err := conn.JourneysPerNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkReusedNumbers(ctx, t, chstore.NewHistory(conn), byNumber, scans, views, w, now)

	// 3b. The command line: the split set by its flags and printed, the
	// predictions one row per test snapshot from train and from evaluate,
	// and a split with an empty slice refused.
	trainAndEvaluateWithSplit(t, cfg)

	// 4. The API answers with an ETA for an in-flight shipment and with the
	// delivery for a delivered one.
	srv := predict.NewServer(newStoredShipments(conn), m, predict.Options{Now: func() time.Time { return now }})
	inFlight := sampleInFlight(truth, now, 1)[0]
	if !inFlight.DeliveredAt.After(now) {
		t.Fatal("no in-flight shipment in the simulation")
	}
	var resp predict.ETAResponse
	getJSON(t, srv, "/v1/shipments/"+inFlight.TrackingNumber+"/eta", &resp)
	if resp.ETA == nil || resp.ModelVersion != m.Version || resp.Carrier != inFlight.Carrier {
		t.Fatalf("in-flight ETA: %+v", resp)
	}
	if !(resp.ETA.P10.Before(resp.ETA.P90) || resp.ETA.P10.Equal(resp.ETA.P90)) || resp.ETA.P50.Before(now) {
		t.Fatalf("ETA window out of order or in the past: %+v", resp.ETA)
	}
	var delivered sim.Shipment
	for _, s := range truth {
		if s.Outcome == sim.Delivered && s.DeliveredAt.Before(now) && len(byNumber[s.TrackingNumber]) == 1 {
			delivered = s
			break
		}
	}
	resp = predict.ETAResponse{}
	getJSON(t, srv, "/v1/shipments/"+delivered.TrackingNumber+"/eta", &resp)
	if resp.DeliveredAt == nil || !resp.DeliveredAt.Equal(delivered.DeliveredAt) {
		t.Fatalf("delivered shipment: %+v, truth %s", resp, delivered.DeliveredAt)
	}
	// A reused FedEx number: the API answers for its latest shipment, named by its key.
	for _, ships := range byNumber {
		if last := ships[len(ships)-1]; len(ships) > 1 && last.Carrier == "fedex" {
			resp = predict.ETAResponse{}
			getJSON(t, srv, "/v1/shipments/"+last.TrackingNumber+"/eta", &resp)
			if resp.ShipmentKey != last.ShipmentKey || resp.FirstScanAt.Sub(last.Scans[0].EventTime).Abs() > 15*time.Minute {
				t.Fatalf("reused number %s: answered for key %q from %s, want the latest, %q from %s", last.TrackingNumber,
					resp.ShipmentKey, resp.FirstScanAt, last.ShipmentKey, last.Scans[0].EventTime)
			}
			break
		}
	}
}

// checkReusedNumbers checks that each number the simulator reused is as
// many journeys in the trainer's history as it had shipments, each with
// its own scans and places (and its own key, for FedEx), not one merged
// timeline; that it is as many rows of the analysts' shipments view
// (views: each number's rows); and that the journey predict answers for
// is the latest.
func checkReusedNumbers(ctx context.Context, t *testing.T, h *chstore.History, byNumber map[string][]sim.Shipment,
	scans, views map[string]uint64, w model.Window, now time.Time) {
	t.Helper()
	journeys := map[string][]model.Journey{}
	err := h.Delivered(ctx, w.TrainFrom, w.TestTo, now, func(j *model.Journey) error {
		if len(byNumber[j.TrackingNumber]) > 1 {
			journeys[j.TrackingNumber] = append(journeys[j.TrackingNumber], *j)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	reused := map[string]int{}
	for tn, ships := range byNumber {
		if len(ships) < 2 {
			continue
		}
		reused[ships[0].Carrier]++
		var want []sim.Shipment // the number's shipments the history holds as delivered
		for _, s := range ships {
			if s.Outcome == sim.Delivered && s.DeliveredAt.Before(now) {
				want = append(want, s)
			}
		}
		got := journeys[tn]
		slices.SortFunc(got, func(a, b model.Journey) int { return a.Scans[0].Time.Compare(b.Scans[0].Time) })
		if len(got) != len(want) {
			t.Fatalf("%s: %d shipments delivered under it, %d journeys in the history", tn, len(want), len(got))
		}
		var total uint64
		for i, j := range got {
			s := want[i]
			total += uint64(len(j.Scans))
			if j.Origin.PostalCode != s.Origin.Postal || j.Destination.PostalCode != s.Destination.Postal || j.ShipmentKey != s.ShipmentKey {
				t.Errorf("%s journey %d: %s>%s key %q, shipment %s>%s key %q", tn, i, j.Origin.PostalCode, j.Destination.PostalCode,
					j.ShipmentKey, s.Origin.Postal, s.Destination.Postal, s.ShipmentKey)
			}
			// The feed's noise skews some scans' clocks by minutes.
			if at, _ := j.DeliveredAt(); at.Sub(s.DeliveredAt).Abs() > 15*time.Minute {
				t.Errorf("%s journey %d: delivered %s, shipment %s", tn, i, at, s.DeliveredAt)
			}
		}
		if len(want) == len(ships) && total != scans[tn] {
			t.Errorf("%s: journeys hold %d scans, ClickHouse %d", tn, total, scans[tn])
		}
		if views[tn] != uint64(len(ships)) {
			t.Errorf("%s: %d shipments under it, %d rows of the shipments view", tn, len(ships), views[tn])
		}
		latest, ok, err := h.Journey(ctx, tn)
		last := ships[len(ships)-1]
		if err != nil || !ok || latest.Origin.PostalCode != last.Origin.Postal || latest.ShipmentKey != last.ShipmentKey {
			t.Errorf("%s: latest journey from %s key %q (%v, %v), want the last shipment's from %s key %q", tn,
				latest.Origin.PostalCode, latest.ShipmentKey, ok, err, last.Origin.Postal, last.ShipmentKey)
		}
	}
	t.Logf("reused numbers by carrier: %v", reused)
	if reused["fedex"] == 0 || len(reused) < 2 {
		t.Fatalf("reused numbers by carrier %v: want FedEx's (shipment keys) and another's (the label rule)", reused)
	}
}

func getJSON(t *testing.T, h http.Handler, path string, v any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	if rec.Code != 200 {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// TestDemoOnce runs `parcelcast demo --once` as a user would, on a small
// simulation, into a database of its own (a server given by
// PARCELCAST_CLICKHOUSE_ADDR may hold a real demo database).
func TestDemoOnce(t *testing.T) {
	t.Setenv("PARCELCAST_CLICKHOUSE_ADDR", env.ClickHouse.Addr)
	t.Setenv("PARCELCAST_KAFKA_BROKERS", strings.Join(env.Kafka.Brokers, ","))
	db := chstore.Config{Addr: env.ClickHouse.Addr, Database: testenv.RandomName("demo_")}
	t.Cleanup(func() {
		if err := chstore.DropDatabase(context.Background(), db); err != nil {
			t.Errorf("drop the demo's database: %v", err)
		}
	})
	var stderr bytes.Buffer
	code := run([]string{"demo", "--once", "--addr", "127.0.0.1:0", "--shipments", "2000", "--log-level", "warn",
		"--clickhouse-database", db.Database}, &stderr)
	if code != 0 {
		t.Fatalf("demo exited %d: %s", code, stderr.String())
	}
}

func TestCLI(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"version"}, 0},
		{[]string{"help"}, 0},
		{nil, 2},
		{[]string{"nonsense"}, 2},
		{[]string{"train", "--no-such-flag"}, 2},
		{[]string{"serve", "-h"}, 0},
		{[]string{"version", "extra"}, 2},
		{[]string{"parse", "-carrier", "ups", "../../ingest/carrier/ups/testdata/journey.json"}, 0},
		{[]string{"parse", "-carrier", "ups", "../../ingest/carrier/ups/testdata/malformed.json"}, 1},
		{[]string{"parse", "-carrier", "ups", "../../ingest/carrier/ups/testdata/error_auth.json"}, 1},
		{[]string{"parse", "-carrier", "ups", "../../ingest/carrier/ups/testdata/not_found.json"}, 0},
		{[]string{"parse", "-carrier", "fedex", "../../ingest/carrier/fedex/testdata/result_error_with_scans.json"}, 0},
		{[]string{"parse", "-carrier", "nope", "x.json"}, 1},
		{[]string{"parse", "../../ingest/carrier/ups/testdata/journey.json"}, 2},
		{[]string{"detect", "1Z999AA10123456784"}, 0},
		{[]string{"detect", "1Z999AA10123456785"}, 1},
		{[]string{"detect"}, 2},
	} {
		var stderr bytes.Buffer
		if got := run(tc.args, &stderr); got != tc.code {
			t.Errorf("parcelcast %v exited %d, want %d (%s)", tc.args, got, tc.code, stderr.String())
		}
	}
}

func TestParsePayload(t *testing.T) {
	payload, err := os.ReadFile("../../ingest/carrier/fedex/testdata/partly_invalid.json")
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := parsePayload(&out, &errOut, bytes.NewReader(payload), "fedex"); !errors.Is(err, errInvalid) {
		t.Fatalf("parsePayload = %v, want errInvalid", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var e schemas.ScanEvent
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &e) != nil || e.Status != schemas.StatusDelivered {
		t.Errorf("want the one valid event as a JSON line, got %q", out.String())
	}
	if !strings.Contains(errOut.String(), "wrong check digit") {
		t.Errorf("error output %q does not say what was wrong", errOut.String())
	}
}

// An error reply names the carrier's code and the dead-letter reason and
// fails; a not-found reply does not; an error beside scans prints the scans
// and the error and does not fail.
func TestParseErrorReplies(t *testing.T) {
	for _, tc := range []struct {
		feed, file string
		wantErr    bool
		events     int
		say        string
	}{
		{"ups", "error_auth.json", true, 0, "ups refused the request with code 250002 (dead-letter reason: carrier_error:250002)"},
		{"fedex", "error_reply.json", true, 0, "code NOT.AUTHORIZED.ERROR (dead-letter reason: carrier_error:NOT.AUTHORIZED.ERROR)"},
		{"ups", "not_found.json", false, 0, "carries no scans"},
		{"fedex", "result_error_with_scans.json", false, 1, "fedex error TRACKING.TRACKINGNUMBER.EMPTY beside scans"},
	} {
		payload, err := os.ReadFile(filepath.Join("../../ingest/carrier", tc.feed, "testdata", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		err = parsePayload(&out, &errOut, bytes.NewReader(payload), tc.feed)
		if gotErr := errors.Is(err, errInvalid); gotErr != tc.wantErr || err != nil && !gotErr {
			t.Errorf("%s: parsePayload = %v, want failure %v", tc.file, err, tc.wantErr)
		}
		if n := strings.Count(out.String(), "\n"); n != tc.events {
			t.Errorf("%s: %d events printed, want %d", tc.file, n, tc.events)
		}
		if !strings.Contains(errOut.String(), tc.say) {
			t.Errorf("%s: error output %q does not say %q", tc.file, errOut.String(), tc.say)
		}
	}
}

func TestDetectNumbers(t *testing.T) {
	var out bytes.Buffer
	if err := detectNumbers(&out, []string{"1Z999AA10123456784", "RB123456785GB"}, true); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&out)
	for _, want := range []string{"ups", "s10"} {
		var d detection
		if err := dec.Decode(&d); err != nil {
			t.Fatal(err)
		}
		if !d.Valid || len(d.Matches) == 0 || d.Matches[0].Carrier != want {
			t.Errorf("detection %+v, want a valid %s number", d, want)
		}
	}
	out.Reset()
	if err := detectNumbers(&out, []string{"1Z999AA10123456785"}, false); !errors.Is(err, errInvalid) {
		t.Errorf("wrong check digit: err = %v, want errInvalid", err)
	}
	if !strings.Contains(out.String(), "UPS 1Z") || !strings.Contains(out.String(), "false") {
		t.Errorf("table %q should name the family and say invalid", out.String())
	}
	out.Reset()
	if err := detectNumbers(&out, []string{"RB123456785XX"}, false); !errors.Is(err, errInvalid) {
		t.Errorf("S10 from no country: err = %v, want errInvalid", err)
	}
	if !strings.Contains(out.String(), "false (country code not in ISO 3166-1)") {
		t.Errorf("table %q should say why the S10 number is invalid", out.String())
	}
}

func TestFlagEnvFallback(t *testing.T) {
	fs := newFlagSet("x", "test")
	addr := fs.String("clickhouse-addr", "default:9000", "")
	batch := fs.Int("batch-size", 10, "")
	t.Setenv("PARCELCAST_CLICKHOUSE_ADDR", "env:9000")
	t.Setenv("PARCELCAST_BATCH_SIZE", "77")
	if err := parse(fs, []string{"-batch-size", "5"}); err != nil {
		t.Fatal(err)
	}
	if *addr != "env:9000" || *batch != 5 {
		t.Fatalf("addr %q batch %d: env should fill in, the command line should win", *addr, *batch)
	}
	t.Setenv("PARCELCAST_BATCH_SIZE", "many")
	if err := parse(newFlagSet("y", "test"), nil); err != nil {
		t.Fatal("unrelated flag set failed:", err)
	}
	fs2 := newFlagSet("z", "test")
	fs2.Int("batch-size", 10, "")
	if err := parse(fs2, nil); err == nil {
		t.Fatal("bad environment value accepted")
	}
}

// trainAndEvaluateWithSplit runs train with -test-from, -calibration-days
// and -predictions on the simulated history in cfg's database, then
// evaluate -predictions on its artifact, then a train whose test slice is
// after the history.
func trainAndEvaluateWithSplit(t *testing.T, cfg *chstore.Config) {
	t.Helper()
	dir := t.TempDir()
	ch := []string{"-clickhouse-addr", cfg.Addr, "-clickhouse-database", cfg.Database, "-log-level", "warn"}
	artifact := filepath.Join(dir, "eta.json")
	var code int
	var stderr bytes.Buffer
	out := withStdout(t, func() {
		code = run(append(append([]string{"train"}, ch...), "-out", artifact, "-test-from", "2026-06-01", "-calibration-days", "7",
			"-predictions", filepath.Join(dir, "train.csv")), &stderr)
	})
	if code != 0 {
		t.Fatalf("train exited %d: %s\n%s", code, stderr.String(), out)
	}
	t.Logf("train:\n%s", out)
	const windows = "calibration 2026-05-25 to 2026-06-01, test 2026-06-01 to "
	if !strings.Contains(out, "windows by first scan: train ") || !strings.Contains(out, windows) ||
		!strings.Contains(out, "hours-to-delivery MAE: model ") || !strings.Contains(out, "strongest baseline (") {
		t.Errorf("train printed no windows %q or no headline against the strongest baseline:\n%s", windows, out)
	}
	m, err := model.Load(artifact)
	if err != nil {
		t.Fatal(err)
	}
	if rows := readPredictions(t, filepath.Join(dir, "train.csv")); len(rows) != m.Metrics.TestRows || len(rows) == 0 {
		t.Errorf("train wrote %d predictions for %d test snapshots", len(rows), m.Metrics.TestRows)
	}

	out = withStdout(t, func() {
		code = run(append(append([]string{"evaluate"}, ch...), "-model", artifact, "-out", filepath.Join(dir, "report"),
			"-predictions", filepath.Join(dir, "evaluate.jsonl")), &stderr)
	})
	if code != 0 {
		t.Fatalf("evaluate exited %d: %s\n%s", code, stderr.String(), out)
	}
	if !strings.Contains(out, windows) || !strings.Contains(out, "strongest baseline (") {
		t.Errorf("evaluate printed no windows %q or no headline:\n%s", windows, out)
	}
	if rows := readPredictions(t, filepath.Join(dir, "evaluate.jsonl")); len(rows) != m.Metrics.TestRows {
		t.Errorf("evaluate wrote %d predictions for %d test snapshots", len(rows), m.Metrics.TestRows)
	}

	stderr.Reset()
	withStdout(t, func() {
		code = run(append(append([]string{"train"}, ch...), "-out", filepath.Join(dir, "refused.json"), "-test-from", "2026-07-01"), &stderr)
	})
	if code != 1 || !strings.Contains(stderr.String(), "the test slice from 2026-07-01 is empty") {
		t.Errorf("train with the test slice after the history exited %d: %s", code, stderr.String())
	}
}

// migratedDatabase is a new database of the test ClickHouse, migrated,
// and a connection to it; both go when the test ends.
func migratedDatabase(t *testing.T, prefix string) (*chstore.Config, *chstore.DB) {
	t.Helper()
	ctx := context.Background()
	cfg := &chstore.Config{Addr: env.ClickHouse.Addr, Database: testenv.RandomName(prefix)}
	t.Cleanup(func() { _ = chstore.DropDatabase(context.Background(), *cfg) })
	if _, err := migrate(ctx, cfg); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	conn, err := openClickHouse(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return cfg, conn
}
