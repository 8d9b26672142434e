package chstore_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// viewScan is a scan of a test journey: its time from the journey's start.
type viewScan struct {
	at     time.Duration
	status schemas.Status
}

// viewEvents returns the canonical events of scans under one carrier,
// number and shipment key, the first at start.
func viewEvents(carrier, number, key string, start time.Time, scans []viewScan) []schemas.ScanEvent {
	var out []schemas.ScanEvent
	for _, s := range scans {
		e := schemas.ScanEvent{TrackingNumber: number, Carrier: carrier, ShipmentKey: key, Service: "ground",
			Status: s.status, EventTime: start.Add(s.at), UTCOffsetMinutes: -300,
			Origin:      schemas.Location{Region: "NY", Country: "US"},
			Destination: schemas.Location{Region: "IL", Country: "US"},
			Location:    schemas.Location{City: "Albany", Region: "NY", Country: "US"},
		}
		e.EventID = schemas.ComputeEventID(&e)
		out = append(out, e, e) // twice: the views see each scan once
	}
	return out
}

// The analysts' views have one row per journey: a number delivered and
// then labelled again, a number silent for over model.JourneyGap and then
// picked up, and two FedEx shipment keys under one number are two rows
// each, with each journey's own pickup, delivery and transit; a number
// with one shipment is one row. lane_weekly and on_time_by_carrier count
// the journeys.
func TestViewsByJourney(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	trip := []viewScan{{0, schemas.StatusInfoReceived}, {day, schemas.StatusPickedUp},
		{2 * day, schemas.StatusInTransit}, {3 * day, schemas.StatusDelivered}}
	type part struct {
		key   string
		start time.Duration
		scans []viewScan
	}
	// row is a journey's row of shipments: pickup and delivery from t0,
	// -1 for none, and its transit in hours, -1 when it is not in transits.
	type row struct {
		key               string
		journey           uint32
		pickup, delivered time.Duration
		scans             uint64
		transitHours      float64
	}
	cases := []struct {
		name, carrier, number string
		parts                 []part
		want                  []row
	}{
		{name: "delivered, then a new label nine days later", carrier: "ups", number: "1Z999AA10123456784",
			parts: []part{{"", 0, trip}, {"", 12 * day, append(slices.Clone(trip[:3]), viewScan{4 * day, schemas.StatusDelivered})}},
			want:  []row{{"", 1, day, 3 * day, 4, 48}, {"", 2, 13 * day, 16 * day, 4, 72}}},
		{name: "never delivered, then a pickup after 41 days of silence", carrier: "usps", number: "9400100000000000000000",
			parts: []part{{"", 0, trip[:3]}, {"", 43 * day, trip[1:]}},
			want:  []row{{"", 1, day, -1, 3, -1}, {"", 2, 44 * day, 46 * day, 3, 48}}},
		{name: "two FedEx shipment keys at once", carrier: "fedex", number: "799531274483",
			parts: []part{{"2460~799531274483~FDEG", 0, trip}, {"2461~799531274483~FDEG", 0, trip[1:]}},
			want:  []row{{"2460~799531274483~FDEG", 1, day, 3 * day, 4, 48}, {"2461~799531274483~FDEG", 1, day, 3 * day, 3, 48}}},
		{name: "one shipment", carrier: "ups", number: "1Z999AA10123456793",
			parts: []part{{"", 5 * day, trip}},
			want:  []row{{"", 1, 6 * day, 8 * day, 4, 48}}},
		// Ties go in the statuses' journey order, so the pickup is not a
		// new journey after the delivery.
		{name: "a pickup and a delivery in the same second", carrier: "usps", number: "9400100000000000000017",
			parts: []part{{"", 0, []viewScan{{0, schemas.StatusInfoReceived}, {day, schemas.StatusDelivered}, {day, schemas.StatusPickedUp}}}},
			want:  []row{{"", 1, day, day, 3, 0}}},
	}
	var events []schemas.ScanEvent
	for _, c := range cases {
		for _, p := range c.parts {
			events = append(events, viewEvents(c.carrier, c.number, p.key, t0.Add(p.start), p.scans)...)
		}
	}
	if err := chstore.NewScanWriter(db).WriteEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	offset := func(unix int64) time.Duration {
		if unix == 0 {
			return -1
		}
		return time.Unix(unix, 0).Sub(t0)
	}
	var journeys, delivered uint64
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := db.Conn().Query(ctx, `SELECT shipment_key, journey, toInt64(toUnixTimestamp(picked_up_at)),
				toInt64(toUnixTimestamp(delivered_at)), scans, carrier
			FROM shipments WHERE tracking_number = ? ORDER BY shipment_key, journey`, c.number)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []row
			for rows.Next() {
				var r row
				var pickup, at int64
				var carrier string
				if err := rows.Scan(&r.key, &r.journey, &pickup, &at, &r.scans, &carrier); err != nil {
					t.Fatal(err)
				}
				if carrier != c.carrier {
					t.Errorf("carrier %q, want %q", carrier, c.carrier)
				}
				r.pickup, r.delivered, r.transitHours = offset(pickup), offset(at), -1
				got = append(got, r)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			trows, err := db.Conn().Query(ctx, `SELECT shipment_key, journey, transit_hours FROM transits
				WHERE tracking_number = ?`, c.number)
			if err != nil {
				t.Fatal(err)
			}
			defer trows.Close()
			for trows.Next() {
				var key string
				var journey uint32
				var hours float64
				if err := trows.Scan(&key, &journey, &hours); err != nil {
					t.Fatal(err)
				}
				i := slices.IndexFunc(got, func(r row) bool { return r.key == key && r.journey == journey })
				if i < 0 {
					t.Fatalf("transits has journey %s/%d, shipments does not", key, journey)
				}
				got[i].transitHours = hours
			}
			if err := trows.Err(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("journeys\n got %v\nwant %v", got, c.want)
			}
		})
		for _, w := range c.want {
			journeys++
			if w.transitHours >= 0 {
				delivered++
			}
		}
	}
	per, err := db.JourneysPerNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if per[c.number] != uint64(len(c.want)) {
			t.Errorf("JourneysPerNumber of %s: %d, want %d", c.number, per[c.number], len(c.want))
		}
	}
	// History sorts ties as the view does.
	if j, ok, err := chstore.NewHistory(db).Journey(ctx, "9400100000000000000017"); err != nil || !ok || len(j.Scans) != 3 {
		t.Errorf("History's journey of a pickup and a delivery in one second: %v (%v, %v), want its 3 scans", j.Scans, ok, err)
	}
	// TransitOf reads the latest delivered journey of a reused number.
	if tr, err := db.TransitOf(ctx, "1Z999AA10123456784"); err != nil || tr.Hours != 72 {
		t.Errorf("TransitOf a reused number: %v h (%v), want the second journey's 72 h", tr.Hours, err)
	}
	for _, q := range []struct {
		sql  string
		want uint64
	}{
		{"SELECT count() FROM shipments", journeys},
		{"SELECT count() FROM transits", delivered},
		{"SELECT sum(shipments) FROM lane_weekly", delivered},
		{"SELECT sum(delivered) FROM on_time_by_carrier", delivered},
		{"SELECT sum(delivered) FROM on_time_by_carrier WHERE carrier = 'ups'", 3},
		{"SELECT sum(shipments) FROM lane_weekly WHERE carrier = 'fedex'", 2},
	} {
		var n uint64
		if err := db.Conn().QueryRow(ctx, q.sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != q.want {
			t.Errorf("%s: %d, want %d", q.sql, n, q.want)
		}
	}
}

