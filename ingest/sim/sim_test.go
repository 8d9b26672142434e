package sim

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/schemas"
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
	ships := all(Config{Seed: 7, Shipments: 2000})
	seen := map[string]bool{}
	var ground, air []float64
	for _, s := range ships {
		if seen[s.TrackingNumber] {
			t.Fatalf("tracking number %s used twice", s.TrackingNumber)
		}
		seen[s.TrackingNumber] = true
		if err := schemas.CheckTrackingNumber(s.TrackingNumber); err != nil {
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
		last := s.Scans[len(s.Scans)-1]
		if last.Status != schemas.StatusDelivered || !last.EventTime.Equal(s.DeliveredAt) {
			t.Fatalf("%s: last scan %s at %s, truth %s", s.TrackingNumber, last.Status, last.EventTime, s.DeliveredAt)
		}
		if s.Scans[0].Status != schemas.StatusInfoReceived {
			t.Fatalf("%s: first scan %s", s.TrackingNumber, s.Scans[0].Status)
		}
		days := s.DeliveredAt.Sub(s.Scans[1].EventTime).Hours() / 24
		if days <= 0 || days > 14 {
			t.Fatalf("%s: %.1f days from pickup to delivery", s.TrackingNumber, days)
		}
		if s.Scans[len(s.Scans)-1].Mode == "air" {
			air = append(air, days)
		} else {
			ground = append(ground, days)
		}
	}
	if mean(air) >= mean(ground) {
		t.Errorf("air services (%.2f days) not faster than ground (%.2f days)", mean(air), mean(ground))
	}
}

func TestNoDeliveryOnSunday(t *testing.T) {
	for _, s := range all(Config{Seed: 9, Shipments: 2000}) {
		last := s.Scans[len(s.Scans)-1]
		local := last.EventTime.In(time.FixedZone("", last.UTCOffsetMinutes*60))
		if local.Weekday() == time.Sunday {
			t.Fatalf("%s delivered on a Sunday (%s)", s.TrackingNumber, local)
		}
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
	st, err := Publish(context.Background(), &rec, New(Config{Seed: 3, Shipments: 1500}), feeds, 500, func(s *Shipment) { ships = append(ships, *s) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Scans != len(rec.msgs) {
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
