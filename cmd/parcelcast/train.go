package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/report"
)

func runTrain(ctx context.Context, args []string) error {
	fs := newFlagSet("train", "Fit an ETA model on delivered shipments in ClickHouse, backtest it on the newest 20% (or from -test-from) against the baselines, and write a versioned artifact.")
	ch := clickhouseFlags(fs)
	out := fs.String("out", "models/eta.json", "artifact file to write")
	reportDir := fs.String("report", "", "also write the backtest report (report.md and PNG plots) into this directory")
	cfg := model.DefaultTrainConfig()
	lambdas := fs.String("lambdas", formatFloats(cfg.Lambdas), "ridge penalties to try, comma-separated; the calibration slice picks one")
	scales := fs.String("target-scales", formatFloats(cfg.TargetScales), "target scales to try, in hours (each fit predicts log(1 + hours/scale)), comma-separated; the calibration slice picks one")
	halfLives := fs.String("half-lives", formatFloats(cfg.HalfLives), "time decays of the training rows' weights to try, in days (0 is none), comma-separated; the calibration slice picks one")
	split := addSplitFlags(fs, cfg)
	promiseTarget := fs.Float64("promise-target", cfg.PromiseTarget, "on-time rate the commit date is calibrated for (0.5 to 0.99); the backtest prints the late rate and slack of it and of 80 to 99%")
	predictions := fs.String("predictions", "", "also write one row per test snapshot (prediction beside the outcome) to this file: CSV, or JSON Lines if it ends in .jsonl")
	newLog := logFlags(fs)
	log, conn, err := parseAndConnect(ctx, fs, args, newLog, ch)
	if err != nil {
		return err
	}
	defer conn.Close()
	ls, err := parseFloats(*lambdas)
	if err != nil {
		return fmt.Errorf("-lambdas: %w", err)
	}
	ts, err := parseFloats(*scales)
	if err != nil {
		return fmt.Errorf("-target-scales: %w", err)
	}
	for _, c := range ts {
		if !(c > 0) {
			return fmt.Errorf("-target-scales: %v is not a positive number of hours", c)
		}
	}
	hl, err := parseFloats(*halfLives)
	if err != nil {
		return fmt.Errorf("-half-lives: %w", err)
	}
	for _, h := range hl {
		if !(h >= 0) {
			return fmt.Errorf("-half-lives: %v is not 0 or a positive number of days", h)
		}
	}
	if err := split.apply(&cfg); err != nil {
		return err
	}
	if !(*promiseTarget >= 0.5 && *promiseTarget <= 0.99) {
		return fmt.Errorf("-promise-target: %v is not an on-time rate from 0.5 to 0.99", *promiseTarget)
	}
	cfg.Lambdas, cfg.TargetScales, cfg.HalfLives, cfg.PromiseTarget, cfg.Log = ls, ts, hl, *promiseTarget, log
	var pf *predictionFile
	if *predictions != "" {
		if pf, err = createPredictionFile(*predictions); err != nil {
			return err
		}
		cfg.Predictions = pf
	}
	m, sum, err := train(ctx, conn, *out, cfg)
	if pf != nil {
		if cerr := pf.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return err
	}
	printMetrics(os.Stdout, m, sum, *out)
	if pf != nil {
		fmt.Printf("predictions: %s (%d test snapshots)\n", *predictions, m.Metrics.TestRows)
	}
	if *reportDir != "" {
		return writeReport(os.Stdout, m, *reportDir)
	}
	return nil
}

