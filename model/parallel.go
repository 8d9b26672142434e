package model

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// passWorker processes the journeys of one pass on its own goroutine; the
// pass merges the workers' results afterwards.
type passWorker interface {
	journey(j *Journey)
}

// journeyBatch is how many journeys are handed to a worker at a time.
const journeyBatch = 256

// batch holds copies of journeys, so a source may reuse its buffers; the
// journeys' scans share one slice. Batches go back to the pass to be
// refilled once a worker is done with them.
type batch struct {
	journeys []Journey
	scans    []Scan
}

func (b *batch) add(j *Journey) {
	start := len(b.scans)
	b.scans = append(b.scans, j.Scans...)
	c := *j
	c.Scans = b.scans[start:len(b.scans):len(b.scans)]
	b.journeys = append(b.journeys, c)
}

// runPass streams the delivered journeys of [from, to) to workers (one
// per CPU, up to workers) in batches. Memory is bounded by the batches in
// flight: the source waits while every worker is busy. The source's error
// or the context's ends the pass.
func runPass(ctx context.Context, src Source, from, to, before time.Time, workers []passWorker, prog *progress) error {
	ch := make(chan *batch, 2*len(workers))
	free := make(chan *batch, 4*len(workers)) // more than can be in flight: returning never blocks
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range ch {
				for i := range b.journeys {
					w.journey(&b.journeys[i])
				}
				b.journeys, b.scans = b.journeys[:0], b.scans[:0]
				free <- b
			}
		}()
	}
	next := func() *batch {
		select {
		case b := <-free:
			return b
		default:
			return &batch{journeys: make([]Journey, 0, journeyBatch)}
		}
	}
	cur := next()
	send := func() error {
		if len(cur.journeys) == 0 {
			return nil
		}
		select {
		case ch <- cur:
		case <-ctx.Done():
			return ctx.Err()
		}
		cur = next()
		return nil
	}
	err := src.Delivered(ctx, from, to, before, func(j *Journey) error {
		cur.add(j)
		prog.tick(len(j.Scans))
		if len(cur.journeys) == journeyBatch {
			return send()
		}
		return nil
	})
	if err == nil {
		err = send()
	}
	close(ch)
	wg.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// passWorkers is how many workers a pass runs.
func passWorkers(n int) int {
	if n > 0 {
		return n
	}
	return max(1, runtime.GOMAXPROCS(0))
}

// mergingWorker is a passWorker whose results add up with those of the
// pass's other workers.
type mergingWorker[W any] interface {
	passWorker
	merge(o W)
	rows() int // the rows it saw, for the progress log
}

// runWorkers runs one pass (runPass) on nw workers made by newWorker,
// merges the others into the first in order and returns it.
func runWorkers[W mergingWorker[W]](ctx context.Context, src Source, cfg TrainConfig, phase string, nw int,
	from, to, before time.Time, newWorker func() W) (W, error) {
	ws := make([]W, nw)
	pws := make([]passWorker, nw)
	for i := range ws {
		ws[i] = newWorker()
		pws[i] = ws[i]
	}
	prog := newProgress(cfg, phase)
	if err := runPass(ctx, src, from, to, before, pws, prog); err != nil {
		var zero W
		return zero, err
	}
	for _, o := range ws[1:] {
		ws[0].merge(o)
	}
	prog.done(ws[0].rows())
	return ws[0], nil
}
