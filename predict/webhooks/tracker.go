package webhooks

import "sync"

// Tracker holds back a partition's commit until every event before it
// is done: events are delivered concurrently, and one in a long retry
// must not be committed past while later ones finish.
type Tracker struct {
	mu    sync.Mutex
	parts map[partKey]*partition
}

// partKey is a topic's partition.
type partKey struct {
	topic string
	part  int
}

type partition struct {
	order []int64        // offsets in the order read
	done  map[int64]bool // offsets read: done or not
}

// NewTracker returns an empty tracker.
func NewTracker() *Tracker { return &Tracker{parts: map[partKey]*partition{}} }

// Add notes an offset read from a topic's partition, in read order.
func (t *Tracker) Add(topic string, part int, offset int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := partKey{topic, part}
	p := t.parts[k]
	if p == nil {
		p = &partition{done: map[int64]bool{}}
		t.parts[k] = p
	}
	p.order = append(p.order, offset)
	p.done[offset] = false
}

// Done notes an offset as delivered and returns the highest offset of the
// partition that may be committed now (every one read up to it is done),
// or false when the commit does not move.
func (t *Tracker) Done(topic string, part int, offset int64) (int64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.parts[partKey{topic, part}]
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
