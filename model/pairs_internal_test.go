package model

import (
	"math"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// TestAreaPairsFindsSlowPairAndShrinksSparse plants a slow postal pair of
// many shipments and a slow one of a single shipment among ordinary pairs
// of one region pair: the first gets most of its excess, the second
// shrinks onto its region pair, and the excess is over each carrier's
// service, so a slow service on every pair moves no pair.
func TestAreaPairsFindsSlowPairAndShrinksSparse(t *testing.T) {
	ps := pairSums{}
	path := func(region, prefix string) AreaPath { return AreaPath{"US", region, region + ":" + prefix} }
	add := func(cs string, o, d AreaPath, n int, mean float64) {
		for i := range n {
			ps.add(cs, &o, &d, mean+0.5*math.Sin(float64(i)), [2]float64{}, false)
		}
	}
	base := math.Log1p(48)
	for _, cs := range []string{"ups|ground", "fedex|ground"} {
		slowService := 0.0
		if cs == "fedex|ground" {
			slowService = 0.7 // slower everywhere: not a pair's doing
		}
		for i, pre := range []string{"100", "101", "102", "103", "104", "105"} {
			add(cs, path("US1", pre), path("US9", "900"), 100, base+slowService+0.02*float64(i%2))
		}
		add(cs, path("US1", "110"), path("US9", "900"), 100, base+slowService+0.6) // slow, well seen
		add(cs, path("US1", "120"), path("US9", "900"), 1, base+slowService+0.6)   // slow, seen once
		add(cs, path("US6", "600"), path("US9", "900"), 100, base+slowService-0.3) // another region pair, faster
	}
	p := ps.learn()
	at := func(o, d AreaPath) float64 { return p.of(pairAll, &o, &d) }
	region := at(AreaPath{"US", "US1", "US1"}, AreaPath{"US", "US9", "US9"})
	for _, c := range []struct {
		name     string
		o        AreaPath
		min, max float64
	}{
		{"slow pair of 100 shipments each", path("US1", "110"), region + 0.4, region + 0.6},
		{"ordinary pair", path("US1", "101"), region - 0.15, region + 0.05},
		{"a pair never seen: its region pair's", path("US1", "199"), region, region},
	} {
		if got := at(c.o, path("US9", "900")); got < c.min || got > c.max {
			t.Errorf("%s: %.3f, want %.3f to %.3f (region pair %.3f)", c.name, got, c.min, c.max, region)
		}
	}
	// One shipment as slow as the well-seen pair's: pulled more than half
	// the way back to its region pair.
	seen, once := at(path("US1", "110"), path("US9", "900"))-region, at(path("US1", "120"), path("US9", "900"))-region
	if once < 0 || once > seen/2 {
		t.Errorf("slow pair of one shipment: %.3f above its region pair, want under half the well-seen one's %.3f", once, seen)
	}
	faster := at(AreaPath{"US", "US6", "US6"}, AreaPath{"US", "US9", "US9"})
	if faster > region-0.2 {
		t.Errorf("faster region pair %.3f, want well below %.3f", faster, region)
	}
	// The service group pools one service over carriers: ground here.
	o, d := path("US1", "110"), path("US9", "900")
	if g := p.of(pairService("ups|ground"), &o, &d); math.Abs(g-at(o, d)) > 0.05 {
		t.Errorf("ground's pair %.3f, every service's %.3f: one service here, want them equal", g, at(o, d))
	}
}

// TestHoursToLaneDate dates a lane: the end of the n-th working day after
// the start, Saturdays counted only for a carrier that delivers on them,
// the label's day before the carrier has the parcel.
func TestHoursToLaneDate(t *testing.T) {
	us := calendarOf("US")
	ny := time.FixedZone("", -4*3600)
	fri := time.Date(2026, 6, 5, 18, 0, 0, 0, ny) // a Friday
	snap := func(at time.Time, started bool, elapsed float64) *Snapshot {
		s := &Snapshot{At: at.UTC(), OffsetMinutes: -240, ElapsedHours: elapsed, Started: started}
		if started {
			s.StartDay = localCivilDay(at, -240)
		}
		return s
	}
	for _, c := range []struct {
		name string
		s    *Snapshot
		days float64
		sat  bool
		want float64
	}{
		{"same day", snap(fri, true, 1), 0, false, 6},
		{"one working day from Friday: Monday's end", snap(fri, true, 1), 1, false, 6 + 72},
		{"one working day with Saturdays: Saturday's end", snap(fri, true, 1), 1, true, 6 + 24},
		{"half a day: halfway to Monday's end", snap(fri, true, 1), 0.5, false, 6 + 36},
		{"Independence Day observed (Friday 2026-07-03) is no working day", snap(time.Date(2026, 7, 2, 18, 0, 0, 0, ny), true, 1), 1, false, 6 + 96},
		{"passed", snap(fri.Add(30*time.Hour), false, 30), 0, false, -24},
		{"not started: from the label's day", snap(fri.Add(30*time.Hour), false, 30), 1, false, 6 + 72 - 30},
	} {
		if got := hoursToLaneDate(c.s, us, c.days, c.sat); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: %.2f h, want %.2f", c.name, got, c.want)
		}
	}
}

