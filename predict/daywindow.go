package predict

import (
	"math"
	"time"

	"github.com/parcelcast/parcelcast/model"
)

// DeliveryWindow is the local time of day a shipment should be delivered
// in: from out for delivery, on that day; before, on its ETA day.
type DeliveryWindow struct {
	// Date is the local date, Start and End the local times ("14:00",
	// "18:00"; the end is exclusive), UTCOffset the offset they are in.
	Date      string `json:"date"`
	Start     string `json:"start"`
	End       string `json:"end"`
	UTCOffset string `json:"utc_offset"`
	// Basis is out_for_delivery or eta_day; Level the cell of history the
	// window was learned from (model.DayWindowLevels).
	Basis string `json:"basis"`
	Level string `json:"level"`
	// Coverage is the share of calibration deliveries such windows held
	// (for eta_day: of those that came on the date given).
	Coverage float64 `json:"coverage"`
}

// deliveryWindow is the window m gives snapshot s with its prediction p,
// or nil. A p50 already past is taken as now, as the ETA is; a window
// already over is not given.
func deliveryWindow(m *model.Model, s model.Snapshot, p model.Prediction, now time.Time) *DeliveryWindow {
	if math.IsNaN(p.P50) || math.IsInf(p.P50, 0) {
		return nil
	}
	if eta := s.At.Add(time.Duration(p.P50 * float64(time.Hour))); eta.Before(now) {
		p.P50 = now.Sub(s.At).Hours()
	}
	w, ok := m.DayWindow(s, p)
	if !ok || !w.EndAt().After(now) {
		return nil
	}
	return &DeliveryWindow{Date: w.Date.Format(time.DateOnly), Start: model.ClockTime(w.Start), End: model.ClockTime(w.End),
		UTCOffset: model.OffsetString(w.OffsetMinutes), Basis: w.Basis, Level: w.Level, Coverage: w.Coverage}
}
