package sim

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/schemas"
	"github.com/parcelcast/parcelcast/schemas/trackno"
)

func all(cfg Config) []Shipment {
	g := New(cfg)
	var out []Shipment
	for {
		s, ok := g.Next()
		if !ok {
			return out
		}
		out = append(out, s)
	}
}

func TestDeterministic(t *testing.T) {
	cfg := Config{Seed: 42, Shipments: 300}
	a, b := all(cfg), all(cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different shipments")
	}
	c := all(Config{Seed: 43, Shipments: 300})
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds gave the same shipments")
	}
}

func TestJourneysAreConsistent(t *testing.T) {
	ships := all(Config{Seed: 7, Shipments: 4000})
	seen := map[string]bool{}
	var ground, air []float64
	for _, s := range ships {
		if seen[s.TrackingNumber] {
			t.Fatalf("tracking number %s used twice", s.TrackingNumber)
		}
		seen[s.TrackingNumber] = true
		if err := trackno.Check(s.Carrier, s.TrackingNumber); err != nil {
			t.Fatalf("%s: %v", s.TrackingNumber, err)
		}
		for i, e := range s.Scans {
			if err := e.Validate(); err != nil {
				t.Fatalf("%s scan %d: %v", s.TrackingNumber, i, err)
			}
			if i > 0 && e.EventTime.Before(s.Scans[i-1].EventTime) {
				t.Fatalf("%s: scan %d (%s) before scan %d", s.TrackingNumber, i, e.Status, i-1)
			}
		}
		if s.Scans[0].Status != schemas.StatusInfoReceived {
			t.Fatalf("%s: first scan %s", s.TrackingNumber, s.Scans[0].Status)
		}
		last := s.Scans[len(s.Scans)-1]
		switch s.Outcome {
		case Delivered:
			if last.Status != schemas.StatusDelivered || !last.EventTime.Equal(s.DeliveredAt) {
				t.Fatalf("%s: last scan %s at %s, truth %s", s.TrackingNumber, last.Status, last.EventTime, s.DeliveredAt)
			}
		case Returned:
			if last.Status != schemas.StatusReturnedToSender || !last.EventTime.Equal(s.EndedAt) || !s.DeliveredAt.IsZero() {
				t.Fatalf("%s: returned, but last scan %s at %s, ended %s", s.TrackingNumber, last.Status, last.EventTime, s.EndedAt)
			}
		case Lost:
			if last.Status.Terminal() || !s.DeliveredAt.IsZero() || len(s.Anomalies) == 0 || !s.Anomalies[len(s.Anomalies)-1].End.IsZero() {
				t.Fatalf("%s: lost, but last scan %s, anomalies %+v", s.TrackingNumber, last.Status, s.Anomalies)
			}
		default:
			t.Fatalf("%s: outcome %q", s.TrackingNumber, s.Outcome)
		}
		if s.Outcome != Delivered {
			continue
		}
		days := s.DeliveredAt.Sub(s.Scans[1].EventTime).Hours() / 24
		if days <= 0 || days > 16 {
			t.Fatalf("%s: %.1f days from pickup to delivery", s.TrackingNumber, days)
		}
		if last.Mode == "air" {
			air = append(air, days)
		} else {
			ground = append(ground, days)
		}
	}
	if mean(air) >= mean(ground) {
		t.Errorf("air services (%.2f days) not faster than ground (%.2f days)", mean(air), mean(ground))
	}
}

