package exceptions_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/exceptions"
	"github.com/parcelcast/parcelcast/schemas"
)

func TestDetect(t *testing.T) {
	m := testModel(t)
	// Tuesday 24 Nov 2026, 18:00 local; Thursday 26 Nov is Thanksgiving.
	tue := us(2026, 11, 24, 18)
	type want struct {
		typ    string
		opened time.Time // zero: not checked
		reason string    // a part of the reason
		detail string
	}
	cases := map[string]struct {
		sh    predict.Shipment
		now   time.Time
		model *model.Model
		want  []want
	}{
		"in transit, moving": {
			sh:  shipment(time.Time{}, scan{at: tue, status: schemas.StatusInTransit}),
			now: tue.Add(10 * time.Hour), model: m,
		},
		"stalled over working days": {
			// Tuesday 18:00 to Thursday 16:00 of a week without a holiday:
			// 6 + 24 + 16 = 46 working hours past a 20-hour p99.
			sh:  shipment(time.Time{}, scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit}),
			now: us(2026, 11, 19, 16), model: m,
			want: []want{{typ: exceptions.Stalled, opened: us(2026, 11, 18, 14),
				reason: "no scan for 46 hours; parcels at this point usually move within 20 hours"}},
		},
		"weekend is not a stall": {
			// Friday 18:00 to Monday 08:00: 62 hours, 14 of them working.
			sh:  shipment(time.Time{}, scan{at: us(2026, 11, 20, 18), status: schemas.StatusInTransit}),
			now: us(2026, 11, 23, 8), model: m,
		},
		"weekend counted out, then stalled": {
			// Friday 18:00 to Monday 16:00: 6 + 16 = 22 working hours.
			sh:  shipment(time.Time{}, scan{at: us(2026, 11, 20, 18), status: schemas.StatusInTransit}),
			now: us(2026, 11, 23, 16), model: m,
			want: []want{{typ: exceptions.Stalled, opened: us(2026, 11, 23, 14)}},
		},
		"holiday is not a stall": {
			// Wednesday 18:00 to Friday 08:00 over Thanksgiving: 14 working hours.
			sh:  shipment(time.Time{}, scan{at: us(2026, 11, 25, 18), status: schemas.StatusInTransit}),
			now: us(2026, 11, 27, 8), model: m,
		},
		"same hours without the holiday are a stall": {
			sh:  shipment(time.Time{}, scan{at: us(2026, 11, 18, 18), status: schemas.StatusInTransit}),
			now: us(2026, 11, 20, 8), model: m,
			want: []want{{typ: exceptions.Stalled}},
		},
		"a new scan resolves the stall": {
			sh: shipment(time.Time{}, scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit},
				scan{at: us(2026, 11, 19, 15), status: schemas.StatusInTransit}),
			now: us(2026, 11, 19, 16), model: m,
		},
		"lost after three times the threshold": {
			// Monday 09:00 to Thursday 23:00: 15 + 24 + 24 + 23 = 86 > 60.
			sh:  shipment(time.Time{}, scan{at: us(2026, 11, 16, 9), status: schemas.StatusInTransit}),
			now: us(2026, 11, 19, 23), model: m,
			want: []want{{typ: exceptions.Stalled, opened: us(2026, 11, 17, 5)},
				{typ: exceptions.Lost, opened: us(2026, 11, 18, 21), reason: "presumed lost"}},
		},
		"thin dwell cell takes the default": {
			// out_for_delivery has 3 dwell times: 72 hours, not its 8.
			sh:  shipment(time.Time{}, scan{at: us(2026, 11, 17, 8), status: schemas.StatusOutForDelivery}),
			now: us(2026, 11, 19, 8), model: m,
		},
		"no model takes the default": {
			sh:  shipment(time.Time{}, scan{at: us(2026, 11, 16, 8), status: schemas.StatusInTransit}),
			now: us(2026, 11, 19, 9),
			want: []want{{typ: exceptions.Stalled, opened: us(2026, 11, 19, 8),
				reason: "usually move within 3 days"}},
		},
		"late: the ETA is past the promise": {
			// The model expects delivery 24 hours after the scan; the
			// promise is 6 hours after it, more than the 12 hours of slack
			// before.
			sh:  shipment(tue.Add(6*time.Hour), scan{at: tue, status: schemas.StatusInTransit}),
			now: tue.Add(time.Hour), model: m,
			want: []want{{typ: exceptions.Late, opened: tue, reason: "expected on Wed 25 Nov, after the promised Wed 25 Nov"},
				// Six hours before the promise and not out for delivery:
				// behind the parcels that make it.
				{typ: exceptions.Stalled, opened: tue.Add(-5 * time.Hour), reason: "not out for delivery"}},
		},
		"within the slack: the ETA is 12 hours past the promise": {
			sh:  shipment(tue.Add(12*time.Hour), scan{at: tue, status: schemas.StatusInTransit}),
			now: tue.Add(time.Hour), model: m,
		},
		"on time: the ETA is before the promise": {
			sh:  shipment(tue.Add(48*time.Hour), scan{at: tue, status: schemas.StatusInTransit}),
			now: tue.Add(time.Hour), model: m,
		},
		"late: the promise passed undelivered": {
			sh:   shipment(tue.Add(2*time.Hour), scan{at: tue, status: schemas.StatusInTransit}),
			now:  tue.Add(3 * time.Hour),
			want: []want{{typ: exceptions.Late, opened: tue.Add(2 * time.Hour), reason: "has passed"}},
		},
		"delivered after the promise is no longer late": {
			sh: shipment(tue.Add(2*time.Hour), scan{at: tue, status: schemas.StatusInTransit},
				scan{at: tue.Add(5 * time.Hour), status: schemas.StatusDelivered}),
			now: tue.Add(100 * time.Hour), model: m,
		},
		"delivery failed": {
			sh: shipment(time.Time{}, scan{at: tue, status: schemas.StatusOutForDelivery},
				scan{at: tue.Add(3 * time.Hour), status: schemas.StatusDeliveryAttempted, detail: "recipient_unavailable"}),
			now: tue.Add(4 * time.Hour), model: m,
			want: []want{{typ: exceptions.DeliveryFailed, opened: tue.Add(3 * time.Hour), detail: "X1"}},
		},
		"attempt then delivery": {
			sh: shipment(time.Time{}, scan{at: tue, status: schemas.StatusDeliveryAttempted},
				scan{at: tue.Add(20 * time.Hour), status: schemas.StatusDelivered}),
			now: tue.Add(40 * time.Hour), model: m,
		},
		"address issue on an attempt": {
			sh:  shipment(time.Time{}, scan{at: tue, status: schemas.StatusDeliveryAttempted, detail: "address_issue"}),
			now: tue.Add(time.Hour), model: m,
			want: []want{{typ: exceptions.DeliveryFailed}, {typ: exceptions.AddressIssue, reason: "cannot deliver to the address"}},
		},
		"customs hold": {
			sh:   shipment(time.Time{}, scan{at: tue, status: schemas.StatusException, detail: "customs"}),
			now:  tue.Add(time.Hour),
			want: []want{{typ: exceptions.CustomsHold, opened: tue, reason: "held in customs since Tue 24 Nov"}},
		},
		"customs cleared": {
			sh: shipment(time.Time{}, scan{at: tue, status: schemas.StatusException, detail: "customs"},
				scan{at: tue.Add(5 * time.Hour), status: schemas.StatusInTransit}),
			now: tue.Add(6 * time.Hour), model: m,
		},
		"carrier exception with its detail": {
			sh:  shipment(time.Time{}, scan{at: tue, status: schemas.StatusException, detail: "damaged"}),
			now: tue.Add(time.Hour), model: m,
			want: []want{{typ: exceptions.CarrierException, reason: "the carrier reported an exception (damaged)", detail: "X1"}},
		},
		"declared lost by the carrier": {
			sh:  shipment(time.Time{}, scan{at: tue, status: schemas.StatusException, detail: "lost"}),
			now: tue.Add(time.Hour), model: m,
			want: []want{{typ: exceptions.Lost, reason: "reported the parcel lost"}},
		},
		"returned": {
			sh: shipment(tue.Add(time.Hour), scan{at: tue, status: schemas.StatusDeliveryAttempted},
				scan{at: tue.Add(50 * time.Hour), status: schemas.StatusReturnedToSender}),
			now: tue.Add(200 * time.Hour), model: m,
			want: []want{{typ: exceptions.Returned, opened: tue.Add(50 * time.Hour)}},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := exceptions.Config{}.Detect(&c.sh, exceptions.Inputs{Model: c.model, Now: c.now})
			if len(got) != len(c.want) {
				t.Fatalf("got %d findings %+v, want %d", len(got), got, len(c.want))
			}
			for i, w := range c.want {
				g := got[i]
				if g.Type != w.typ {
					t.Errorf("finding %d: type %s, want %s", i, g.Type, w.typ)
				}
				if !w.opened.IsZero() && !g.OpenedAt.Equal(w.opened) {
					t.Errorf("%s: opened %v, want %v", g.Type, g.OpenedAt, w.opened)
				}
				if !strings.Contains(g.Reason, w.reason) {
					t.Errorf("%s: reason %q, want it to contain %q", g.Type, g.Reason, w.reason)
				}
				if w.detail != "" && g.Detail != w.detail {
					t.Errorf("%s: detail %q, want %q", g.Type, g.Detail, w.detail)
				}
			}
		})
	}
}

