package live_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/schemas"
)

// FuzzByCustomerCursor feeds ByCustomer cursors as a client may send
// them: a malformed one is ErrBadCursor, never a panic, and every page's
// cursor leads to the next page without repeating a shipment.
func FuzzByCustomerCursor(f *testing.F) {
	s, err := live.New(live.Options{})
	if err != nil {
		f.Fatal(err)
	}
	for i := range 7 {
		e := ev(fmt.Sprintf("1Z999AA1%010d", i), time.Duration(i)*time.Hour, []schemas.Status{"in_transit", "delivered"}[i%2])
		e.CustomerRef = "c"
		s.Apply([]schemas.ScanEvent{e})
	}
	ctx := context.Background()
	_, next, _ := s.ByCustomer(ctx, "c", "", 3)
	f.Add(next)
	f.Add("")
	f.Add("MC4xNzYzNjQ4MDAwLjFa")
	f.Add("!!")
	f.Fuzz(func(t *testing.T, cursor string) {
		seen := map[string]bool{}
		for range 10 {
			page, next, err := s.ByCustomer(ctx, "c", cursor, 3)
			if err != nil {
				if !errors.Is(err, live.ErrBadCursor) {
					t.Fatalf("cursor %q: %v", cursor, err)
				}
				return
			}
			for _, sh := range page {
				if seen[sh.TrackingNumber] {
					t.Fatalf("%s on two pages", sh.TrackingNumber)
				}
				seen[sh.TrackingNumber] = true
			}
			if next == "" {
				return
			}
			cursor = next
		}
		t.Fatal("more than 10 pages of 3 for 7 shipments")
	})
}
