package model

import "time"

// testWorker is one goroutine's share of the backtest.
type testWorker struct {
	m          *Model
	bt, hidden *backtest
	day        *dayBacktest
	row, hid   Row
	seg        perFit[segCache]
	levels     [len(ResidualLevels)]float64 // on the fit's target scale
	sink       *predictionSink              // nil when no one reads the predictions
	preds      []TestPrediction             // the journey's, for sink
}

func newTestWorker(m *Model, sink *predictionSink) *testWorker {
	return &testWorker{m: m, bt: newBacktest(), hidden: newBacktest(), day: newDayBacktest(), seg: perFit[segCache]{{}, {}}, sink: sink}
}

func (w *testWorker) journey(j *Journey) {
	w.bt.shipments++
	key := laneKeysOf(j)
	m := w.m
	lane := m.Baselines.laneTransitsOf(baselineKeysOf(j))
	var standard time.Time // the service standard's deadline, without a promise
	del, delivered := deliveryOf(j)
	cells := newDayCellCache(j.Carrier, j.Service, Areas(j.Destination))
	eachSnapshot(j, func(s *Snapshot, hoursLeft float64) {
		laneRow := m.enc.encodeBoth(s, &w.row, &w.hid)
		f := m.fitFor(s)
		row := &w.row
		if f == m.Lane {
			row = laneRow
		}
		f.predictLog(row, &key, s, w.seg[m.kindOf(f)], w.levels[:])
		est := m.Baselines.estimates(lane, s)
		w.bt.add(s.Carrier, s.Service, hoursLeft, w.levels[:], f.TargetScale, est)
		if delivered {
			w.day.add(m, s, fromTarget(w.levels[levelP50], f.TargetScale), del, &cells)
		}
		if w.sink != nil {
			w.preds = append(w.preds, TestPrediction{TrackingNumber: j.TrackingNumber, Carrier: s.Carrier, Service: s.Service,
				Status: string(s.Status), At: s.At, HoursLeft: hoursLeft,
				P10: fromTarget(w.levels[levelP10], f.TargetScale), P50: fromTarget(w.levels[levelP50], f.TargetScale),
				P90: fromTarget(w.levels[levelP90], f.TargetScale), P95: fromTarget(w.levels[levelP95], f.TargetScale),
				Promised: s.Promised, OriginAreas: s.OriginAreas, DestAreas: s.DestAreas})
		}

		// As if the carrier had not promised: the lane fit and baselines.
		if s.Scans == 1 {
			first := *s
			first.Promised = time.Time{}
			standard = m.Baselines.standardDeadline(&first)
		}
		m.Lane.predictLog(laneRow, &key, s, w.seg[laneFit], w.levels[:])
		est[standardBaseline] = hoursTo(standard, s)
		w.hidden.add(s.Carrier, s.Service, hoursLeft, w.levels[:], m.Lane.TargetScale, est)
	})
	if w.sink != nil && len(w.preds) > 0 {
		w.sink.write(w.preds)
		w.preds = w.preds[:0]
	}
}

func (w *testWorker) merge(o *testWorker) {
	w.bt.merge(o.bt)
	w.hidden.merge(o.hidden)
	w.day.merge(o.day)
}

// rows is how many test snapshots the worker scored.
func (w *testWorker) rows() int { return w.bt.all.n }