// TestDetectLegAndSchedule covers the stall's two rules: the dwell of
// the last scan's leg (here a second in-transit scan, which usually waits
// longer than the carrier's in-transit scans together), and the
// out-for-delivery time of parcels that make their promise.
func TestDetectLegAndSchedule(t *testing.T) {
	m := testModel(t)
	promised := us(2026, 11, 19, 20) // Thursday
	arrived := scan{at: us(2026, 11, 18, 22), status: schemas.StatusArrivedAtFacility}
	cases := map[string]struct {
		sh     predict.Shipment
		now    time.Time
		typ    []string
		opened time.Time
		reason string
	}{
		"a leg that usually waits longer is not stalled": {
			// 6 + 24 + 4 = 34 working hours: past the carrier's 20, within
			// the leg's p99.7 (38 hours).
			sh: shipment(time.Time{}, scan{at: us(2026, 11, 17, 8), status: schemas.StatusInTransit},
				scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit}),
			now: us(2026, 11, 19, 4),
		},
		"the leg's threshold passed": {
			sh: shipment(time.Time{}, scan{at: us(2026, 11, 17, 8), status: schemas.StatusInTransit},
				scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit}),
			now: us(2026, 11, 19, 14),
			typ: []string{exceptions.Stalled}, reason: "usually move within 38 hours",
		},
		"the first scan of its status takes the carrier's cell": {
			sh:  shipment(time.Time{}, scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit}),
			now: us(2026, 11, 19, 4),
			typ: []string{exceptions.Stalled}, opened: us(2026, 11, 18, 14), reason: "usually move within 20 hours",
		},
		"not out for delivery on the promised morning": {
			sh:  shipment(promised, arrived),
			now: us(2026, 11, 19, 10),
			typ: []string{exceptions.Stalled}, opened: us(2026, 11, 19, 9),
			reason: "not out for delivery 11 hours before the promised Thu 19 Nov", // Thursday in Georgia, Friday in UTC
		},
		"before the promised morning": {
			sh:  shipment(promised, arrived),
			now: us(2026, 11, 19, 8),
		},
		"out for delivery on the promised morning": {
			sh:  shipment(promised, arrived, scan{at: us(2026, 11, 19, 8), status: schemas.StatusOutForDelivery}),
			now: us(2026, 11, 19, 10),
		},
		"an exception scan says why it waits": {
			sh:  shipment(promised, scan{at: arrived.at, status: schemas.StatusException, detail: "weather"}),
			now: us(2026, 11, 19, 10),
			typ: []string{exceptions.CarrierException},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := exceptions.Config{}.Detect(&c.sh, exceptions.Inputs{Model: m, Now: c.now})
			var types []string
			for _, f := range got {
				types = append(types, f.Type)
			}
			if strings.Join(types, ",") != strings.Join(c.typ, ",") {
				t.Fatalf("found %v (%+v), want %v", types, got, c.typ)
			}
			if len(got) == 0 {
				return
			}
			if !c.opened.IsZero() && !got[0].OpenedAt.Equal(c.opened) {
				t.Errorf("opened %v, want %v", got[0].OpenedAt, c.opened)
			}
			if !strings.Contains(got[0].Reason, c.reason) {
				t.Errorf("reason %q, want it to contain %q", got[0].Reason, c.reason)
			}
		})
	}
}

