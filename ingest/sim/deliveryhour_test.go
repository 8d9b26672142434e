package sim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/schemas"
)

// TestDeliveryTimeOfDay checks that deliveries keep the hours of a
// delivery round: out in the morning, delivered from then to the
// afternoon, none at night. A uniform spread over the day would leave
// the model's delivery-day window nothing to learn.
func TestDeliveryTimeOfDay(t *testing.T) {
	byCarrier := map[string]*[24]int{}
	var out, night, total, outOfRound int
	for _, s := range all(Config{Seed: 9, Shipments: 6000}) {
		if s.Outcome != Delivered {
			continue
		}
		var ofd, del *schemas.ScanEvent
		for i := range s.Scans {
			switch s.Scans[i].Status {
			case schemas.StatusOutForDelivery:
				ofd = &s.Scans[i]
			case schemas.StatusDelivered:
				del = &s.Scans[i]
			}
		}
		if del == nil {
			t.Fatalf("%s: delivered without a delivered scan", s.TrackingNumber)
		}
		local := func(e *schemas.ScanEvent) (int, int) {
			sec := e.EventTime.Unix() + int64(e.UTCOffsetMinutes)*60
			return int(sec / 86400), int(sec%86400) / 3600
		}
		day, hour := local(del)
		h := byCarrier[s.Carrier]
		if h == nil {
			h = new([24]int)
			byCarrier[s.Carrier] = h
		}
		h[hour]++
		total++
		if hour < 7 || hour >= 21 {
			night++
		}
		if ofd != nil {
			out++
			if oday, ohour := local(ofd); oday == day && (ohour < 7 || ohour > 9) {
				outOfRound++
			}
		}
	}
	var b strings.Builder
	for _, c := range slices.Sorted(maps.Keys(byCarrier)) {
		fmt.Fprintf(&b, "%-7s", c)
		for _, n := range byCarrier[c][6:22] {
			fmt.Fprintf(&b, "%5d", n)
		}
		b.WriteString("\n")
	}
	t.Logf("deliveries by local hour, 06 to 21:\n%s", b.String())
	if total == 0 || out < total*9/10 {
		t.Fatalf("%d delivered, %d out for delivery first", total, out)
	}
	if float64(night) > 0.02*float64(total) {
		t.Errorf("%d of %d deliveries at night (before 07:00 or after 21:00)", night, total)
	}
	for c, h := range byCarrier {
		var n, round int
		for hour, k := range h {
			n += k
			if hour >= 9 && hour < 15 {
				round += k
			}
		}
		if float64(round) < 0.7*float64(n) {
			t.Errorf("%s: %d of %d deliveries between 09:00 and 15:00, want most", c, round, n)
		}
	}
	if outOfRound > 0 {
		t.Errorf("%d parcels delivered the day they went out went out outside 07:00–10:00", outOfRound)
	}
}
