package publish

import (
	"container/heap"
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest/sim"
)

// Clock is the wall clock Replay paces itself by; tests substitute a fake.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends.
	Sleep(ctx context.Context, d time.Duration)
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// WallClock is the real clock.
var WallClock Clock = wallClock{}

// recordHeap orders pending records by scan time, then by arrival.
type recordHeap []pendingRecord

type pendingRecord struct {
	record
	seq int
}

func (h recordHeap) Len() int { return len(h) }
func (h recordHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h recordHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *recordHeap) Push(x any)   { *h = append(*h, x.(pendingRecord)) }
func (h *recordHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Replay publishes like All, but in simulated time, as a live feed: a
// simulated clock starts at the first label and runs speed times faster
// than clock (3600: an hour a second), and each record is written once the
// simulated clock passes its scan's time. Memory holds the shipments in
// flight, not the whole simulation. opts.Each sees a shipment once its
// last record was written.
func Replay(ctx context.Context, w MessageWriter, g *sim.Generator, feeds Feeds, opts Options, speed float64, clock Clock) (Stats, error) {
	if speed <= 0 {
		return Stats{}, fmt.Errorf("replay speed %v: want > 0", speed)
	}
	if clock == nil {
		clock = WallClock
	}
	var st Stats
	enc := newNoisyEncoder(g, feeds, opts.Noise, &st)
	var (
		h       recordHeap
		seq     int
		next    sim.Shipment
		hasNext bool
		left    = map[string]int{} // records still to write, by tracking number
		ships   = map[string]*sim.Shipment{}
		recs    []record
	)
	next, hasNext = g.Next()
	if !hasNext {
		return st, nil
	}
	simStart, wallStart := next.LabelTime, clock.Now()
	// Labels come out of the generator in time order, give or take the
	// hour of jitter each gets: look that far ahead.
	const lookahead = time.Hour
	for hasNext || h.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		simNow := simStart.Add(time.Duration(float64(clock.Now().Sub(wallStart)) * speed))
		for hasNext && !next.LabelTime.After(simNow.Add(lookahead)) {
			s := next
			var err error
			if recs, err = enc.encode(&s, recs[:0]); err != nil {
				return st, err
			}
			for _, r := range recs {
				heap.Push(&h, pendingRecord{record: r, seq: seq})
				seq++
			}
			st.Shipments++
			if len(recs) == 0 {
				if opts.Each != nil {
					opts.Each(&s)
				}
			} else {
				left[s.TrackingNumber] += len(recs)
				ships[s.TrackingNumber] = &s
			}
			next, hasNext = g.Next()
		}
		var batch []kafka.Message
		for h.Len() > 0 && !h[0].at.After(simNow) {
			batch = append(batch, heap.Pop(&h).(pendingRecord).msg)
		}
		if len(batch) > 0 {
			if err := w.WriteMessages(ctx, batch...); err != nil {
				return st, fmt.Errorf("publish %d records: %w", len(batch), err)
			}
			st.Records += len(batch)
			for _, m := range batch {
				tn := string(m.Key)
				if left[tn]--; left[tn] == 0 {
					if opts.Each != nil {
						opts.Each(ships[tn])
					}
					delete(left, tn)
					delete(ships, tn)
				}
			}
			continue
		}
		// Nothing due: sleep until the next record is, a second at most.
		wait := time.Second
		if h.Len() > 0 {
			wait = min(wait, time.Duration(float64(h[0].at.Sub(simNow))/speed))
		}
		clock.Sleep(ctx, max(wait, time.Millisecond))
	}
	return st, nil
}
