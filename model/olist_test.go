package model_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
	"github.com/parcelcast/parcelcast/schemas"
)

// olistOrders is the real order history the repository does not hold (its
// licence keeps it out): ../shared/data/olist-dev/ beside the repository.
var olistOrders = filepath.Join("..", "..", "shared", "data", "olist-dev", "orders.csv")

// readOlist turns the order export into journeys, as an import would:
// purchase is the order information, the carrier's hand-over the pickup, the
// customer's receipt the delivery, and the estimated date (a date at
// midnight) the promise, at the end of that day. Times are local to
// Brazil without an offset; São Paulo's zone stands for every state.
func readOlist(path string) ([]model.Journey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zone, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		return nil, fmt.Errorf("olist zone: %w", err)
	}
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("olist header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, c := range []string{"order_id", "order_purchase_timestamp", "order_delivered_carrier_date",
		"order_delivered_customer_date", "order_estimated_delivery_date", "seller_zip_code_prefix",
		"seller_state", "customer_zip_code_prefix", "customer_state"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("olist: no column %s", c)
		}
	}
	var out []model.Journey
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("olist line %d: %w", line, err)
		}
		get := func(c string) string { return rec[col[c]] }
		j := model.Journey{TrackingNumber: get("order_id"), Carrier: "olist",
			Origin:      schemas.Location{PostalCode: get("seller_zip_code_prefix"), Region: get("seller_state"), Country: "BR"},
			Destination: schemas.Location{PostalCode: get("customer_zip_code_prefix"), Region: get("customer_state"), Country: "BR"}}
		for _, s := range []struct {
			c  string
			st schemas.Status
		}{
			{"order_purchase_timestamp", schemas.StatusInfoReceived},
			{"order_delivered_carrier_date", schemas.StatusPickedUp},
			{"order_delivered_customer_date", schemas.StatusDelivered},
		} {
			v := get(s.c)
			if v == "" {
				continue
			}
			t, err := time.ParseInLocation(time.DateTime, v, zone)
			if err != nil {
				return nil, fmt.Errorf("olist line %d: %s: %w", line, s.c, err)
			}
			_, off := t.Zone()
			j.Scans = append(j.Scans, model.Scan{Time: t.UTC(), Status: s.st, OffsetMinutes: off / 60})
		}
		if v := get("order_estimated_delivery_date"); v != "" {
			t, err := time.ParseInLocation(time.DateTime, v, zone)
			if err != nil {
				return nil, fmt.Errorf("olist line %d: estimated date: %w", line, err)
			}
			y, m, d := t.Date()
			j.Promised = time.Date(y, m, d+1, 0, 0, 0, 0, zone).UTC() // the end of the promised day
		}
		if len(j.Scans) == 0 {
			continue
		}
		j.Sort()
		out = append(out, j)
	}
}

// TestTrainOnOlist trains on real order history from Brazil and checks
// that the lanes hold there: the model beats the lane median on the same
// areas, and the lanes are not all one country-to-country lane.
func TestTrainOnOlist(t *testing.T) {
	js, err := readOlist(olistOrders)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("real order history not found at %s (it is kept outside the repository); skipping", olistOrders)
	}
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Train(context.Background(), &modeltest.Mem{Journeys: js}, model.DefaultTrainConfig())
	if err != nil {
		t.Fatal(err)
	}
	mt := m.Metrics
	t.Logf("olist: %d journeys; test %d shipments, %d rows; MAE %.1fh; lane median %.1fh (%.0f%% below); carrier standard %.1fh over %d rows; coverage %.3f; p95 on time %.3f; lane offsets %d",
		len(js), mt.TestShipments, mt.TestRows, mt.MAEHours, mt.BaselineMAEHours, 100*mt.Overall.Reduction(model.BaselineLaneMedian),
		mt.Overall.Baselines[model.BaselineStandard].MAEHours, mt.Overall.Baselines[model.BaselineStandard].N, mt.Coverage80, mt.P95OnTime, len(m.Lane.LaneOffsets))
	wp := mt.WithoutPromise
	t.Logf("olist, promise hidden: MAE %.1fh; lane median %.1fh (%.0f%% below); carrier standard over %d of %d rows",
		wp.MAEHours, wp.Baselines[model.BaselineLaneMedian].MAEHours, 100*wp.Reduction(model.BaselineLaneMedian), wp.Baselines[model.BaselineStandard].N, wp.N)
	if dw, e := m.DayWindows, mt.DayWindow.ETADay; dw != nil {
		t.Logf("olist, delivery-day window (no out-for-delivery scans: the ETA day's only): %d cells, mass %.2f covering %.3f of %d calibration deliveries; "+
			"test: %d snapshots, %.1f%% on the day given, %.1f%% of those within, %.1f h long",
			len(dw.Cells), dw.ETADay.Mass, dw.ETADay.Coverage, dw.ETADay.N, e.N, 100*e.OnTheDay, 100*e.CoverageOnTheDay, e.MeanHours)
	}
	if mt.TestShipments < 300 {
		t.Fatalf("test slice of %d shipments, want the history's newest fifth", mt.TestShipments)
	}
	if r := mt.Overall.Reduction(model.BaselineLaneMedian); r < 0.10 {
		t.Errorf("MAE %.1fh is %.0f%% below the lane median %.1fh, want at least 10%%", mt.MAEHours, 100*r, mt.BaselineMAEHours)
	}
	regions := 0
	for k := range m.Baselines.LaneMedianHours {
		if k != model.Lane("olist", "", "BR", "BR") && len(k) > len("olist||BR>BR") {
			regions++
		}
	}
	if regions < 20 {
		t.Errorf("%d lane-median lanes below the country, want the states' lanes", regions)
	}
}

