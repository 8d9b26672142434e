package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
)

// The predictions file has one row per test snapshot of the model tests'
// simulated history, with every column, as CSV and as JSON Lines.
func TestPredictionsFile(t *testing.T) {
	src := modeltest.NewMem(sim.Config{Seed: 5, Shipments: 3000, Days: 60, Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	for _, name := range []string{"predictions.csv", "predictions.jsonl"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out", name)
			pf, err := createPredictionFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cfg := model.DefaultTrainConfig()
			cfg.Predictions = pf
			m, err := model.Train(context.Background(), src, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := pf.Close(); err != nil {
				t.Fatal(err)
			}
			rows := readPredictions(t, path)
			if len(rows) != m.Metrics.TestRows || len(rows) == 0 {
				t.Fatalf("%d rows for %d test snapshots", len(rows), m.Metrics.TestRows)
			}
			promised := 0
			for i, r := range rows {
				if _, err := time.Parse(time.RFC3339, r["snapshot_time"]); err != nil {
					t.Fatalf("row %d: snapshot_time %q: %v", i, r["snapshot_time"], err)
				}
				var q [5]float64
				for k, c := range []string{"actual_hours_left", "p10_hours", "p50_hours", "p90_hours", "p95_hours"} {
					if q[k], err = strconv.ParseFloat(r[c], 64); err != nil {
						t.Fatalf("row %d: %s %q: %v", i, c, r[c], err)
					}
				}
				if q[0] <= 0 || q[1] > q[2] || q[2] > q[3] || q[3] > q[4] {
					t.Fatalf("row %d: hours left and quantiles %v", i, q)
				}
				if r["promised_delivery"] != "" {
					promised++
					if _, err := time.Parse(time.RFC3339, r["promised_delivery"]); err != nil {
						t.Fatalf("row %d: promised_delivery %q: %v", i, r["promised_delivery"], err)
					}
				}
				if r["tracking_number"] == "" || r["carrier"] == "" || r["origin_country"] == "" || r["destination_region"] == "" {
					t.Fatalf("row %d lacks its shipment or lane: %v", i, r)
				}
			}
			if promised == 0 {
				t.Error("no row has the promise, though the simulated carriers promise")
			}
		})
	}
}

// readPredictions reads a predictions file into one map per row, checking
// that every row has exactly predictionColumns.
func readPredictions(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []map[string]string
	if filepath.Ext(path) == ".csv" {
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 || !slices.Equal(recs[0], predictionColumns) {
			t.Fatalf("header %v, want %v", recs[:min(1, len(recs))], predictionColumns)
		}
		for _, rec := range recs[1:] {
			r := map[string]string{}
			for i, c := range predictionColumns {
				r[c] = rec[i]
			}
			rows = append(rows, r)
		}
		return rows
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %d: %v", len(rows)+1, err)
		}
		if len(line) != len(predictionColumns) {
			t.Fatalf("line %d has %d keys, want %d: %v", len(rows)+1, len(line), len(predictionColumns), line)
		}
		r := map[string]string{}
		for _, c := range predictionColumns {
			v, ok := line[c]
			if !ok {
				t.Fatalf("line %d lacks %s", len(rows)+1, c)
			}
			switch v := v.(type) {
			case nil:
				r[c] = ""
			case float64:
				r[c] = strconv.FormatFloat(v, 'f', -1, 64)
			case string:
				r[c] = v
			}
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}
