package exceptions_test

import (
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// testModel predicts every delivery 24 hours after the snapshot and has
// learned that ups parcels in transit move within 20 hours (p99), but
// from a ups ground parcel's second in-transit scan within 30 (p99) to 40
// (p99.9) working hours; its out_for_delivery cell is too thin to trust;
// ups ground parcels that make their promise go out for delivery 11 to
// 12 hours before it.
func testModel(t testing.TB) *model.Model {
	t.Helper()
	features := append([]string{"bias"}, model.CarrierServiceFeatures("ups|ground")...)
	coef := make([]float64, len(features))
	coef[0] = 3.2188758248682006 // exp(ln 25) − 1 = 24 h
	levels := make([]float64, len(model.ResidualLevels))
	m := &model.Model{FormatVersion: model.FormatVersion, FeatureSchema: model.FeatureSchema(), Version: "test-1",
		Features: features, Lane: &model.Fit{TargetScale: 1, Coef: coef, Residuals: map[string][]float64{"*": levels}},
		Dwell: map[string]model.Dwell{
			"ups|in_transit":       {N: 1000, P50Hours: 5, P90Hours: 12, P99Hours: 20},
			"fedex|in_transit":     {N: 1000, P50Hours: 5, P90Hours: 12, P99Hours: 20},
			"ups|out_for_delivery": {N: 3, P50Hours: 4, P90Hours: 6, P99Hours: 8},
		},
		DwellLegs: map[string]model.Dwell{
			"ups|ground|in_transit|1|*": {N: 5000, P50Hours: 10, P90Hours: 25, P99Hours: 30, P999Hours: 40},
		},
		OutForDelivery: map[string]model.Lead{"ups|ground": {N: 500, P01Hours: 11, P10Hours: 11.5, P50Hours: 12}},
	}
	path := t.TempDir() + "/m.json"
	if _, err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

// us is a local time in US Eastern standard time (UTC−5).
func us(y int, mo time.Month, d, h int) time.Time {
	return time.Date(y, mo, d, h, 0, 0, 0, time.FixedZone("EST", -5*3600)).UTC()
}

const tn = "1Z999AA10123456784"

type scan struct {
	at     time.Time
	status schemas.Status
	detail string
}

// shipment is a ups ground shipment in the US with the scans given.
func shipment(promised time.Time, scans ...scan) predict.Shipment {
	sh := predict.Shipment{Journey: model.Journey{TrackingNumber: tn, Carrier: "ups", Service: "ground",
		Origin: schemas.Location{Country: "US", Region: "NY"}, Destination: schemas.Location{Country: "US", Region: "GA"},
		Promised: promised}}
	for _, s := range scans {
		sh.Scans = append(sh.Scans, model.Scan{Time: s.at, Status: s.status, OffsetMinutes: -300})
		code := ""
		if s.detail != "" {
			code = "X1"
		}
		sh.Timeline = append(sh.Timeline, predict.TimelineScan{Time: s.at, OffsetMinutes: -300, Status: s.status,
			StatusDetail: s.detail, CarrierCode: code, Location: schemas.Location{City: "Atlanta", Country: "US"}})
	}
	return sh
}
