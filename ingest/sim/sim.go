// Package sim generates parcel journeys over a simulated carrier network
// and the carrier scans they produce, with the ground truth of each
// journey kept beside them. The same seed gives the same output.
package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
	_ "time/tzdata" // the simulator's zones must resolve on any machine

	"github.com/parcelcast/parcelcast/schemas"
	"github.com/parcelcast/parcelcast/schemas/trackno"
)

// Config sets the size and shape of a simulation.
type Config struct {
	Seed      uint64
	Shipments int
	// Start is when the first label is created; labels are spread evenly
	// over Days days.
	Start time.Time
	Days  int
	// AttemptRate is the share of deliveries that fail once first.
	AttemptRate float64
	// Until, when set, withholds scans after it: shipments still moving
	// then are in flight, as in a live feed.
	Until time.Time
}

// Shipment is one simulated journey: its scans in time order and the truth.
type Shipment struct {
	TrackingNumber string
	Carrier        string
	Service        string
	Origin         City
	Destination    City
	LabelTime      time.Time
	PromisedBy     time.Time
	DeliveredAt    time.Time // the true delivery instant, perhaps after Config.Until
	Scans          []schemas.ScanEvent
}

// Generator produces shipments one at a time, so a caller can stream any
// number of them in constant memory.
type Generator struct {
	cfg    Config
	rng    *rand.Rand
	next   int
	zones  map[string]*time.Location
	byName map[string]City
	// regional are the cities the regional carrier serves.
	regional []City
}

// New returns a generator for cfg.
func New(cfg Config) *Generator {
	if cfg.Days <= 0 {
		cfg.Days = 28
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	}
	if cfg.AttemptRate == 0 {
		cfg.AttemptRate = 0.04
	}
	g := &Generator{
		cfg:    cfg,
		rng:    rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		zones:  map[string]*time.Location{},
		byName: map[string]City{},
	}
	for _, c := range cities {
		g.zones[c.Zone] = loc(c.Zone)
		g.byName[c.Name] = c
		if westernStates[c.Region] {
			g.regional = append(g.regional, c)
		}
	}
	return g
}

// Next returns the next shipment, or false when all were generated.
func (g *Generator) Next() (Shipment, bool) {
	if g.next >= g.cfg.Shipments {
		return Shipment{}, false
	}
	i := g.next
	g.next++
	return g.journey(i), true
}

func (g *Generator) pickCarrier() Carrier {
	r := g.rng.Float64()
	for _, c := range carriers {
		if r < c.Weight {
			return c
		}
		r -= c.Weight
	}
	return carriers[len(carriers)-1]
}

func (g *Generator) pickService(c Carrier) Service {
	r := g.rng.Float64()
	for _, s := range c.Services {
		if r < s.Weight {
			return s
		}
		r -= s.Weight
	}
	return c.Services[len(c.Services)-1]
}

func (g *Generator) trackingNumber(c Carrier, i int) string {
	// Each number ends in a placeholder digit that Complete replaces by
	// the family's check digit, so ingest accepts the numbers as valid.
	var family, n string
	switch c.Name {
	case "ups":
		family, n = "UPS 1Z", fmt.Sprintf("1ZSIM%03d%09d0", g.rng.IntN(1000), i)
	case "fedex":
		family, n = "FedEx Express", fmt.Sprintf("7%010d0", int64(i)*7919%10000000000)
	case "usps":
		family, n = "USPS IMpb", fmt.Sprintf("9400%017d0", int64(i)*104729)
	case "ontrac":
		family, n = "OnTrac", fmt.Sprintf("C%013d0", 1000000000+int64(i))
	default:
		family, n = "DHL Express", fmt.Sprintf("%09d0", 300000000+int64(i))
	}
	if full, ok := trackno.Complete(family, n); ok {
		return full
	}
	return n
}

// businessDay reports whether the carrier moves parcels to the door that day.
func businessDay(c Carrier, t time.Time) bool {
	switch t.Weekday() {
	case time.Sunday:
		return false
	case time.Saturday:
		return c.Saturday
	}
	return true
}

// at returns the instant of day d (a date in l) at hour h (fractional).
func at(d time.Time, l *time.Location, h float64) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, l).Add(time.Duration(h * float64(time.Hour)))
}