// Carriers do not deliver on Sundays or their holidays; a customer may
// collect a held parcel any day.
func TestNoDeliveryOnClosedDays(t *testing.T) {
	thanksgiving := date{2026, time.November, 26}
	veterans := date{2026, time.November, 11}
	var upsOnVeterans, uspsOnVeterans int
	for _, s := range all(Config{Seed: 9, Shipments: 6000, Start: time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC), Days: 50}) {
		for i, e := range s.Scans {
			if e.Status != schemas.StatusDelivered || s.Scans[i-1].Status == schemas.StatusAvailableForPickup {
				continue
			}
			local := e.EventTime.In(time.FixedZone("", e.UTCOffsetMinutes*60))
			if local.Weekday() == time.Sunday || dateOf(local) == thanksgiving {
				t.Fatalf("%s (%s) delivered on %s", s.TrackingNumber, s.Carrier, local.Format("Mon 2006-01-02"))
			}
			if dateOf(local) == veterans {
				switch s.Carrier {
				case "ups":
					upsOnVeterans++
				case "usps":
					uspsOnVeterans++
				}
			}
		}
	}
	if uspsOnVeterans != 0 || upsOnVeterans == 0 {
		t.Errorf("Veterans Day deliveries: usps %d (want 0, a federal holiday), ups %d (want some)", uspsOnVeterans, upsOnVeterans)
	}
}

// The outcome and anomaly rates are those configured, within sampling error.
func TestRates(t *testing.T) {
	const n = 20000
	cfg := Config{Seed: 11, Shipments: n, Days: 60}
	count := map[string]int{}
	for _, s := range all(cfg) {
		count["outcome:"+string(s.Outcome)]++
		for _, a := range s.Anomalies {
			count[a.Cause]++
		}
		for _, e := range s.Scans {
			if e.Status == schemas.StatusAvailableForPickup {
				count["held"]++
			}
		}
	}
	r := DefaultRates
	within := func(name string, got int, want float64) {
		t.Helper()
		sd := math.Sqrt(want * (1 - want) / n)
		if share := float64(got) / n; math.Abs(share-want) > 4*sd+0.001 {
			t.Errorf("%s: %.4f of shipments, want %.4f", name, share, want)
		}
	}
	within("lost", count["outcome:lost"], r.LostRate)
	within("returned", count["outcome:returned"], r.ReturnRate+0.4*r.AddressRate)
	within("damaged", count["damaged"], r.DamageRate)
	within("held", count["held"], r.HoldRate)
	if count["weather"] == 0 || count["missed_connection"] == 0 {
		t.Errorf("no weather disruption or missed connection in %d shipments: %v", n, count)
	}
}

// Label volume and transit time rise in the peak season.
func TestPeakSeason(t *testing.T) {
	ships := all(Config{Seed: 5, Shipments: 20000, Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Days: 84})
	labels := map[time.Month]int{}
	transit := map[time.Month][]float64{}
	for _, s := range ships {
		m := s.LabelTime.Month()
		labels[m]++
		if s.Outcome == Delivered && s.Service == "ground" {
			transit[m] = append(transit[m], s.DeliveredAt.Sub(s.LabelTime).Hours()/24)
		}
	}
	// October has 31 days, December's first 24 are in the sample.
	if perDayOct, perDayDec := float64(labels[time.October])/31, float64(labels[time.December])/24; perDayDec < 1.5*perDayOct {
		t.Errorf("labels per day: October %.0f, December %.0f; want the peak well above", perDayOct, perDayDec)
	}
	if mean(transit[time.December]) <= mean(transit[time.October]) {
		t.Errorf("ground transit: October %.2f days, December %.2f; want December slower", mean(transit[time.October]), mean(transit[time.December]))
	}
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// recorder keeps published messages.
type recorder struct{ msgs []kafka.Message }

func (r *recorder) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	r.msgs = append(r.msgs, msgs...)
	return nil
}

