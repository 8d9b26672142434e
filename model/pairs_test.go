package model_test

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
	"github.com/parcelcast/parcelcast/schemas"
)

// TestFitPassReadsOutOfFoldPairs trains on a history of one carrier's
// service between postal prefixes of one region pair, two prefixes of
// which are much slower and have every shipment in one fold: 110 in fold
// 1, 120 in fold 2. As served both pairs carry their excess, but the other
// fold never saw them, so the fit pass's rows of those prefixes must read
// the region pair's value, as for a pair never seen: a row reading its
// own transit times would read the excess. The ordinary prefixes, in both
// folds, read about what is served. A faster region pair (US6>US9) keeps
// the region pair's value off 0, which a row without the feature reads.
func TestFitPassReadsOutOfFoldPairs(t *testing.T) {
	const slowFold1, slowFold2 = "110", "120"
	// The region pair US6>US9 is faster, so US1>US9's value is not 0.
	fast := []string{"600", "601"}
	prefixes := append([]string{"100", "101", "102", "103", "104", "105", slowFold1, slowFold2}, fast...)
	dest := schemas.Location{Country: "US", PostalCode: "90001"}
	at := func(prefix string) schemas.Location {
		return schemas.Location{Country: "US", PostalCode: prefix + "01"}
	}
	start := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	src := &modeltest.Mem{}
	serial := 0
	for i := range 3200 {
		prefix := prefixes[i%len(prefixes)]
		want := map[string]int{slowFold1: 1, slowFold2: 2}[prefix]
		tn := ""
		for {
			serial++
			tn = fmt.Sprintf("1ZFOLD%08d", serial)
			if want == 0 || model.JourneyFold(tn) == want {
				break
			}
		}
		hours := 48 * math.Exp(0.15*math.Sin(float64(i)))
		if want != 0 {
			hours *= math.E // one log hour slower
		}
		if prefix[0] == '6' {
			hours /= math.Sqrt(math.E)
		}
		first := start.Add(time.Duration(i) * 45 * time.Minute)
		scan := func(h float64, st schemas.Status) model.Scan {
			return model.Scan{Time: first.Add(time.Duration(h * float64(time.Hour))), Status: st, OffsetMinutes: -300}
		}
		src.Journeys = append(src.Journeys, model.Journey{TrackingNumber: tn, Carrier: "ups", Service: "ground",
			Origin: at(prefix), Destination: dest, Scans: []model.Scan{
				scan(0, schemas.StatusInfoReceived), scan(3, schemas.StatusPickedUp), scan(hours/2, schemas.StatusInTransit),
				scan(hours-5, schemas.StatusOutForDelivery), scan(hours, schemas.StatusDelivered)}})
	}
	type seen struct {
		rows   int
		lo, hi float64
		folds  [3]int
	}
	var mu sync.Mutex
	byPrefix := map[string]*seen{}
	defer model.OnFitRow("cspair:ups|ground", func(j *model.Journey, v float64) {
		mu.Lock()
		defer mu.Unlock()
		p := j.Origin.PostalCode[:3]
		s := byPrefix[p]
		if s == nil {
			s = &seen{lo: math.Inf(1), hi: math.Inf(-1)}
			byPrefix[p] = s
		}
		s.rows++
		s.lo, s.hi = math.Min(s.lo, v), math.Max(s.hi, v)
		s.folds[model.JourneyFold(j.TrackingNumber)]++
	})()
	cfg := model.DefaultTrainConfig()
	cfg.Lambdas, cfg.TargetScales = []float64{1}, []float64{24}
	m, err := model.Train(context.Background(), src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	region := m.Pairs.PairOf(at("199"), dest) // a prefix never seen: its region pair's
	if fast := m.Pairs.PairOf(at("699"), dest); region < fast+0.3 {
		t.Fatalf("region pair US1>US9 %.3f, want well above the faster US6>US9's %.3f", region, fast)
	}
	for _, p := range prefixes[:len(prefixes)-len(fast)] {
		s := byPrefix[p]
		served := m.Pairs.PairOf(at(p), dest)
		if s == nil {
			t.Errorf("prefix %s: no train rows", p)
			continue
		}
		t.Logf("prefix %s: %d train rows (folds %d, %d) read %.3f to %.3f; served %.3f, region pair %.3f",
			p, s.rows, s.folds[1], s.folds[2], s.lo, s.hi, served, region)
		switch p {
		case slowFold1, slowFold2:
			if served < region+0.5 {
				t.Errorf("prefix %s: served %.3f, want its excess, 0.5 above the region pair's %.3f", p, served, region)
			}
			if math.Abs(s.lo-region) > 0.1 || math.Abs(s.hi-region) > 0.1 {
				t.Errorf("prefix %s, all in one fold: train rows read %.3f to %.3f, want the region pair's %.3f (not the %.3f served)",
					p, s.lo, s.hi, region, served)
			}
		default:
			if s.folds[1] == 0 || s.folds[2] == 0 {
				t.Errorf("prefix %s: train rows in folds %v, want both", p, s.folds[1:])
			}
			if served > region-0.1 {
				t.Errorf("prefix %s: served %.3f, want below the region pair's %.3f (the slow prefixes raise the service's mean)", p, served, region)
			}
			if math.Abs(s.lo-served) > 0.1 || math.Abs(s.hi-served) > 0.1 {
				t.Errorf("prefix %s, in both folds: train rows read %.3f to %.3f, want about the %.3f served", p, s.lo, s.hi, served)
			}
		}
	}
}
