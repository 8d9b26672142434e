package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/exceptions"
	"github.com/parcelcast/parcelcast/schemas"
)

var (
	scoreShipments = flag.Int("exceptions.shipments", 20000, "shipments of the scored simulation (BenchmarkExceptionAccuracy)")
	scoreSeed      = flag.Uint64("exceptions.seed", 2, "seed of the scored simulation; the model is trained on seed 1")
	scoreQuantile  = flag.Float64("exceptions.quantile", exceptions.DefaultQuantile, "stall quantile scored")
	scoreOut       = flag.Float64("exceptions.out-quantile", exceptions.DefaultOutQuantile, "share of on-time parcels out for delivery later than the stall deadline of a parcel with a promise")
	scoreLateQ     = flag.Float64("exceptions.late-quantile", exceptions.DefaultLateQuantile, "quantile of the ETA compared with the promise")
	scoreSlack     = flag.Duration("exceptions.late-slack", exceptions.DefaultLateSlack, "how far the late-quantile ETA may pass the promise before late")
	scoreNoPromise = flag.Bool("exceptions.hide-promises", false, "score with the promises hidden from detection (the stall's silence rule alone; no late flags)")
	scoreEvery     = flag.Duration("exceptions.every", 2*time.Hour, "how often each shipment is checked")
)

// silentDelays are the simulator's anomalies a stall was first scored
// against: lost, a missed connection at the hub, a weather disruption.
// Customs holds, address problems and damage come with an exception scan
// of their own, found as their own types.
var silentDelays = map[string]bool{"lost": true, "missed_connection": true, "weather": true}

// unexplainedDelays are the silent delays no scan explains: a weather
// disruption comes with the carrier's exception scan "weather" (found as
// carrier_exception) and is scored as such, outside the stall's truth
// (a shipment delayed by weather alone counts neither way there).
var unexplainedDelays = map[string]bool{"lost": true, "missed_connection": true}

type score struct{ tp, fp, fn int }

func (s score) precision() string { return ratio(s.tp, s.tp+s.fp) }
func (s score) recall() string    { return ratio(s.tp, s.tp+s.fn) }

// ratio is a/b to three places, "–" when b is 0.
func ratio(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.3f", float64(a)/float64(b))
}

// BenchmarkExceptionAccuracy scores the exception scanner's detection on
// the simulator's truth: a model is trained on seed 1, then every
// shipment of the scored seed is checked every few hours of its life
// (the scans known by then, the model's ETA) as the scanner's sweep
// would. A stall is right when the shipment had a silent delay; late is
// right when the parcel was not delivered by its promise. It prints a
// table per carrier.
func BenchmarkExceptionAccuracy(b *testing.B) {
	ctx := context.Background()
	m, err := model.Train(ctx, modeltest.NewMem(sim.Config{Seed: 1, Shipments: *scoreShipments, Days: 90}), model.DefaultTrainConfig())
	if err != nil {
		b.Fatal(err)
	}
	cfg := exceptions.Config{Quantile: *scoreQuantile, OutQuantile: *scoreOut, LateQuantile: *scoreLateQ, LateSlack: *scoreSlack}
	for b.Loop() {
		stall, late, lost := map[string]*score{}, map[string]*score{}, map[string]*score{}
		unexplained, weather := map[string]*score{}, map[string]*score{}
		get := func(m map[string]*score, k string) *score {
			if m[k] == nil {
				m[k] = &score{}
			}
			return m[k]
		}
		g := sim.New(sim.Config{Seed: *scoreSeed, Shipments: *scoreShipments, Days: 90})
		for {
			s, ok := g.Next()
			if !ok {
				break
			}
			found := detectOver(&s, m, cfg, *scoreEvery)
			silent, unexplainedDelay, weatherDelay := false, false, false
			for _, a := range s.Anomalies {
				silent = silent || silentDelays[a.Cause]
				unexplainedDelay = unexplainedDelay || unexplainedDelays[a.Cause]
				weatherDelay = weatherDelay || a.Cause == "weather"
			}
			tally(get(stall, s.Carrier), found[exceptions.Stalled], silent)
			if unexplainedDelay || !weatherDelay {
				tally(get(unexplained, s.Carrier), found[exceptions.Stalled], unexplainedDelay)
			}
			if weatherDelay {
				tally(get(weather, s.Carrier), found[exceptions.CarrierException], true)
			}
			tally(get(lost, s.Carrier), found[exceptions.Lost], s.Outcome == sim.Lost)
			truthLate := s.Outcome != sim.Delivered || s.DeliveredAt.After(s.PromisedBy)
			if found[exceptions.Late] {
				tally(get(late, s.Carrier), true, truthLate)
			} else if truthLate {
				get(late, s.Carrier).fn++
			}
		}
		var carriers []string
		for c := range stall {
			carriers = append(carriers, c)
		}
		sort.Strings(carriers)
		fmt.Printf("exceptions against the simulator's truth: seed %d, %d shipments, checked every %v, stall quantile %v, out quantile %v, late ETA quantile %v, late slack %v\n",
			*scoreSeed, *scoreShipments, *scoreEvery, *scoreQuantile, *scoreOut, *scoreLateQ, *scoreSlack)
		fmt.Println("| carrier | stall precision | stall recall | stalls flagged / silent delays | stall precision, unexplained | stall recall, unexplained | flagged / unexplained delays | weather delays as carrier exception | lost precision | lost recall | late precision | late recall | late flagged |")
		fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
		for _, c := range carriers {
			st, un, we, lo, la := stall[c], get(unexplained, c), get(weather, c), get(lost, c), get(late, c)
			fmt.Printf("| %s | %s | %s | %d / %d | %s | %s | %d / %d | %s (%d) | %s | %s | %s | %s | %d |\n", c, st.precision(), st.recall(), st.tp+st.fp, st.tp+st.fn,
				un.precision(), un.recall(), un.tp+un.fp, un.tp+un.fn, we.recall(), we.tp+we.fn,
				lo.precision(), lo.recall(), la.precision(), la.recall(), la.tp+la.fp)
		}
	}
}

