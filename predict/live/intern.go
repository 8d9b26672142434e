package live

import (
	"strings"
	"sync"

	"github.com/parcelcast/parcelcast/schemas"
)

// table interns values of type K: each distinct value is stored once and
// named by its index. Entries are never removed: the values interned are
// the vocabulary of the feeds (carriers, services, codes, texts, places),
// which is bounded, not per shipment (order and customer references,
// which are, are not interned).
type table[K comparable] struct {
	mu   sync.RWMutex
	ids  map[K]uint32
	vals []K
	// clone copies a new value's strings, so that the table does not
	// keep the memory of the event they came in.
	clone func(K) K
}

func newTable[K comparable](clone func(K) K) *table[K] {
	var zero K
	t := &table[K]{ids: map[K]uint32{}, clone: clone}
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
	v = t.clone(v)
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

// placeKey is a scan's place.
type placeKey struct {
	city, region, postal, country string
	hasCoords                     bool
	lat, lon                      float64
}

// kindKey is what a scan says: status, the carrier's code and texts, and
// the mode of transport. Carriers send a few thousand distinct ones.
type kindKey struct {
	status                   schemas.Status
	detail, code, desc, mode string
}

// laneKey is a scan's service and the shipment's ends as the scan states
// them (regions and postal codes, which the model's areas are made of).
type laneKey struct {
	service                    string
	oPostal, oRegion, oCountry string
	dPostal, dRegion, dCountry string
}

// ownerKey is whose scans a group holds: a carrier, and its shipment key.
type ownerKey struct{ carrier, key string }

// interns holds a store's tables. Each scan is four lookups: what it
// says, where, on which lane, and whose.
type interns struct {
	places *table[placeKey]
	kinds  *table[kindKey]
	lanes  *table[laneKey]
	owners *table[ownerKey]
}

func newInterns() *interns {
	c := strings.Clone
	return &interns{
		places: newTable(func(k placeKey) placeKey {
			k.city, k.region, k.postal, k.country = c(k.city), c(k.region), c(k.postal), c(k.country)
			return k
		}),
		kinds: newTable(func(k kindKey) kindKey {
			k.status, k.detail, k.code, k.desc, k.mode = schemas.Status(c(string(k.status))), c(k.detail), c(k.code), c(k.desc), c(k.mode)
			return k
		}),
		lanes: newTable(func(k laneKey) laneKey {
			k.service, k.oPostal, k.oRegion, k.oCountry = c(k.service), c(k.oPostal), c(k.oRegion), c(k.oCountry)
			k.dPostal, k.dRegion, k.dCountry = c(k.dPostal), c(k.dRegion), c(k.dCountry)
			return k
		}),
		owners: newTable(func(k ownerKey) ownerKey { return ownerKey{c(k.carrier), c(k.key)} }),
	}
}