// TestOlistIntervalHolds backtests the real order history as of a cut-off
// and on the default split: the p10–p90 interval, calibrated only on what
// was known at the cut-off, covers 80 ± 3% of the test snapshots.
func TestOlistIntervalHolds(t *testing.T) {
	js, err := readOlist(olistOrders)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("real order history not found at %s (it is kept outside the repository); skipping", olistOrders)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		testFrom time.Time
		days     int
	}{
		{"default split", time.Time{}, 0},
		{"as of 2017-10-01", time.Date(2017, 10, 1, 0, 0, 0, 0, time.UTC), 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := model.DefaultTrainConfig()
			cfg.TestFrom, cfg.CalibrationDays = tc.testFrom, tc.days
			m, err := model.Train(context.Background(), &modeltest.Mem{Journeys: js}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			mt := m.Metrics
			t.Logf("MAE %.1fh, lane median %.1fh (%.0f%% below); coverage %.3f; p95 on time %.3f; calibration %d rows, seen share %.2f; drift margin %.3f (promise fit)",
				mt.MAEHours, mt.BaselineMAEHours, 100*mt.Overall.Reduction(model.BaselineLaneMedian), mt.Coverage80, mt.P95OnTime,
				mt.CalibRows, mt.CalibSeenShare, m.Promise.DriftSpread)
			if mt.Coverage80 < 0.77 || mt.Coverage80 > 0.83 {
				t.Errorf("p10–p90 coverage %.3f, want 0.80 ± 0.03", mt.Coverage80)
			}
			restore := model.SetDriftMargin(false)
			defer restore()
			flat, err := model.Train(context.Background(), &modeltest.Mem{Journeys: js}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("without the drift margin: coverage %.3f; p95 on time %.3f", flat.Metrics.Coverage80, flat.Metrics.P95OnTime)
		})
	}
}

// TestOlistPromiseBeatsMerchant backtests the promises as of 2017-10-01:
// at the merchant's own late rate the model's commit gives less mean
// slack than the merchant's promise on the same orders.
func TestOlistPromiseBeatsMerchant(t *testing.T) {
	js, err := readOlist(olistOrders)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("real order history not found at %s (it is kept outside the repository); skipping", olistOrders)
	}
	if err != nil {
		t.Fatal(err)
	}
	cfg := model.DefaultTrainConfig()
	cfg.TestFrom, cfg.CalibrationDays = time.Date(2017, 10, 1, 0, 0, 0, 0, time.UTC), 30
	train := func(normalized bool) model.PromiseCurve {
		defer model.SetPromiseNormalizing(normalized)()
		m, err := model.Train(context.Background(), &modeltest.Mem{Journeys: js}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return m.Metrics.Promises
	}
	for _, normalized := range []bool{false, true} {
		c := train(normalized)
		for _, p := range c.Model {
			t.Logf("by region %v: target %.2f: late %.3f, slack %.1f d over all, %.1f d over the on-time", normalized, p.Target, p.Late,
				p.MeanSlackAllHours/24, p.MeanSlackOnTimeHours/24)
		}
		own := c.Own
		slack, ok := model.AtLate(c.Model, own.Late)
		t.Logf("by region %v: the merchant's promise late %.3f with %.1f d over all; the model at that late rate %.1f d (%v)", normalized,
			own.Late, own.MeanSlackAllHours/24, slack/24, ok)
		if normalized && (!ok || slack >= own.MeanSlackAllHours) {
			t.Errorf("at the merchant's late rate %.3f the model's commit has %.1f d of mean slack (%v), the merchant's %.1f d: want less",
				own.Late, slack/24, ok, own.MeanSlackAllHours/24)
		}
	}
}