// TestCarrierFormats publishes in every carrier's own format and parses the
// records back with the ingest feeds: every scan comes back once, with the
// status, instant and offset the simulator gave it.
func TestCarrierFormats(t *testing.T) {
	feeds := CarrierFeeds("raw.")
	var rec recorder
	var ships []Shipment
	st, err := Publish(context.Background(), &rec, New(Config{Seed: 3, Shipments: 1500}), feeds,
		Options{BatchSize: 500, Each: func(s *Shipment) { ships = append(ships, *s) }})
	if err != nil {
		t.Fatal(err)
	}
	if st.Scans != len(rec.msgs) || st.Records != len(rec.msgs) {
		t.Fatalf("stats say %d scans, %d messages written", st.Scans, len(rec.msgs))
	}
	want := map[string][]schemas.ScanEvent{}
	carriersSeen := map[string]bool{}
	for _, s := range ships {
		want[s.TrackingNumber] = s.Scans
		carriersSeen[s.Carrier] = true
	}
	if len(carriersSeen) != len(carriers) {
		t.Fatalf("carriers %v in the sample, want all %d", carriersSeen, len(carriers))
	}
	topics := feeds.Topics()
	got := map[string][]schemas.ScanEvent{}
	for _, m := range rec.msgs {
		parse, err := ingest.Feed(topics[m.Topic])
		if err != nil {
			t.Fatal(err)
		}
		events, err := parse(m.Value)
		if err != nil || len(events) != 1 {
			t.Fatalf("%s record of %s: %d events, %v\n%s", m.Topic, m.Key, len(events), err, m.Value)
		}
		got[string(m.Key)] = append(got[string(m.Key)], events[0])
	}
	for tn, scans := range want {
		back := got[tn]
		if len(back) != len(scans) {
			t.Fatalf("%s: %d scans published, %d parsed", tn, len(scans), len(back))
		}
		for i := range scans {
			w, g := scans[i], back[i]
			if g.Status != w.Status || !g.EventTime.Equal(w.EventTime) || g.UTCOffsetMinutes != w.UTCOffsetMinutes || g.Carrier != w.Carrier {
				t.Errorf("%s scan %d: published %s %s %+d %s, parsed %s %s %+d %s", tn, i,
					w.Status, w.EventTime, w.UTCOffsetMinutes, w.Carrier, g.Status, g.EventTime, g.UTCOffsetMinutes, g.Carrier)
			}
			// EDI 214 carries no service level.
			if g.Service != w.Service && w.Carrier != "ontrac" {
				t.Errorf("%s scan %d: service %q published, %q parsed", tn, i, w.Service, g.Service)
			}
		}
	}
}

// TestNoise checks the feed noise: the same config writes byte-identical
// records; the rates are as configured; what ingest would keep (distinct
// event ids of well-formed records) is exactly Stats.Scans, and the
// malformed records are exactly the ones that fail to parse.
func TestNoise(t *testing.T) {
	cfg := Config{Seed: 8, Shipments: 3000}
	run := func() ([]kafka.Message, Stats) {
		var rec recorder
		st, err := Publish(context.Background(), &rec, New(cfg), CarrierFeeds("raw."), Options{Noise: DefaultNoise})
		if err != nil {
			t.Fatal(err)
		}
		return rec.msgs, st
	}
	a, st := run()
	b, _ := run()
	if len(a) != len(b) {
		t.Fatalf("same seed: %d then %d records", len(a), len(b))
	}
	for i := range a {
		if a[i].Topic != b[i].Topic || string(a[i].Key) != string(b[i].Key) || string(a[i].Value) != string(b[i].Value) {
			t.Fatalf("same seed: record %d differs", i)
		}
	}
	if st.Records != len(a) {
		t.Fatalf("Stats.Records %d, %d written", st.Records, len(a))
	}
	topics := CarrierFeeds("raw.").Topics()
	ids := map[string]bool{}
	failed := 0
	for _, m := range a {
		parse, _ := ingest.Feed(topics[m.Topic])
		events, err := parse(m.Value)
		if err != nil {
			failed++
			continue
		}
		for _, e := range events {
			ids[e.EventID] = true
		}
	}
	if len(ids) != st.Scans || failed != st.Malformed {
		t.Errorf("distinct scans %d (stats %d), unparseable records %d (stats %d)", len(ids), st.Scans, failed, st.Malformed)
	}
	scans := st.Scans + st.Malformed + st.Gaps
	within := func(name string, got int, rate float64) {
		t.Helper()
		want := rate * float64(scans)
		if math.Abs(float64(got)-want) > 4*math.Sqrt(want)+2 {
			t.Errorf("%s: %d, want about %.0f", name, got, want)
		}
	}
	within("duplicates", st.Duplicates, DefaultNoise.Duplicate)
	within("skewed", st.Skewed, DefaultNoise.Skew)
	within("malformed", st.Malformed, DefaultNoise.Malformed)
	if st.Gaps == 0 || st.Reordered == 0 {
		t.Errorf("no gaps or reordering: %+v", st)
	}
}

