package live

import "sync"

// table interns values of type K: each distinct value is stored once and
// named by its index. Entries are never removed: the values interned are
// the vocabulary of the feeds (carriers, services, codes, texts, places),
// which is bounded, not per shipment.
type table[K comparable] struct {
	mu   sync.RWMutex
	ids  map[K]uint32
	vals []K
}

func newTable[K comparable](zero K) *table[K] {
	t := &table[K]{ids: map[K]uint32{}}
	t.id(zero) // index 0 is the zero value
	return t
}

// id returns the index of v, adding it if new.
func (t *table[K]) id(v K) uint32 {
	t.mu.RLock()
	i, ok := t.ids[v]
	t.mu.RUnlock()
	if ok {
		return i
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if i, ok := t.ids[v]; ok {
		return i
	}
	i = uint32(len(t.vals))
	t.vals = append(t.vals, v)
	t.ids[v] = i
	return i
}

// get returns the value of index i.
func (t *table[K]) get(i uint32) K {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.vals[i]
}

// placeKey is a scan's place, its strings interned.
type placeKey struct {
	city, region, postal, country uint32
	hasCoords                     bool
	lat, lon                      float64
}

// kindKey is what a scan says: status, the carrier's code and texts, and
// the mode of transport. Carriers send a few thousand distinct ones.
type kindKey struct {
	status                   uint32
	detail, code, desc, mode uint32
}

// laneKey is a scan's service and the shipment's ends as the scan states
// them (regions and postal codes, which the model's areas are made of).
type laneKey struct {
	service                    uint32
	oPostal, oRegion, oCountry uint32
	dPostal, dRegion, dCountry uint32
}

// interns holds a store's tables.
type interns struct {
	strs   *table[string]
	places *table[placeKey]
	kinds  *table[kindKey]
	lanes  *table[laneKey]
}

func newInterns() *interns {
	return &interns{strs: newTable(""), places: newTable(placeKey{}), kinds: newTable(kindKey{}), lanes: newTable(laneKey{})}
}
