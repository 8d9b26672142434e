package report

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixedModel is a model with hand-set backtest figures, so the report's
// text is checked against golden files.
func fixedModel() *model.Model {
	score := func(mae, base float64) model.Score {
		return model.Score{N: 1000, MAEHours: mae, RMSEHours: mae * 1.5, Within1Day: 0.8, Coverage80: 0.79, P95OnTime: 0.951,
			P95SlackHours: 30, Baselines: map[string]model.BaselineScore{
				model.BaselineStandard:   {MAEHours: base * 0.6},
				model.BaselineLaneMedian: {MAEHours: base},
				model.BaselineLaneMode:   {MAEHours: base * 1.1},
			}}
	}
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return &model.Model{Version: "20261101T000000Z", TrainedAt: t.AddDate(0, 10, 0),
		Window: model.Window{TrainFrom: t, TrainTo: t.AddDate(0, 7, 0), CalibTo: t.AddDate(0, 8, 0), TestTo: t.AddDate(0, 10, 0)},
		Metrics: model.Metrics{TrainRows: 70000, CalibRows: 10000, TestRows: 20000, TestShipments: 3000,
			Lambdas:        []model.LambdaScore{{Fit: "lane", Lambda: 1, TargetScale: 6, MAEHours: 18}, {Fit: "promise", Lambda: 10, TargetScale: 24, MAEHours: 11}},
			Overall:        score(10, 25),
			WithoutPromise: score(18, 25),
			ByCarrier:      map[string]model.Score{"ups": score(11, 27), "fedex": score(9, 22)},
			ByService:      map[string]model.Score{"ground": score(10, 25)},
			ByDaysToGo:     map[string]model.Score{"0-1d": score(3, 20), "5d+": score(25, 33)},
			Calibration:    []model.CalibrationPoint{{Level: 0.1, Observed: 0.12}, {Level: 0.5, Observed: 0.49}, {Level: 0.9, Observed: 0.88}},
			Errors:         model.ErrorHistogram{From: -12, Width: 6, Counts: []int{1, 5, 9, 4}},
			DayWindow: model.DayWindowMetrics{
				DayWindowScores: dayScores(0.79, 0.61),
				ByCarrier:       map[string]model.DayWindowScores{"ups": dayScores(0.81, 0.6), "fedex": dayScores(0.77, 0.63)},
				ByLevel:         map[string]model.DayWindowScore{"carrier_service_region": {N: 400, Coverage: 0.8, OnTheDay: 0.93, MeanHours: 3.5}},
			},
		},
		DayWindows: &model.DayWindows{OutForDelivery: model.DayPath{Mass: 0.82, Coverage: 0.8}, ETADay: model.DayPath{Mass: 0.79, Coverage: 0.8}}}
}

func dayScores(ofd, eta float64) model.DayWindowScores {
	return model.DayWindowScores{
		OutForDelivery: model.DayWindowScore{N: 500, Coverage: ofd, OnTheDay: 0.93, CoverageOnTheDay: ofd / 0.93, MeanHours: 3.5},
		ETADay:         model.DayWindowScore{N: 2000, Coverage: eta, OnTheDay: 0.76, CoverageOnTheDay: eta / 0.76, MeanHours: 4},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", name, got)
	}
}

func TestSummaryAndMarkdownGolden(t *testing.T) {
	m := fixedModel()
	var b bytes.Buffer
	if err := Summary(&b, m); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.golden", b.Bytes())
	b.Reset()
	if err := markdown(&b, m); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.golden.md", b.Bytes())
}

func TestWriteTrainedModelReport(t *testing.T) {
	m, err := model.Train(context.Background(), modeltest.NewMem(sim.Config{Seed: 5, Shipments: 3000, Days: 60}), model.DefaultTrainConfig())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path, err := Write(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"|overall|", "|carrier ups|", "|days to go 0-1d|", CalibrationPNG, DaysToGoPNG, ErrorsPNG,
		"## Delivery-day window", "|carrier_service_country|"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, name := range []string{CalibrationPNG, DaysToGoPNG, ErrorsPNG} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width < 300 || cfg.Height < 200 {
			t.Errorf("%s: %v, %dx%d", name, err, cfg.Width, cfg.Height)
		}
	}
}
