package model

import (
	"hash/crc32"
	"math"
	"time"
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
	// cens is the scored snapshots' follow-up, delivered and in flight at
	// the cut-off: the weights of the deliveries' errors (candidate.mae).
	cens censoring
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

// sampled reports whether the worker scores j.
func (w *selectWorker) sampled(j *Journey) bool {
	return w.every <= 1 || crc32.ChecksumIEEE([]byte(j.TrackingNumber))%w.every == 0
}

// inFlight counts the snapshots of a sampled journey still in flight at
// the cut-off asOf: censored there.
func (w *selectWorker) inFlight(j *Journey, asOf time.Time) {
	if w.sampled(j) && len(j.Scans) > 0 && !w.m.abandoned(j, asOf) {
		w.cens.inFlight(j, asOf)
	}
}

func (w *selectWorker) journey(j *Journey) {
	if !w.sampled(j) {
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
		w.cens.seen(hoursLeft)
		day := followDay(hoursLeft)
		if promised {
			score(w.cands[promiseFit], &w.row, offs[promiseFit], hoursLeft, day)
		}
		score(w.cands[laneFit], laneRow, offs[laneFit], hoursLeft, day)
	})
}

func (w *selectWorker) merge(o *selectWorker) {
	w.cens.merge(&o.cens)
	for k, cands := range w.cands {
		for i, c := range cands {
			c.merge(o.cands[k][i])
		}
	}
}

// rows is how many calibration snapshots the worker scored.
func (w *selectWorker) rows() int { return w.cands[laneFit][0].n }

// score adds one calibration snapshot's error to every candidate. offs
// are the candidates' offsets of the snapshot's lane, day its follow-up
// bin.
func score(cands []*candidate, row *Row, offs []float64, hoursLeft float64, day int) {
	for k, c := range cands {
		y := row.Dot(c.coef) + offs[k]
		c.add(math.Abs(fromTarget(y, c.scale)-hoursLeft), day)
	}
}
