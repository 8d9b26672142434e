package sim

import "sort"

// TransitRow is the simulated transit time of one carrier service.
type TransitRow struct {
	Carrier, Service string
	Standard         [2]int // published, business days
	Shipments        int    // delivered shipments measured
	// Business days from pickup to delivery: 10th, 50th, 90th percentile.
	P10, P50, P90 float64
	// Calendar days from pickup to delivery, median and 90th percentile.
	DaysP50, DaysP90 float64
}

// TransitTable runs g to the end and measures transit per carrier service
// over the delivered shipments, for docs/simulator.md and its tests.
func TransitTable(g *Generator) []TransitRow {
	type key struct{ c, s string }
	bdays, days := map[key][]float64{}, map[key][]float64{}
	for {
		s, ok := g.Next()
		if !ok {
			break
		}
		if s.Outcome != Delivered || len(s.Scans) < 2 {
			continue
		}
		var car Carrier
		for _, c := range everyCarrier {
			if c.Name == s.Carrier {
				car = c
			}
		}
		k := key{s.Carrier, s.Service}
		pick := s.Scans[1].EventTime
		days[k] = append(days[k], s.DeliveredAt.Sub(pick).Hours()/24)
		// Business days: the carrier's working days after the pickup day,
		// up to and including the delivery day, at the destination.
		dz := g.zones[s.Destination.Zone]
		end := dateOf(s.DeliveredAt.In(dz))
		n := 0
		for d := pick.In(dz); dateOf(d) != end && d.Before(s.DeliveredAt); {
			d = d.AddDate(0, 0, 1)
			if g.workingDay(car, d) {
				n++
			}
		}
		bdays[k] = append(bdays[k], float64(n))
	}
	q := func(xs []float64, p float64) float64 {
		sort.Float64s(xs)
		return xs[int(p*float64(len(xs)-1))]
	}
	var rows []TransitRow
	for _, c := range everyCarrier {
		for _, sv := range c.Services {
			k := key{c.Name, sv.Name}
			if len(days[k]) == 0 {
				continue
			}
			rows = append(rows, TransitRow{
				Carrier: c.Name, Service: sv.Name, Standard: sv.Standard, Shipments: len(days[k]),
				P10: q(bdays[k], 0.1), P50: q(bdays[k], 0.5), P90: q(bdays[k], 0.9),
				DaysP50: q(days[k], 0.5), DaysP90: q(days[k], 0.9),
			})
		}
	}
	return rows
}