func (g *Generator) journey(i int) Shipment {
	car := g.pickCarrier()
	svc := g.pickService(car)
	served := cities
	if car.Region != nil {
		served = g.regional
	}
	o := served[g.rng.IntN(len(served))]
	d := served[g.rng.IntN(len(served))]
	for d.Name == o.Name {
		d = served[g.rng.IntN(len(served))]
	}
	hub := g.byName[car.Hub]
	oz, dz, hz := g.zones[o.Zone], g.zones[d.Zone], g.zones[hub.Zone]

	span := time.Duration(g.cfg.Days) * 24 * time.Hour
	label := g.cfg.Start.Add(time.Duration(float64(span) * float64(i) / float64(max(g.cfg.Shipments, 1))))
	label = label.Add(time.Duration(g.rng.IntN(3600)) * time.Second)
	s := Shipment{
		TrackingNumber: g.trackingNumber(car, i),
		Carrier:        car.Name, Service: svc.Name, Origin: o, Destination: d, LabelTime: label,
	}

	// Pickup: the same local day at 17:00–19:00 if the label came before
	// 15:00 on a business day, else the next business day.
	ll := label.In(oz)
	pickDay := ll
	if ll.Hour() >= 15 || !businessDay(car, ll) {
		pickDay = ll.AddDate(0, 0, 1)
	}
	for !businessDay(car, pickDay) {
		pickDay = pickDay.AddDate(0, 0, 1)
	}
	pickup := at(pickDay, oz, 17+2*g.rng.Float64())

	// Transit: business days by service and distance, with a heavy tail.
	km := greatCircleKm(o, d)
	days := svc.DaysMin
	offshore := o.Region == "AK" || o.Region == "HI" || d.Region == "AK" || d.Region == "HI"
	switch {
	case offshore: // everything to or from Alaska and Hawaii flies
		days += 2
	case !svc.Air:
		days = max(svc.DaysMin, int(math.Ceil(km/svc.KmPerDay)))
	}
	if g.rng.Float64() < 0.08 { // missed connection or sort delay
		days += 1 + g.rng.IntN(2)
	}
	delivDay := pickDay
	promised := pickDay
	for n, p := 0, 0; n < days || p < svc.DaysMin; {
		if n < days {
			delivDay = delivDay.AddDate(0, 0, 1)
			if businessDay(car, delivDay) {
				n++
			}
		}
		if p < svc.DaysMin {
			promised = promised.AddDate(0, 0, 1)
			if businessDay(car, promised) {
				p++
			}
		}
	}
	s.PromisedBy = at(promised, dz, 20).UTC()

	// The linehaul: origin facility → hub → destination facility, timed
	// between pickup and the morning of delivery.
	ofd := at(delivDay, dz, 7.5+g.rng.Float64()*1.5)
	leaveOrigin := pickup.Add(time.Duration((2 + 2*g.rng.Float64()) * float64(time.Hour)))
	travel := ofd.Sub(leaveOrigin)
	arriveHub := leaveOrigin.Add(time.Duration(float64(travel) * (0.3 + 0.1*g.rng.Float64())))
	leaveHub := arriveHub.Add(time.Duration((1 + 3*g.rng.Float64()) * float64(time.Hour)))
	arriveDest := leaveHub.Add(time.Duration(float64(ofd.Sub(leaveHub)) * (0.5 + 0.3*g.rng.Float64())))

	// Delivery: an hour to ten hours after going out, log-normal.
	delivered := ofd.Add(time.Duration(math.Min(10, math.Exp(1+0.5*g.rng.NormFloat64())) * float64(time.Hour)))

	mode := "ground"
	if svc.Air {
		mode = "air"
	}
	add := func(t time.Time, c City, z *time.Location, st schemas.Status, code, desc string) {
		if !g.cfg.Until.IsZero() && t.After(g.cfg.Until) {
			return
		}
		_, off := t.In(z).Zone()
		e := schemas.ScanEvent{
			TrackingNumber: s.TrackingNumber, Carrier: car.Name, Service: svc.Name,
			Status: st, CarrierCode: code, Description: desc,
			EventTime: t.UTC().Truncate(time.Second), UTCOffsetMinutes: off / 60,
			Location: schemas.Location{City: c.Name, Region: c.Region, PostalCode: c.Postal, Country: "US",
				Lat: c.Lat, Lon: c.Lon, HasCoords: true},
			Origin:      schemas.Location{PostalCode: o.Postal, Region: o.Region, Country: "US"},
			Destination: schemas.Location{PostalCode: d.Postal, Region: d.Region, Country: "US"},
			Mode:        mode,
		}
		p := s.PromisedBy
		e.PromisedDelivery = &p
		// No EventID: the truth is the scan itself; ingest derives the id
		// from what the carrier's format carries.
		s.Scans = append(s.Scans, e)
	}
	add(label, o, oz, schemas.StatusInfoReceived, "MP", "Shipping label created")
	add(pickup, o, oz, schemas.StatusPickedUp, "PU", "Picked up")
	add(leaveOrigin, o, oz, schemas.StatusDepartedFacility, "DP", "Departed facility")
	if hub.Name != o.Name && hub.Name != d.Name {
		add(arriveHub, hub, hz, schemas.StatusArrivedAtFacility, "AR", "Arrived at hub")
		add(leaveHub, hub, hz, schemas.StatusDepartedFacility, "DP", "Departed hub")
	}
	add(arriveDest, d, dz, schemas.StatusArrivedAtFacility, "AR", "Arrived at destination facility")
	if g.rng.Float64() < g.cfg.AttemptRate {
		attempt := ofd.Add(time.Duration((3 + 5*g.rng.Float64()) * float64(time.Hour)))
		add(ofd, d, dz, schemas.StatusOutForDelivery, "OD", "Out for delivery")
		add(attempt, d, dz, schemas.StatusDeliveryAttempted, "DE", "Delivery attempted")
		next := delivDay.AddDate(0, 0, 1)
		for !businessDay(car, next) {
			next = next.AddDate(0, 0, 1)
		}
		ofd = at(next, dz, 8+g.rng.Float64())
		delivered = ofd.Add(time.Duration((1 + 6*g.rng.Float64()) * float64(time.Hour)))
	}
	add(ofd, d, dz, schemas.StatusOutForDelivery, "OD", "Out for delivery")
	add(delivered, d, dz, schemas.StatusDelivered, "DL", "Delivered")
	s.DeliveredAt = delivered.UTC().Truncate(time.Second)
	return s
}

// greatCircleKm is the haversine distance between two cities.
func greatCircleKm(a, b City) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dlat := (b.Lat - a.Lat) * rad
	dlon := (b.Lon - a.Lon) * rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}
