package live_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/schemas"
)

// A replica holds only the numbers of the partitions it owns; the
// replicas of a split together hold each number once.
func TestOwnership(t *testing.T) {
	var events []schemas.ScanEvent
	for i := range 500 {
		events = append(events, ev(fmt.Sprintf("1Z999AA1%010d", i), 0, schemas.StatusInTransit))
	}
	for _, c := range []struct {
		name   string
		owners []live.Ownership
	}{
		{"full copy", []live.Ownership{{}}},
		{"halves of 2", []live.Ownership{{Of: 2, Owned: []int{0}}, {Of: 2, Owned: []int{1}}}},
		{"uneven thirds of 12", []live.Ownership{{Of: 12, Owned: []int{0, 1, 2, 3}}, {Of: 12, Owned: []int{4, 5, 6, 7, 8}},
			{Of: 12, Owned: []int{9, 10, 11}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			total := 0
			for _, o := range c.owners {
				s := newStore(t, live.Options{Ownership: o})
				s.Apply(events)
				n, _ := s.Len()
				total += n
				for _, e := range events {
					_, ok, _ := s.Shipment(context.Background(), e.TrackingNumber)
					if ok != o.Owns(e.TrackingNumber) {
						t.Errorf("%+v: %s held %v", o, e.TrackingNumber, ok)
					}
				}
				if len(c.owners) > 1 && (n == 0 || n == len(events)) {
					t.Errorf("%+v holds %d of %d", o, n, len(events))
				}
			}
			if total != len(events) {
				t.Errorf("the replicas hold %d numbers together, want %d", total, len(events))
			}
		})
	}
	for _, bad := range []live.Ownership{{Of: 4}, {Owned: []int{1}}, {Of: 4, Owned: []int{4}}, {Of: 4, Owned: []int{-1}}} {
		if _, err := live.New(live.Options{Ownership: bad}); err == nil {
			t.Errorf("ownership %+v accepted", bad)
		}
	}
}

// OnChange is told of each shipment an event changed, once per batch,
// with the shipment as it now is, and not of a replay.
func TestOnChange(t *testing.T) {
	var (
		mu  sync.Mutex
		got []predict.Shipment
	)
	s := newStore(t, live.Options{OnChange: func(sh predict.Shipment) {
		mu.Lock()
		got = append(got, sh)
		mu.Unlock()
	}})
	a, b := ev(tn, 0, schemas.StatusPickedUp), ev(tn, time.Hour, schemas.StatusInTransit)
	s.Apply([]schemas.ScanEvent{a, b})
	s.Apply([]schemas.ScanEvent{a, b})
	if len(got) != 1 || len(got[0].Scans) != 2 {
		t.Fatalf("OnChange calls %d: %+v", len(got), got)
	}
	if err := s.SetReferences(context.Background(), tn, predict.References{OrderRef: "o"}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].OrderRef != "o" {
		t.Fatalf("OnChange after SetReferences: %+v", got)
	}
}

// Readers and writers at once, for the race detector: every read sees a
// whole shipment, sorted.
func TestConcurrentApplyAndRead(t *testing.T) {
	s := newStore(t, live.Options{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				n := fmt.Sprintf("1Z999AA1%010d", i%50)
				s.Apply([]schemas.ScanEvent{ev(n, time.Duration(w*1000+i)*time.Minute, schemas.StatusInTransit)})
			}
		}()
	}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 400 {
				sh, ok, _ := s.Shipment(context.Background(), fmt.Sprintf("1Z999AA1%010d", i%50))
				for k := 1; ok && k < len(sh.Scans); k++ {
					if sh.Scans[k].Time.Before(sh.Scans[k-1].Time) {
						t.Errorf("unsorted scans")
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if _, sc := s.Len(); sc != 800 {
		t.Errorf("held %d scans, want 800", sc)
	}
}
