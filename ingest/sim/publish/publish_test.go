package publish

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/feeds"
	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/schemas"
)

// feedParser is the parser of the named feed, as ingest would run it.
func feedParser(name string) (carrier.ParseFunc, error) {
	f, err := feeds.Lookup(name)
	return f.Parse, err
}

// TestFeedsOfCarriers checks where each simulated carrier is published:
// in a format of its own with CarrierFeeds, on one generic topic with
// GenericFeeds.
func TestFeedsOfCarriers(t *testing.T) {
	byCarrier := CarrierFeeds("p.")
	generic := GenericFeeds("one")
	for _, c := range append(sim.CarrierNames(), "") {
		f, ok := byCarrier[c]
		switch {
		case !ok && c != "":
			t.Errorf("carrier %s: no feed of its own", c)
		case !ok || f.Topic != "p."+f.Name || f.Parse == nil || f.Encode == nil:
			t.Errorf("carrier %q: feed %+v", c, f)
		case c == "" && f.Name != "generic", c != "" && f.Name == "generic":
			t.Errorf("carrier %q published in %s", c, f.Name)
		}
		if g := generic.of(c); g.Name != "generic" || g.Topic != "one" {
			t.Errorf("GenericFeeds: carrier %q on %s in %s", c, g.Topic, g.Name)
		}
	}
	if got, want := len(byCarrier), len(sim.CarrierNames())+1; got != want {
		t.Errorf("CarrierFeeds has %d entries, want %d", got, want)
	}
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
	var ships []sim.Shipment
	st, err := All(context.Background(), &rec, sim.New(sim.Config{Seed: 3, Shipments: 1500, ReuseRate: 0.02}), feeds,
		Options{BatchSize: 500, Each: func(s *sim.Shipment) { ships = append(ships, *s) }})
	if err != nil {
		t.Fatal(err)
	}
	if st.Scans != len(rec.msgs) || st.Records != len(rec.msgs) {
		t.Fatalf("stats say %d scans, %d messages written", st.Scans, len(rec.msgs))
	}
	want := map[string][]schemas.ScanEvent{}
	carriersSeen := map[string]bool{}
	reused := 0
	for _, s := range ships {
		// A reused number's shipments follow each other in time, as
		// their records do.
		if want[s.TrackingNumber] != nil {
			reused++
		}
		want[s.TrackingNumber] = append(want[s.TrackingNumber], s.Scans...)
		carriersSeen[s.Carrier] = true
	}
	if reused == 0 {
		t.Error("no number reused in the sample")
	}
	if len(carriersSeen) != len(sim.CarrierNames()) {
		t.Fatalf("carriers %v in the sample, want all %d", carriersSeen, len(sim.CarrierNames()))
	}
	topics := feeds.Topics()
	got := map[string][]schemas.ScanEvent{}
	for _, m := range rec.msgs {
		parse, err := feedParser(topics[m.Topic])
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
			if g.ShipmentKey != w.ShipmentKey {
				t.Errorf("%s scan %d: shipment key %q published, %q parsed", tn, i, w.ShipmentKey, g.ShipmentKey)
			}
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
	cfg := sim.Config{Seed: 8, Shipments: 3000}
	run := func() ([]kafka.Message, Stats) {
		var rec recorder
		st, err := All(context.Background(), &rec, sim.New(cfg), CarrierFeeds("raw."), Options{Noise: DefaultNoise})
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
		parse, _ := feedParser(topics[m.Topic])
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
// fake clock: the same records as All, written in time order, none
// before its time, and the ground truth of every shipment reported.
func TestReplay(t *testing.T) {
	cfg := sim.Config{Seed: 4, Shipments: 800, Days: 30}
	first, _ := sim.New(cfg).Next()
	var fast recorder
	want, err := All(context.Background(), &fast, sim.New(cfg), CarrierFeeds("raw."), Options{})
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
	got, err := Replay(context.Background(), w, sim.New(cfg), CarrierFeeds("raw."), Options{Each: func(*sim.Shipment) { shipments++ }}, speed, clock)
	if err != nil {
		t.Fatal(err)
	}
	if got.Records != want.Records || got.Scans != want.Scans || len(rec.msgs) != len(fast.msgs) || shipments != cfg.Shipments {
		t.Fatalf("replay wrote %d records (%d scans, %d shipments reported), All %d (%d)", got.Records, got.Scans, shipments, want.Records, want.Scans)
	}
	topics := CarrierFeeds("raw.").Topics()
	var prev time.Time
	for i, m := range rec.msgs {
		parse, _ := feedParser(topics[m.Topic])
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