func TestWorkingSince(t *testing.T) {
	cases := map[string]struct {
		country  string
		from, to time.Time
		want     time.Duration
	}{
		"same day":              {"US", us(2026, 11, 17, 9), us(2026, 11, 17, 17), 8 * time.Hour},
		"over a weekend":        {"US", us(2026, 11, 20, 18), us(2026, 11, 23, 8), 14 * time.Hour},
		"inside a weekend":      {"US", us(2026, 11, 21, 9), us(2026, 11, 22, 20), 0},
		"over Thanksgiving":     {"US", us(2026, 11, 25, 18), us(2026, 11, 27, 8), 14 * time.Hour},
		"no calendar, weekdays": {"ZZ", us(2026, 11, 25, 18), us(2026, 11, 27, 8), 38 * time.Hour},
		"backwards":             {"US", us(2026, 11, 18, 9), us(2026, 11, 17, 9), 0},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := exceptions.WorkingSince(c.country, -300, c.from, c.to); got != c.want {
				t.Errorf("WorkingSince = %v, want %v", got, c.want)
			}
			if c.want > 0 {
				if back := exceptions.AddWorking(c.country, -300, c.from, c.want); back.After(c.to) {
					t.Errorf("AddWorking(%v) = %v, after %v", c.want, back, c.to)
				}
			}
		})
	}
}

