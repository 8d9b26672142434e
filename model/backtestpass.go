package model

import "time"

// testWorker is one goroutine's share of the backtest.
type testWorker struct {
	m          *Model
	bt, hidden *backtest
	row, hid   Row
	seg        perFit[segCache]
	levels     [len(ResidualLevels)]float64 // on the fit's target scale
}

func newTestWorker(m *Model) *testWorker {
	return &testWorker{m: m, bt: newBacktest(), hidden: newBacktest(), seg: perFit[segCache]{{}, {}}}
}

func (w *testWorker) journey(j *Journey) {
	w.bt.shipments++
	key := laneKeysOf(j)
	m := w.m
	lane := m.Baselines.laneTransitsOf(baselineKeysOf(j))
	var standard time.Time // the service standard's deadline, without a promise
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
}

func (w *testWorker) merge(o *testWorker) {
	w.bt.merge(o.bt)
	w.hidden.merge(o.hidden)
}

// rows is how many test snapshots the worker scored.
func (w *testWorker) rows() int { return w.bt.all.n }