func runEvaluate(ctx context.Context, args []string) error {
	fs := newFlagSet("evaluate", "Print a model artifact's backtest summary (by carrier, service and days to go, against the baselines) and write the report: report.md with calibration, error-by-days-to-go and error-distribution plots. With -predictions, run the backtest again on ClickHouse's history of the model's test window and write its predictions.")
	path := fs.String("model", "models/eta.json", "model artifact")
	dir := fs.String("out", "reports", "directory for report.md and its plots")
	predictions := fs.String("predictions", "", "also write one row per test snapshot (prediction beside the outcome) to this file, from the history in ClickHouse: CSV, or JSON Lines if it ends in .jsonl")
	ch := clickhouseFlags(fs)
	newLog := logFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := model.Load(*path)
	if err != nil {
		return err
	}
	fmt.Printf("model %s, trained %s\n", m.Version, m.TrainedAt.Format(time.RFC3339))
	fmt.Printf("  %s\n  %s\n", report.Windows(m.Window), report.Headline(m))
	if line := report.DayWindowLine(m); line != "" {
		fmt.Printf("  %s\n", line)
	}
	for _, l := range report.PromiseLines(m) {
		fmt.Printf("  %s\n", l)
	}
	if *predictions != "" {
		if err := writePredictions(ctx, m, ch, newLog(), *predictions); err != nil {
			return err
		}
	}
	return writeReport(os.Stdout, m, *dir)
}

// writePredictions runs m's backtest again on the history in ClickHouse
// and writes its predictions to path.
func writePredictions(ctx context.Context, m *model.Model, ch *chstore.Config, log *slog.Logger, path string) error {
	conn, err := openClickHouse(ctx, ch)
	if err != nil {
		return err
	}
	defer conn.Close()
	pf, err := createPredictionFile(path)
	if err != nil {
		return err
	}
	cfg := model.DefaultTrainConfig()
	cfg.Log = log
	n, err := m.Backtest(ctx, chstore.NewHistory(conn), cfg, pf)
	if cerr := pf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Printf("predictions: %s (%d test snapshots; the model's backtest had %d)\n", path, n, m.Metrics.TestRows)
	return nil
}

// writeReport prints the summary table and writes the report files.
func writeReport(w io.Writer, m *model.Model, dir string) error {
	if err := report.Summary(w, m); err != nil {
		return err
	}
	path, err := report.Write(dir, m)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "report: %s\n", path)
	return nil
}

// train fits, saves and records a model.
func train(ctx context.Context, conn *chstore.DB, out string, cfg model.TrainConfig) (*model.Model, string, error) {
	started := time.Now()
	m, err := model.Train(ctx, chstore.NewHistory(conn), cfg)
	if err != nil {
		return nil, "", err
	}
	sum, err := m.Save(out)
	if err != nil {
		return nil, "", err
	}
	if err := chstore.RecordRun(ctx, conn, m, sum, started); err != nil {
		return nil, "", err
	}
	return m, sum, nil
}

// parseFloats reads a comma-separated list of numbers.
func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("%q is not a non-negative number", f)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("no value")
	}
	return out, nil
}

// formatFloats writes numbers as parseFloats reads them.
func formatFloats(vs []float64) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}

func printMetrics(w io.Writer, m *model.Model, sum, path string) {
	mt := m.Metrics
	fmt.Fprintf(w, "model %s  (%s, sha256 %s…)\n", m.Version, path, sum[:12])
	fmt.Fprintf(w, "  %s\n", report.Windows(m.Window))
	fmt.Fprintf(w, "  trained on %d snapshots, calibrated on %d, tested on %d snapshots of %d held-back shipments\n",
		mt.TrainRows, mt.CalibRows, mt.TestRows, mt.TestShipments)
	fmt.Fprintf(w, "  %s\n", report.Headline(m))
	fmt.Fprintf(w, "  p10–p90 coverage %.1f%% (target 80%%)   p95 commit on time %.1f%%, mean slack %.1f h over all snapshots\n",
		100*mt.Coverage80, 100*mt.P95OnTime, mt.Overall.P95SlackAllHours)
	if line := report.DayWindowLine(m); line != "" {
		fmt.Fprintf(w, "  %s\n", line)
	}
	for _, l := range report.PromiseLines(m) {
		fmt.Fprintf(w, "  %s\n", l)
	}
}
