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

// journeyBatch is the unit handed to workers: copies of the journeys, so
// a source may reuse its buffers.
const journeyBatch = 256

// runPass streams the delivered journeys of [from, to) to workers (one
// per CPU, up to workers) in batches. Memory is bounded by the channel:
// the source waits while every worker is busy. The source's error or the
// context's ends the pass.
func runPass(ctx context.Context, src Source, from, to, before time.Time, workers []passWorker, prog *progress) error {
	ch := make(chan []Journey, 2*len(workers))
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range ch {
				for i := range batch {
					w.journey(&batch[i])
				}
			}
		}()
	}
	batch := make([]Journey, 0, journeyBatch)
	send := func() error {
		if len(batch) == 0 {
			return nil
		}
		select {
		case ch <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
		batch = make([]Journey, 0, journeyBatch)
		return nil
	}
	err := src.Delivered(ctx, from, to, before, func(j *Journey) error {
		c := *j
		c.Scans = append([]Scan(nil), j.Scans...)
		batch = append(batch, c)
		prog.tick(len(c.Scans))
		if len(batch) == journeyBatch {
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
