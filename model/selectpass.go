package model

import (
	"hash/crc32"
	"math"
)

// selectShipments is how many calibration shipments are enough to choose
// among the candidates; a larger slice is sampled.
const selectShipments = 10_000

// selectWorker is one goroutine's share of the selection pass: its own
// copy of every candidate's error sums.
type selectWorker struct {
	m        *Model
	cands    perFit[[]*candidate]
	offs     perFit[[]float64] // the candidates' offsets of the current lane
	row, hid Row
	every    uint32 // scores the shipments whose tracking number hashes to 0 mod every
}

func newSelectWorker(m *Model, fits perFit[*fitAcc], every uint32) *selectWorker {
	w := &selectWorker{m: m, every: every}
	for k, f := range fits {
		for _, c := range f.cands {
			w.cands[k] = append(w.cands[k], c.clone())
		}
	}
	return w
}

func (w *selectWorker) journey(j *Journey) {
	if w.every > 1 && crc32.ChecksumIEEE([]byte(j.TrackingNumber))%w.every != 0 {
		return
	}
	key := laneKeysOf(j)
	promised := !j.Promised.IsZero()
	var offs perFit[[]float64]
	for k, cands := range w.cands {
		offs[k] = w.offs[k][:0]
		for _, c := range cands {
			offs[k] = append(offs[k], offsetOf(c.offsets, &key))
		}
		w.offs[k] = offs[k]
	}
	eachSnapshot(j, func(s *Snapshot, hoursLeft float64) {
		laneRow := w.m.enc.encodeBoth(s, &w.row, &w.hid)
		if promised {
			score(w.cands[promiseFit], &w.row, offs[promiseFit], hoursLeft)
		}
		score(w.cands[laneFit], laneRow, offs[laneFit], hoursLeft)
	})
}

func (w *selectWorker) merge(o *selectWorker) {
	for k, cands := range w.cands {
		for i, c := range cands {
			c.merge(o.cands[k][i])
		}
	}
}

// rows is how many calibration snapshots the worker scored.
func (w *selectWorker) rows() int { return w.cands[laneFit][0].n }

// score adds one calibration snapshot's error to every candidate. offs
// are the candidates' offsets of the snapshot's lane.
func score(cands []*candidate, row *Row, offs []float64, hoursLeft float64) {
	for k, c := range cands {
		y := row.Dot(c.coef) + offs[k]
		c.n++
		c.absErr += math.Abs(fromTarget(y, c.scale) - hoursLeft)
	}
}
