package model

import (
	"sync"
	"time"
)

// TestPrediction is the prediction of one test snapshot beside what
// happened: one row of an analyst's predictions file.
type TestPrediction struct {
	TrackingNumber   string
	Carrier, Service string
	Status           string
	// At is the snapshot's time: the scan the prediction was made after.
	At time.Time
	// HoursLeft is the actual time from At to the delivery.
	HoursLeft float64
	// The predicted hours from At to the delivery at p10, p50, p90 and
	// p95 (the commit), from the fit that served the snapshot.
	P10, P50, P90, P95 float64
	// Promised is the carrier's or merchant's promised delivery, zero
	// when the history has none.
	Promised time.Time
	// OriginAreas and DestAreas are the lane's areas: country, region and
	// postal prefix.
	OriginAreas, DestAreas AreaPath
}

// PredictionWriter takes the backtest's predictions, one test snapshot
// at a time. The backtest calls it from one goroutine at a time, a
// journey's snapshots together and in order; an error ends the backtest.
type PredictionWriter interface {
	WritePrediction(p *TestPrediction) error
}

// predictionSink serializes the test workers' writes to one
// PredictionWriter and keeps its first error; a nil sink writes nothing.
type predictionSink struct {
	mu    sync.Mutex
	out   PredictionWriter
	first error
}

func newPredictionSink(out PredictionWriter) *predictionSink {
	if out == nil {
		return nil
	}
	return &predictionSink{out: out}
}

// write hands one journey's predictions to the writer, unless it has
// already failed.
func (s *predictionSink) write(ps []TestPrediction) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range ps {
		if s.first != nil {
			return
		}
		s.first = s.out.WritePrediction(&ps[i])
	}
}

func (s *predictionSink) err() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}
