package model

import (
	"log/slog"
	"time"
)

// progress logs a long pass's shipments every so often.
type progress struct {
	log          *slog.Logger
	phase        string
	every        time.Duration
	start, last  time.Time
	calls, scans int
}

func newProgress(cfg TrainConfig, phase string) *progress {
	now := time.Now()
	return &progress{log: cfg.Log, phase: phase, every: cfg.ProgressEvery, start: now, last: now}
}

func (p *progress) tick(scans int) {
	p.calls++
	p.scans += scans
	if p.calls%1024 != 0 || time.Since(p.last) < p.every {
		return
	}
	p.last = time.Now()
	p.log.Info("training progress", "phase", p.phase, "shipments", p.calls, "scans", p.scans,
		"shipments_per_s", int(float64(p.calls)/time.Since(p.start).Seconds()))
}

func (p *progress) done(rows int) {
	p.log.Info("training phase done", "phase", p.phase, "shipments", p.calls, "rows", rows,
		"seconds", time.Since(p.start).Seconds())
}
