package live

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// refIndex finds the numbers of an order and of a customer.
type refIndex struct {
	mu        sync.RWMutex
	orders    map[string]map[string]struct{}
	customers map[string]map[string]struct{}
}

func (x *refIndex) init() {
	x.orders, x.customers = map[string]map[string]struct{}{}, map[string]map[string]struct{}{}
}

func move(m map[string]map[string]struct{}, from, to, number string) {
	if from == to {
		return
	}
	if set := m[from]; from != "" && set != nil {
		delete(set, number)
		if len(set) == 0 {
			delete(m, from)
		}
	}
	if to != "" {
		set := m[to]
		if set == nil {
			set = map[string]struct{}{}
			m[to] = set
		}
		set[number] = struct{}{}
	}
}

// set moves number from the references old to new.
func (x *refIndex) set(number string, old, new predict.References) {
	if old == new {
		return
	}
	x.mu.Lock()
	move(x.orders, old.OrderRef, new.OrderRef, number)
	move(x.customers, old.CustomerRef, new.CustomerRef, number)
	x.mu.Unlock()
}

func (x *refIndex) numbers(m map[string]map[string]struct{}, ref string) []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make([]string, 0, len(m[ref]))
	for n := range m[ref] {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// feedRefs takes an event's references: of a number's scans, the latest
// (by scan time) that carries one sets each. The shard lock is held.
func (s *Store) feedRefs(r *record, e *schemas.ScanEvent, at uint32) {
	if e.OrderRef == "" && e.CustomerRef == "" {
		return
	}
	if r.ex == nil {
		r.ex = &extra{}
	}
	if r.ex.refs != (predict.References{}) && at < r.ex.refsAt {
		return
	}
	old := r.ex.refs
	if e.OrderRef != "" {
		r.ex.refs.OrderRef = e.OrderRef
	}
	if e.CustomerRef != "" {
		r.ex.refs.CustomerRef = e.CustomerRef
	}
	r.ex.refsAt = at
	s.refs.set(r.number, old, r.ex.refs)
}

// ErrNotHeld is returned by SetReferences for a number the store does not
// hold.
var ErrNotHeld = errors.New("live state: tracking number not held")

// SetReferences replaces a held number's references (an empty one is
// cleared) and updates the indexes; persisting them is the caller's. A
// later scan carrying a reference sets it again.
func (s *Store) SetReferences(ctx context.Context, trackingNumber string, refs predict.References) error {
	sh := s.shard(trackingNumber)
	sh.mu.Lock()
	r := sh.m[trackingNumber]
	if r == nil {
		sh.mu.Unlock()
		return fmt.Errorf("set references of %s: %w", trackingNumber, ErrNotHeld)
	}
	if r.ex == nil {
		r.ex = &extra{}
	}
	old := r.ex.refs
	r.ex.refs = refs
	r.ex.refsAt = r.lastTime()
	s.refs.set(trackingNumber, old, refs)
	sh.mu.Unlock()
	if s.opts.OnChange != nil && old != refs {
		if sh, ok := s.held(trackingNumber); ok {
			s.opts.OnChange(sh)
		}
	}
	return nil
}

// ByOrder returns the held shipments carrying the order reference, by
// tracking number.
func (s *Store) ByOrder(ctx context.Context, orderRef string) ([]predict.Shipment, error) {
	var out []predict.Shipment
	for _, n := range s.refs.numbers(s.refs.orders, orderRef) {
		if sh, ok := s.held(n); ok {
			out = append(out, sh)
		}
	}
	return out, nil
}

// ByCustomer pages the customer's held shipments: those in flight first,
// then by latest scan, newest first, then by tracking number. The cursor
// is the position of the page's last shipment in that order.
func (s *Store) ByCustomer(ctx context.Context, customerRef, after string, limit int) ([]predict.Shipment, string, error) {
	if limit <= 0 {
		return nil, "", fmt.Errorf("limit %d: want at least 1", limit)
	}
	var from *customerKey
	if after != "" {
		k, err := parseCursor(after)
		if err != nil { // the API answers it with a 400
			return nil, "", fmt.Errorf("%w: %w", &predict.BadCursorError{Cursor: after}, err)
		}
		from = &k
	}
	type keyed struct {
		k  customerKey
		sh predict.Shipment
	}
	var all []keyed
	for _, n := range s.refs.numbers(s.refs.customers, customerRef) {
		if sh, ok := s.held(n); ok {
			k := keyOf(&sh)
			if from == nil || k.compare(*from) > 0 {
				all = append(all, keyed{k, sh})
			}
		}
	}
	slices.SortFunc(all, func(a, b keyed) int { return a.k.compare(b.k) })
	if len(all) <= limit {
		out := make([]predict.Shipment, len(all))
		for i := range all {
			out[i] = all[i].sh
		}
		return out, "", nil
	}
	out := make([]predict.Shipment, limit)
	for i := range out {
		out[i] = all[i].sh
	}
	return out, all[limit-1].k.cursor(), nil
}

// customerKey is a shipment's place in a customer's list.
type customerKey struct {
	done   bool  // delivered, returned or cancelled
	last   int64 // Unix seconds of the latest scan
	number string
}

func keyOf(sh *predict.Shipment) customerKey {
	k := customerKey{number: sh.TrackingNumber}
	if n := len(sh.Scans); n > 0 {
		_, delivered := sh.DeliveredAt()
		k.done = delivered || sh.Scans[n-1].Status.Terminal()
		k.last = sh.Scans[n-1].Time.Unix()
	}
	return k
}

func (a customerKey) compare(b customerKey) int {
	bit := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	return cmp.Or(cmp.Compare(bit(a.done), bit(b.done)), cmp.Compare(b.last, a.last), cmp.Compare(a.number, b.number))
}

func (a customerKey) cursor() string {
	done := "0"
	if a.done {
		done = "1"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(done + "." + strconv.FormatInt(a.last, 10) + "." + a.number))
}

// ErrBadCursor is returned for a cursor ByCustomer did not make.
var ErrBadCursor = errors.New("live state: malformed page cursor")

func parseCursor(c string) (customerKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return customerKey{}, fmt.Errorf("%w: %w", ErrBadCursor, err)
	}
	parts := strings.SplitN(string(b), ".", 3)
	if len(parts) != 3 || parts[0] != "0" && parts[0] != "1" {
		return customerKey{}, ErrBadCursor
	}
	last, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return customerKey{}, fmt.Errorf("%w: %w", ErrBadCursor, err)
	}
	return customerKey{done: parts[0] == "1", last: last, number: parts[2]}, nil
}