// TestLabelDelayLearnsCutoff learns that labels after 15:00 are picked up
// the next working day, and shrinks a thin carrier's slot toward every
// carrier's.
func TestLabelDelayLearnsCutoff(t *testing.T) {
	ls := labelSums{}
	us := calendarOf("US")
	tue := time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC) // a Tuesday, offset 0
	for i := range 400 {
		h := 8 + i%12 // 08:00 to 19:00
		label := tue.Add(time.Duration(h) * time.Hour)
		pick := label.Add(2 * time.Hour)
		if h >= 15 {
			pick = label.Add(24 * time.Hour)
		}
		carrier := "ups"
		if i%100 == 0 {
			carrier = "thin"
		}
		j := &Journey{Carrier: carrier, Scans: []Scan{{Time: label, Status: schemas.StatusInfoReceived}, {Time: pick, Status: schemas.StatusPickedUp}}}
		ls.add(j, us)
	}
	d := ls.finish()
	day := civilDay(tue)
	if got := d.of("ups", labelSlot(us, day, 10*3600)); got > 0.05 {
		t.Errorf("a 10:00 label: delay %.2f working days, want 0", got)
	}
	if got := d.of("ups", labelSlot(us, day, 17*3600)); got < 0.9 {
		t.Errorf("a 17:00 label: delay %.2f working days, want about 1", got)
	}
	if got, all := d.of("thin", labelSlot(us, day, 17*3600)), d.of("", labelSlot(us, day, 17*3600)); math.Abs(got-all) > 0.05 {
		t.Errorf("thin carrier at 17:00: %.2f, want every carrier's %.2f", got, all)
	}
	if got := d.of("unknown", labelSlot(us, day, 17*3600)); got < 0.9 {
		t.Errorf("unknown carrier at 17:00: %.2f, want every carrier's", got)
	}
}

// TestLaneDateOutOfFold checks that a train row's area pair is learned
// from the other fold only: a pair whose every shipment is in one fold
// has no value of its own in that fold's encoding, and as served it has.
func TestLaneDateOutOfFold(t *testing.T) {
	var folds [pairFolds]pairSums
	for i := range folds {
		folds[i] = pairSums{}
	}
	o1, o2, d := AreaPath{"US", "US1", "US1:100"}, AreaPath{"US", "US1", "US1:101"}, AreaPath{"US", "US9", "US9:900"}
	for i := range 500 {
		y := math.Log1p(48) + 0.05*math.Sin(float64(i))
		folds[i%pairFolds].add("ups|ground", &o2, &d, y, [2]float64{}, false)
		if i < 200 {
			folds[0].add("ups|ground", &o1, &d, y+0.8, [2]float64{}, false) // o1's shipments are all in fold 1
		}
	}
	all, other, _ := pairsOf(&folds)
	served := all.of(pairAll, &o1, &d)
	own := other[0].of(pairAll, &o1, &d)   // fold 1's rows read the other folds' pairs
	cross := other[1].of(pairAll, &o1, &d) // fold 2's rows read fold 1's among them
	if served < 0.3 || cross < 0.3 {
		t.Errorf("slow pair: %.3f as served, %.3f for fold 2, want its excess", served, cross)
	}
	if own > served/2 {
		t.Errorf("slow pair read by its own fold: %.3f, want its region pair's, well under %.3f", own, served)
	}
	e := NewEncoder(append([]string{"bias"}, csFeatures("ups|ground")...))
	e.pairs, e.foldPairs = all, other
	s := &Snapshot{Carrier: "ups", Service: "ground", OriginAreas: o1, DestAreas: d}
	var r Row
	for fold, want := range []float64{served, own, cross} {
		r.Fold = fold
		e.Encode(s, &r)
		if r.pair != want {
			t.Errorf("fold %d: row reads %.3f, want %.3f", fold, r.pair, want)
		}
	}
}