func TestThreshold(t *testing.T) {
	m := testModel(t)
	cases := map[string]struct {
		cfg          exceptions.Config
		status       schemas.Status
		limit, usual time.Duration
	}{
		"p99":          {status: schemas.StatusInTransit, limit: 20 * time.Hour, usual: 20 * time.Hour},
		"p90":          {cfg: exceptions.Config{Quantile: 0.9}, status: schemas.StatusInTransit, limit: 12 * time.Hour, usual: 12 * time.Hour},
		"floor":        {cfg: exceptions.Config{Quantile: 0.5, Floor: 10 * time.Hour}, status: schemas.StatusInTransit, limit: 10 * time.Hour, usual: 5 * time.Hour},
		"thin cell":    {status: schemas.StatusOutForDelivery, limit: 72 * time.Hour, usual: 72 * time.Hour},
		"unknown cell": {status: schemas.StatusPickedUp, limit: 72 * time.Hour, usual: 72 * time.Hour},
		// Trusted, but three dwell times tell no tail: their median.
		"thin cell, trusted":         {cfg: exceptions.Config{MinSamples: 2}, status: schemas.StatusOutForDelivery, limit: 12 * time.Hour, usual: 4 * time.Hour},
		"thin cell, trusted, at p50": {cfg: exceptions.Config{MinSamples: 2, Quantile: 0.5, Floor: time.Hour}, status: schemas.StatusOutForDelivery, limit: 4 * time.Hour, usual: 4 * time.Hour},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			sh := shipment(time.Time{}, scan{at: us(2026, 11, 17, 8), status: c.status})
			limit, usual := c.cfg.Threshold(m, &sh.Journey, 0)
			if d := limit - c.limit; d < -time.Minute || d > time.Minute {
				t.Errorf("limit %v, want %v", limit, c.limit)
			}
			if d := usual - c.usual; d < -time.Minute || d > time.Minute {
				t.Errorf("usual %v, want %v", usual, c.usual)
			}
		})
	}
}

func TestTypes(t *testing.T) {
	all := []string{exceptions.Stalled, exceptions.Late, exceptions.DeliveryFailed, exceptions.Returned,
		exceptions.CustomsHold, exceptions.AddressIssue, exceptions.CarrierException, exceptions.Lost}
	if len(all) != len(exceptions.Types) {
		t.Fatalf("%d constants, %d types listed", len(all), len(exceptions.Types))
	}
	for _, typ := range all {
		if !exceptions.ValidType(typ) {
			t.Errorf("%s is not in the API's list", typ)
		}
	}
	if exceptions.ValidType("lost_in_space") {
		t.Error("an unknown type is valid")
	}
}