// fakeClock advances only when slept on.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time                           { return c.now }
func (c *fakeClock) Sleep(_ context.Context, d time.Duration) { c.now = c.now.Add(d) }

// TestReplay runs a month of shipments at a day per simulated second on a
// fake clock: the same records as Publish, written in time order, none
// before its time, and the ground truth of every shipment reported.
func TestReplay(t *testing.T) {
	cfg := Config{Seed: 4, Shipments: 800, Days: 30}
	first, _ := New(cfg).Next()
	var fast recorder
	want, err := Publish(context.Background(), &fast, New(cfg), CarrierFeeds("raw."), Options{})
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	wallStart := clock.now
	const speed = 86400.0
	var rec recorder
	var sent []time.Time // simulated time of each write
	w := writerFunc(func(msgs ...kafka.Message) {
		simNow := first.LabelTime.Add(time.Duration(float64(clock.now.Sub(wallStart)) * speed))
		for range msgs {
			sent = append(sent, simNow)
		}
		rec.msgs = append(rec.msgs, msgs...)
	})
	shipments := 0
	got, err := Replay(context.Background(), w, New(cfg), CarrierFeeds("raw."), Options{Each: func(*Shipment) { shipments++ }}, speed, clock)
	if err != nil {
		t.Fatal(err)
	}
	if got.Records != want.Records || got.Scans != want.Scans || len(rec.msgs) != len(fast.msgs) || shipments != cfg.Shipments {
		t.Fatalf("replay wrote %d records (%d scans, %d shipments reported), Publish %d (%d)", got.Records, got.Scans, shipments, want.Records, want.Scans)
	}
	topics := CarrierFeeds("raw.").Topics()
	var prev time.Time
	for i, m := range rec.msgs {
		parse, _ := ingest.Feed(topics[m.Topic])
		events, err := parse(m.Value)
		if err != nil || len(events) != 1 {
			t.Fatalf("record %d: %v", i, err)
		}
		at := events[0].EventTime
		if at.Before(prev) {
			t.Fatalf("record %d at %s written after one at %s", i, at, prev)
		}
		prev = at
		if at.After(sent[i]) {
			t.Fatalf("record %d (scan at %s) written early, at simulated %s", i, at, sent[i])
		}
	}
	if elapsed := clock.now.Sub(wallStart); elapsed < 25*time.Second || elapsed > 2*time.Minute {
		t.Errorf("a month at a day a second took %s of (fake) wall time", elapsed)
	}
}

type writerFunc func(msgs ...kafka.Message)

func (f writerFunc) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	f(msgs...)
	return nil
}

// TestTransitMatchesStandards checks simulated transit, in business days
// from pickup to delivery, against each carrier's published standard: the
// median inside the standard, the 90th percentile at most two days past
// its end (delays, Alaska and Hawaii).
func TestTransitMatchesStandards(t *testing.T) {
	for _, r := range TransitTable(New(Config{Seed: 1, Shipments: 30000, Days: 365})) {
		t.Logf("| %s | %s | %d–%d | %d | %.0f | %.0f | %.0f | %.1f | %.1f |", r.Carrier, r.Service, r.Standard[0], r.Standard[1],
			r.Shipments, r.P10, r.P50, r.P90, r.DaysP50, r.DaysP90)
		if r.P50 < float64(r.Standard[0]) || r.P50 > float64(r.Standard[1]) || r.P90 > float64(r.Standard[1]+2) {
			t.Errorf("%s %s: p50 %.0f, p90 %.0f business days; published %d–%d", r.Carrier, r.Service, r.P50, r.P90, r.Standard[0], r.Standard[1])
		}
	}
}
