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
	commit     [len(ResidualLevels)]float64 // a first snapshot's commits, likewise
	sink       *predictionSink              // nil when no one reads the predictions
	preds      []TestPrediction             // the journey's, for sink
}

func newTestWorker(m *Model, sink *predictionSink) *testWorker {
	t := m.PromiseTarget
	if t == 0 { // an artifact from before promise targets
		t = DefaultPromiseTarget
	}
	return &testWorker{m: m, bt: newBacktestFor(t), hidden: newBacktestFor(t), day: newDayBacktest(), seg: perFit[segCache]{{}, {}}, sink: sink}
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
		y, sg := f.predictLog(row, &key, s, w.seg[m.kindOf(f)], w.levels[:])
		commit := m.commitLog(f, y, s, sg, w.levels[:])
		est := m.Baselines.estimates(lane, s)
		w.bt.add(s.Carrier, s.Service, hoursLeft, w.levels[:], commit, f.TargetScale, est)
		if delivered {
			w.day.add(m, s, fromTarget(w.levels[levelP50], f.TargetScale), del, &cells)
		}
		if s.Scans == 1 { // the order's promise is made at its first snapshot
			w.bt.promises.add(hoursLeft, w.commitLevels(f, row, &key, s), commit, f.TargetScale, hoursTo(s.Promised, s))
		}
		if w.sink != nil {
			w.preds = append(w.preds, TestPrediction{TrackingNumber: j.TrackingNumber, Carrier: s.Carrier, Service: s.Service,
				Status: string(s.Status), At: s.At, HoursLeft: hoursLeft,
				P10: fromTarget(w.levels[levelP10], f.TargetScale), P50: fromTarget(w.levels[levelP50], f.TargetScale),
				P90: fromTarget(w.levels[levelP90], f.TargetScale), P95: fromTarget(commit, f.TargetScale),
				Promised: s.Promised, OriginAreas: s.OriginAreas, DestAreas: s.DestAreas})
		}

		// As if the carrier had not promised: the lane fit and baselines.
		if s.Scans == 1 {
			first := *s
			first.Promised = time.Time{}
			standard = m.Baselines.standardDeadline(&first)
		}
		y, sg = m.Lane.predictLog(laneRow, &key, s, w.seg[laneFit], w.levels[:])
		commit = m.commitLog(m.Lane, y, s, sg, w.levels[:])
		est[standardBaseline] = hoursTo(standard, s)
		w.hidden.add(s.Carrier, s.Service, hoursLeft, w.levels[:], commit, m.Lane.TargetScale, est)
		if s.Scans == 1 {
			w.hidden.promises.add(hoursLeft, w.commitLevels(m.Lane, laneRow, &key, s), commit, m.Lane.TargetScale, hoursTo(s.Promised, s))
		}
	})
	if w.sink != nil && len(w.preds) > 0 {
		w.sink.write(w.preds)
		w.preds = w.preds[:0]
	}
}

// commitLevels are a first snapshot's commits at every residual level on
// f's target scale: its estimate shifted by the promise segment's
// quantiles, or the interval's levels (w.levels, just predicted) for an
// artifact without them.
func (w *testWorker) commitLevels(f *Fit, row *Row, lane *laneKeys, s *Snapshot) []float64 {
	q := f.promiseResiduals(s.Carrier, s.Service)
	if q == nil {
		return w.levels[:]
	}
	y, scale := row.Dot(f.Coef)+offsetOf(f.LaneOffsets, lane), f.scale(s)*w.m.promiseScale(s)
	for i := range w.commit {
		w.commit[i] = y + q[i]*scale
	}
	return w.commit[:]
}

func (w *testWorker) merge(o *testWorker) {
	w.bt.merge(o.bt)
	w.hidden.merge(o.hidden)
	w.day.merge(o.day)
}

// rows is how many test snapshots the worker scored.
func (w *testWorker) rows() int { return w.bt.all.n }