func tally(s *score, flagged, truth bool) {
	switch {
	case flagged && truth:
		s.tp++
	case flagged:
		s.fp++
	case truth:
		s.fn++
	}
}

// detectOver checks a simulated shipment every `every` from its first
// scan until it ends (or 20 days after its last scan), with the scans
// known at each check, and returns the types found at any check.
func detectOver(s *sim.Shipment, m *model.Model, cfg exceptions.Config, every time.Duration) map[string]bool {
	found := map[string]bool{}
	scans := append([]schemas.ScanEvent(nil), s.Scans...)
	sort.SliceStable(scans, func(a, b int) bool { return scans[a].EventTime.Before(scans[b].EventTime) })
	if len(scans) == 0 {
		return found
	}
	end := scans[len(scans)-1].EventTime
	if !scans[len(scans)-1].Status.Terminal() {
		end = end.Add(20 * 24 * time.Hour)
	}
	var sh predict.Shipment
	k := 0
	for t := scans[0].EventTime; !t.After(end); t = t.Add(every) {
		for k < len(scans) && !scans[k].EventTime.After(t) {
			e := &scans[k]
			if k == 0 {
				sh = predict.Shipment{Journey: model.Journey{TrackingNumber: s.TrackingNumber, Carrier: s.Carrier,
					Service: s.Service, Origin: e.Origin, Destination: e.Destination}}
			}
			if e.PromisedDelivery != nil && !*scoreNoPromise {
				sh.Promised = *e.PromisedDelivery
			}
			sh.Scans = append(sh.Scans, model.Scan{Time: e.EventTime, Status: e.Status, OffsetMinutes: e.UTCOffsetMinutes})
			sh.Timeline = append(sh.Timeline, predict.TimelineScan{Time: e.EventTime, OffsetMinutes: e.UTCOffsetMinutes,
				Status: e.Status, StatusDetail: e.StatusDetail, CarrierCode: e.CarrierCode, Location: e.Location})
			k++
		}
		if k == 0 {
			continue
		}
		for _, f := range cfg.Detect(&sh, exceptions.Inputs{Model: m, Now: t}) {
			found[f.Type] = true
		}
		if sh.Scans[len(sh.Scans)-1].Status.Terminal() {
			break
		}
	}
	return found
}
