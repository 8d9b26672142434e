package webhooks

import "sync"

// Tracker holds back a partition's commit until every event before it
// is done: events are delivered concurrently, and one in a long retry
// must not be committed past while later ones finish.
type Tracker struct {
	mu    sync.Mutex
	parts map[int]*partition
}

type partition struct {
	order []int64        // offsets in the order read
	done  map[int64]bool // offsets read: done or not
}

// NewTracker returns an empty tracker.
func NewTracker() *Tracker { return &Tracker{parts: map[int]*partition{}} }

// Add notes an offset read from a partition, in read order.
func (t *Tracker) Add(part int, offset int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.parts[part]
	if p == nil {
		p = &partition{done: map[int64]bool{}}
		t.parts[part] = p
	}
	p.order = append(p.order, offset)
	p.done[offset] = false
}

// Done notes an offset as delivered and returns the highest offset of the
// partition that may be committed now (every one read up to it is done),
// or false when the commit does not move.
func (t *Tracker) Done(part int, offset int64) (int64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.parts[part]
	if p == nil {
		return 0, false
	}
	if _, ok := p.done[offset]; !ok {
		return 0, false
	}
	p.done[offset] = true
	var upTo int64
	moved := false
	for len(p.order) > 0 && p.done[p.order[0]] {
		upTo, moved = p.order[0], true
		delete(p.done, p.order[0])
		p.order = p.order[1:]
	}
	return upTo, moved
}

// Pending returns how many offsets read are not yet committable.
func (t *Tracker) Pending() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, p := range t.parts {
		n += len(p.order)
	}
	return n
}