// The view splits journeys by model.StartsJourney: on random scans under
// many numbers, with silences just under, at and just over
// model.JourneyGap and ties in time, every number has the journeys
// model.JourneyStarts gives, with the same scans each. The gap is written
// in the migration as seconds: this fails if it and model.JourneyGap
// differ.
func TestViewsJourneyRule(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	rng := rand.New(rand.NewPCG(19, 7))
	statuses := []schemas.Status{schemas.StatusInfoReceived, schemas.StatusPickedUp, schemas.StatusInTransit,
		schemas.StatusOutForDelivery, schemas.StatusDelivered}
	gaps := []time.Duration{0, time.Second, time.Hour, 3 * 24 * time.Hour,
		model.JourneyGap - time.Second, model.JourneyGap, model.JourneyGap + time.Second, 45 * 24 * time.Hour}
	t0 := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	want := map[string][]uint64{} // scans of each journey of a number
	var events []schemas.ScanEvent
	for n := range 400 {
		number := fmt.Sprintf("RULE%08d", n)
		var scans []model.Scan
		at := t0
		for range 2 + rng.IntN(10) {
			at = at.Add(gaps[rng.IntN(len(gaps))])
			s := model.Scan{Time: at, Status: statuses[rng.IntN(len(statuses))]}
			if slices.ContainsFunc(scans, func(p model.Scan) bool { return p == s }) {
				continue // the same scan twice is one scan
			}
			scans = append(scans, s)
		}
		// History's order: by time, ties in the statuses' journey order.
		slices.SortStableFunc(scans, func(a, b model.Scan) int {
			return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Status.Ordinal(), b.Status.Ordinal()))
		})
		starts := append(model.JourneyStarts(nil, scans), len(scans))
		for i := 0; i+1 < len(starts); i++ {
			want[number] = append(want[number], uint64(starts[i+1]-starts[i]))
		}
		var vs []viewScan
		for _, s := range scans {
			vs = append(vs, viewScan{s.Time.Sub(t0), s.Status})
		}
		events = append(events, viewEvents("usps", number, "", t0, vs)...)
	}
	if err := chstore.NewScanWriter(db).WriteEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Conn().Query(ctx, "SELECT tracking_number, journey, scans FROM shipments ORDER BY tracking_number, journey")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string][]uint64{}
	for rows.Next() {
		var number string
		var journey uint32
		var scans uint64
		if err := rows.Scan(&number, &journey, &scans); err != nil {
			t.Fatal(err)
		}
		if journey != uint32(len(got[number])+1) {
			t.Fatalf("%s: journey %d after %d journeys", number, journey, len(got[number]))
		}
		got[number] = append(got[number], scans)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var split int
	for number, w := range want {
		if len(w) > 1 {
			split++
		}
		if !slices.Equal(got[number], w) {
			t.Errorf("%s: journeys of %v scans, model.JourneyStarts %v", number, got[number], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("shipments has %d numbers, want %d", len(got), len(want))
	}
	if split == 0 || split == len(want) {
		t.Fatalf("%d of %d numbers hold several journeys: the test checks nothing", split, len(want))
	}
}

// On a simulated history with reused numbers, transits holds the
// delivered journeys of chstore.History, each with its transit, and the
// simulation's delivered shipments.
func TestViewsAgreeWithHistory(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	g := sim.New(sim.Config{Seed: 11, Shipments: 1500, ReuseRate: 0.05})
	var events []schemas.ScanEvent
	numbers := map[string]bool{}
	var shipments, truthDelivered int
	for {
		s, ok := g.Next()
		if !ok {
			break
		}
		shipments++
		numbers[s.Carrier+"|"+s.TrackingNumber+"|"+s.ShipmentKey] = true
		if s.Outcome == sim.Delivered {
			truthDelivered++
		}
		for _, e := range s.Scans {
			e.EventID = schemas.ComputeEventID(&e)
			events = append(events, e)
		}
	}
	if len(numbers) == shipments {
		t.Fatal("the simulation reused no number")
	}
	if err := chstore.NewScanWriter(db).WriteEvents(ctx, events); err != nil {
		t.Fatal(err)
	}

	// History's delivered journeys, each number's in time order, with the
	// hours from the first pickup to the delivery.
	history := map[string][]float64{}
	var delivered int
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	err := chstore.NewHistory(db).Delivered(ctx, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), far, far, func(j *model.Journey) error {
		at, _ := j.DeliveredAt()
		i := slices.IndexFunc(j.Scans, func(s model.Scan) bool { return s.Status == schemas.StatusPickedUp })
		if i < 0 {
			return fmt.Errorf("%s: delivered journey without a pickup", j.TrackingNumber)
		}
		k := j.Carrier + "|" + j.TrackingNumber + "|" + j.ShipmentKey
		history[k] = append(history[k], at.Sub(j.Scans[i].Time).Hours())
		delivered++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Delivered streams each number's journeys oldest first.
	rows, err := db.Conn().Query(ctx, "SELECT carrier, tracking_number, shipment_key, journey, transit_hours FROM transits ORDER BY carrier, tracking_number, shipment_key, journey")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	view := map[string][]float64{}
	var transits, reused int
	for rows.Next() {
		var carrier, number, key string
		var journey uint32
		var hours float64
		if err := rows.Scan(&carrier, &number, &key, &journey, &hours); err != nil {
			t.Fatal(err)
		}
		k := carrier + "|" + number + "|" + key
		view[k] = append(view[k], hours)
		transits++
		if journey > 1 {
			reused++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if transits != delivered || transits != truthDelivered {
		t.Errorf("transits has %d journeys, History %d delivered, the simulation %d", transits, delivered, truthDelivered)
	}
	if reused == 0 {
		t.Error("no number delivered twice in transits")
	}
	for k, hs := range history {
		v := view[k]
		if len(v) != len(hs) {
			t.Errorf("%s: transits %v h, History %v h", k, v, hs)
			continue
		}
		for i := range hs {
			if d := v[i] - hs[i]; d < -0.02 || d > 0.02 {
				t.Errorf("%s journey %d: transit %.2f h, History %.2f h", k, i+1, v[i], hs[i])
			}
		}
	}
}
