// Package sim generates parcel journeys over a simulated carrier network
// and the carrier scans they produce, with the ground truth of each
// journey kept beside them. The same seed gives the same output.
//
// The network is real US metros with each carrier's hub; journeys follow
// cutoffs, linehaul by distance, carrier working days and holidays, the
// November–December peak, regional weather disruptions, and the things
// that go wrong: missed connections, failed attempts, holds at a pickup
// point, address problems, damage, returns to sender and lost parcels.
// ingest/sim/publish writes the scans to Kafka, each carrier's in its own
// format, adding what real feeds do on the way (duplicates, reordering,
// gaps, clock skew, malformed records).
package sim

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"
	_ "time/tzdata" // the simulator's zones must resolve on any machine

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
	"github.com/parcelcast/parcelcast/schemas/trackno"
)

// Config sets the size and shape of a simulation. Zero rates take the
// defaults in DefaultRates; a negative rate turns the event off.
type Config struct {
	Seed      uint64
	Shipments int
	// Start is when the first label is created; labels are spread over
	// Days days, weighted by weekday and by the peak season.
	Start time.Time
	Days  int
	// Until, when set, withholds scans after it: shipments still moving
	// then are in flight, as in a live feed.
	Until time.Time
	// Rates of the journey events, each per shipment.
	AttemptRate float64 // first delivery attempt fails
	HoldRate    float64 // delivered to a pickup point instead of the door
	AddressRate float64 // address problem at the destination
	DamageRate  float64 // damaged in the network
	ReturnRate  float64 // refused or undeliverable, returned to sender
	LostRate    float64 // lost: scans stop for good
	// ReuseRate is the share of shipments whose tracking number is one
	// the carrier gave an earlier shipment, delivered days before, as
	// carriers reuse numbers.
	ReuseRate float64
	// Disruptions is the number of regional weather disruptions per 30
	// days; each slows a region for one to three days.
	Disruptions float64
	// BrazilShare is the share of shipments sent within Brazil by its
	// post (brazil.go) instead of within the US; 0, the default, keeps
	// the history to the US.
	BrazilShare float64
}

// DefaultRates are the rates a zero Config field takes.
var DefaultRates = Config{
	AttemptRate: 0.04, HoldRate: 0.03, AddressRate: 0.008, DamageRate: 0.003,
	ReturnRate: 0.005, LostRate: 0.002, ReuseRate: 0.003, Disruptions: 2,
}

// Outcome is how a journey ends.
type Outcome string

// Journey outcomes.
const (
	Delivered Outcome = "delivered"
	Returned  Outcome = "returned"
	Lost      Outcome = "lost"
)

// Anomaly is something that delayed or stopped a journey, with when the
// shipment stalled and when it moved again (zero End: never).
type Anomaly struct {
	Cause string    `json:"cause"` // weather, missed_connection, address_issue, damaged, delivery_attempted, lost, …
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"`
}

// Shipment is one simulated journey: its scans in time order and the truth.
type Shipment struct {
	TrackingNumber string
	// ShipmentKey is the carrier's own id of the shipment, for the
	// carriers that send one (Carrier.ShipmentIDs); empty otherwise.
	ShipmentKey string
	Carrier     string
	Service     string
	Origin      City
	Destination City
	LabelTime   time.Time
	PromisedBy  time.Time
	Outcome     Outcome
	// DeliveredAt is the true delivery instant (perhaps after
	// Config.Until); zero unless Outcome is Delivered.
	DeliveredAt time.Time
	// EndedAt is when a returned shipment reached its sender; zero otherwise.
	EndedAt   time.Time
	Anomalies []Anomaly
	Scans     []schemas.ScanEvent
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
	// holidays are the closed days of each carrier.
	holidays    map[string]map[date]bool
	disruptions []disruption
	// labelCDF is the cumulative label volume at the end of each day.
	labelCDF []float64
	// reuse holds the numbers a new shipment may take again.
	reuse reuser
}

// disruption is a weather event slowing every facility within radius of a
// city for a while.
type disruption struct {
	center     City
	radiusKm   float64
	start, end time.Time
	delayDays  int
}

// New returns a generator for cfg.
func New(cfg Config) *Generator {
	if cfg.Days <= 0 {
		cfg.Days = 28
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	}
	rate := func(v *float64, def float64) {
		switch {
		case *v == 0:
			*v = def
		case *v < 0:
			*v = 0
		}
	}
	rate(&cfg.AttemptRate, DefaultRates.AttemptRate)
	rate(&cfg.HoldRate, DefaultRates.HoldRate)
	rate(&cfg.AddressRate, DefaultRates.AddressRate)
	rate(&cfg.DamageRate, DefaultRates.DamageRate)
	rate(&cfg.ReturnRate, DefaultRates.ReturnRate)
	rate(&cfg.LostRate, DefaultRates.LostRate)
	rate(&cfg.ReuseRate, DefaultRates.ReuseRate)
	rate(&cfg.Disruptions, DefaultRates.Disruptions)
	g := &Generator{
		cfg:      cfg,
		rng:      rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		zones:    map[string]*time.Location{},
		byName:   map[string]City{},
		holidays: map[string]map[date]bool{},
		// Reuse uses its own stream, so that reusing numbers leaves the
		// journeys' random draws where they were.
		reuse: newReuser(cfg.ReuseRate, rand.New(rand.NewPCG(cfg.Seed^0x2e05e, cfg.Seed+2))),
	}
	for _, c := range cities {
		g.zones[c.Zone] = loc(c.Zone)
		g.byName[c.Name] = c
		if westernStates[c.Region] {
			g.regional = append(g.regional, c)
		}
	}
	for _, c := range append(append([]City{}, abroad...), brazilCities...) {
		g.zones[c.Zone] = loc(c.Zone)
		g.byName[c.Name] = c
	}
	end := cfg.Start.AddDate(0, 0, cfg.Days+30)
	federal := holidaySet(federalHolidays, cfg.Start.Year(), end.Year())
	major := holidaySet(majorHolidays, cfg.Start.Year(), end.Year())
	for _, c := range carriers {
		g.holidays[c.Name] = major
		if c.Name == "usps" {
			g.holidays[c.Name] = federal
		}
	}
	g.holidays[correios.Name] = holidaySet(brazilHolidays, cfg.Start.Year(), end.Year())
	// Label volume per day: weekday pattern, and up to 1.8× in the peak.
	var total float64
	for d := 0; d < cfg.Days; d++ {
		day := cfg.Start.AddDate(0, 0, d)
		total += weekdayVolume[day.Weekday()] * (1 + 0.8*peak(day))
		g.labelCDF = append(g.labelCDF, total)
	}
	// Disruptions use their own stream, so changing their number leaves
	// the journeys' random draws where they were.
	drng := rand.New(rand.NewPCG(cfg.Seed^0x5eed, cfg.Seed+1))
	n := int(math.Round(cfg.Disruptions * float64(cfg.Days+14) / 30))
	for i := 0; i < n; i++ {
		start := cfg.Start.Add(time.Duration(drng.Float64() * float64(cfg.Days+14) * float64(24*time.Hour)))
		g.disruptions = append(g.disruptions, disruption{
			center:    cities[drng.IntN(len(cities))],
			radiusKm:  300 + 500*drng.Float64(),
			start:     start,
			end:       start.Add(time.Duration((1 + 2*drng.Float64()) * float64(24*time.Hour))),
			delayDays: 1 + drng.IntN(2),
		})
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
	s := Shipment{Scans: make([]schemas.ScanEvent, 0, 12)}
	g.journey(i, &s)
	return s, true
}

// Seed is the seed of the simulation, for streams of randomness that
// derive from it (the feed noise).
func (g *Generator) Seed() uint64 { return g.cfg.Seed }

// NextInto is Next writing into s, reusing its scans' memory: for callers
// that are done with the previous shipment when they ask for the next.
func (g *Generator) NextInto(s *Shipment) bool {
	if g.next >= g.cfg.Shipments {
		return false
	}
	i := g.next
	g.next++
	g.journey(i, s)
	return true
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
	var family string
	var b [32]byte
	n := b[:0]
	switch c.Name {
	case "ups":
		family = "UPS 1Z"
		n = carrier.AppendZeroPadded(carrier.AppendZeroPadded(append(n, "1ZSIM"...), uint64(g.rng.IntN(1000)), 3), uint64(i), 9)
	case "fedex":
		family = "FedEx Express"
		n = carrier.AppendZeroPadded(append(n, '7'), uint64(int64(i)*7919%10000000000), 10)
	case "usps":
		family = "USPS IMpb"
		n = carrier.AppendZeroPadded(append(n, "9400"...), uint64(int64(i)*104729), 17)
	case "ontrac":
		family = "OnTrac"
		n = carrier.AppendZeroPadded(append(n, 'C'), uint64(1000000000+int64(i)), 13)
	case correios.Name: // UPU S10: the check digit before the country
		n = append(carrier.AppendZeroPadded(append(n, "QB"...), uint64(i%100000000), 8), "0BR"...)
		if full, ok := trackno.Complete("UPU S10", string(n)); ok {
			return full
		}
		return string(n)
	default:
		family = "DHL Express"
		n = carrier.AppendZeroPadded(n, uint64(300000000+int64(i)), 9)
	}
	s := string(append(n, '0'))
	if full, ok := trackno.Complete(family, s); ok {
		return full
	}
	return s
}

// workingDay reports whether the carrier picks up and delivers that day
// (a date in the local zone of the place concerned).
func (g *Generator) workingDay(c Carrier, t time.Time) bool {
	switch t.Weekday() {
	case time.Sunday:
		return false
	case time.Saturday:
		if !c.Saturday {
			return false
		}
	}
	return !g.holidays[c.Name][dateOf(t)]
}

func (g *Generator) nextWorkingDay(c Carrier, t time.Time) time.Time {
	t = t.AddDate(0, 0, 1)
	for !g.workingDay(c, t) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// at returns the instant of day d (a date in l) at hour h (fractional).
func at(d time.Time, l *time.Location, h float64) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, l).Add(time.Duration(h * float64(time.Hour)))
}

// labelTime places shipment i on the label-volume curve.
func (g *Generator) labelTime(i int) time.Time {
	total := g.labelCDF[len(g.labelCDF)-1]
	x := total * (float64(i) + 0.5) / float64(max(g.cfg.Shipments, 1))
	day := min(sort.SearchFloat64s(g.labelCDF, x), len(g.labelCDF)-1)
	prev := 0.0
	if day > 0 {
		prev = g.labelCDF[day-1]
	}
	frac := (x - prev) / (g.labelCDF[day] - prev)
	// Labels are printed during the day: 07:00–21:00 UTC-ish spread.
	return g.cfg.Start.AddDate(0, 0, day).Add(time.Duration((7 + 14*frac) * float64(time.Hour)))
}

// disrupted returns the delay, in days, a disruption puts on a facility
// at city c at instant t, and the disruption's span.
func (g *Generator) disrupted(c City, t time.Time) (int, *disruption) {
	for i := range g.disruptions {
		d := &g.disruptions[i]
		if !t.Before(d.start) && t.Before(d.end) && greatCircleKm(c, d.center) <= d.radiusKm {
			return d.delayDays, d
		}
	}
	return 0, nil
}

// journeyBuilder collects one shipment's scans.
type journeyBuilder struct {
	g        *Generator
	s        *Shipment
	car      Carrier
	svc      Service
	promised *time.Time // shared by the shipment's scans
}

func (b *journeyBuilder) add(t time.Time, c City, st schemas.Status, detail string) {
	if !b.g.cfg.Until.IsZero() && t.After(b.g.cfg.Until) {
		return
	}
	_, off := t.In(b.g.zones[c.Zone]).Zone()
	mode := "ground"
	if b.svc.Air {
		mode = "air"
	}
	if b.promised == nil {
		p := b.s.PromisedBy
		b.promised = &p
	}
	b.s.Scans = append(b.s.Scans, schemas.ScanEvent{
		TrackingNumber: b.s.TrackingNumber, ShipmentKey: b.s.ShipmentKey, Carrier: b.car.Name, Service: b.svc.Name,
		Status: st, StatusDetail: detail,
		EventTime: t.UTC().Truncate(time.Second), UTCOffsetMinutes: off / 60,
		Location: schemas.Location{City: c.Name, Region: c.Region, PostalCode: c.Postal, Country: c.CountryCode(),
			Lat: c.Lat, Lon: c.Lon, HasCoords: true},
		Origin:           place(b.s.Origin),
		Destination:      place(b.s.Destination),
		Mode:             mode,
		PromisedDelivery: b.promised,
	})
}

func place(c City) schemas.Location {
	return schemas.Location{City: c.Name, Region: c.Region, PostalCode: c.Postal, Country: c.CountryCode()}
}

func (b *journeyBuilder) anomaly(cause string, start, end time.Time) {
	b.s.Anomalies = append(b.s.Anomalies, Anomaly{Cause: cause, Start: start.UTC().Truncate(time.Second), End: end.UTC().Truncate(time.Second)})
}

// journey writes shipment i into s, reusing its scans' memory.
func (g *Generator) journey(i int, s *Shipment) {
	g.build(i, s)
	g.reuse.done(s)
}

// build is journey before the shipment's number is offered for reuse.
func (g *Generator) build(i int, s *Shipment) {
	car, served := g.pickCarrier(), cities
	if g.cfg.BrazilShare > 0 && g.rng.Float64() < g.cfg.BrazilShare {
		car, served = correios, brazilCities
	}
	svc := g.pickService(car)
	if car.Region != nil {
		served = g.regional
	}
	brazil := car.Name == correios.Name
	o := served[g.rng.IntN(len(served))]
	var d City
	if svc.Abroad {
		d = abroad[g.rng.IntN(len(abroad))]
	} else {
		d = served[g.rng.IntN(len(served))]
		for d.Name == o.Name {
			d = served[g.rng.IntN(len(served))]
		}
	}
	hub := g.byName[car.Hub]
	oz, dz := g.zones[o.Zone], g.zones[d.Zone]

	label := g.labelTime(i).Add(time.Duration(g.rng.IntN(3600)) * time.Second).Truncate(time.Second)
	*s = Shipment{
		TrackingNumber: g.trackingNumber(car, i),
		Carrier:        car.Name, Service: svc.Name, Origin: o, Destination: d, LabelTime: label,
		Outcome: Delivered,
		Scans:   s.Scans[:0],
	}
	g.reuse.take(s)
	if car.ShipmentIDs {
		s.ShipmentKey = shipmentKey(i, s.TrackingNumber)
	}
	b := &journeyBuilder{g: g, s: s, car: car, svc: svc}

	// Pickup: the same local day at 17:00–19:00 if the label came before
	// the 15:00 cutoff on a working day, else the next working day.
	ll := label.In(oz)
	pickDay := ll
	if ll.Hour() >= 15 || !g.workingDay(car, ll) {
		pickDay = g.nextWorkingDay(car, ll)
	}
	pickup := at(pickDay, oz, 17+2*g.rng.Float64())
	pk := peak(pickDay)
	if brazil {
		pk = brazilPeak(pickDay)
	}

	// Transit: business days by service and distance.
	km := greatCircleKm(o, d)
	days := svc.DaysMin
	offshore := o.Region == "AK" || o.Region == "HI" || d.Region == "AK" || d.Region == "HI"
	switch {
	case svc.Abroad: // a long flight adds a day
		if km > 6000 {
			days++
		}
	case offshore: // everything to or from Alaska and Hawaii flies
		days += 2
	case !svc.Air:
		days = max(svc.DaysMin, int(math.Ceil(km/svc.KmPerDay)))
		if brazil && svc.Name == "pac" && (remoteStates[o.Region] || remoteStates[d.Region]) {
			days += brazilRemoteDays
		}
	}
	if svc.Handoff {
		days++ // the post office delivers the day after it receives the parcel
	}
	// The promise is the service standard, counted in working days.
	promised := pickDay
	for n := 0; n < days; n++ {
		promised = g.nextWorkingDay(car, promised)
	}
	s.PromisedBy = at(promised, dz, 20).UTC()

	extra := 0 // days of delay beyond the standard
	missed := g.rng.Float64() < 0.08*(1+pk)
	if missed {
		extra += 1 + g.rng.IntN(2)
	}
	if pk > 0 && g.rng.Float64() < 0.3*pk { // peak volume slows sorting
		extra++
	}
	if brazil { // the post slows through the run and more in its peak; its promise does not
		extra += g.brazilTrendDays(svc, km, pickup) + brazilPeakDays(pk, g.rng.Float64())
	}
	delivDay := pickDay
	for n := 0; n < days+extra; n++ {
		delivDay = g.nextWorkingDay(car, delivDay)
	}

	// The linehaul: origin facility → hub → destination facility, timed
	// between pickup and the morning of delivery.
	ofd := at(delivDay, dz, 7.5+g.rng.Float64()*1.5)
	leaveOrigin := pickup.Add(time.Duration((2 + 2*g.rng.Float64()) * float64(time.Hour)))
	travel := ofd.Sub(leaveOrigin)
	arriveHub := leaveOrigin.Add(time.Duration(float64(travel) * (0.3 + 0.1*g.rng.Float64())))
	leaveHub := arriveHub.Add(time.Duration((1 + 3*g.rng.Float64()) * float64(time.Hour)))
	arriveDest := leaveHub.Add(time.Duration(float64(ofd.Sub(leaveHub)) * (0.5 + 0.3*g.rng.Float64())))
	if missed {
		b.anomaly("missed_connection", arriveHub, leaveHub)
	}
	throughHub := hub.Name != o.Name && hub.Name != d.Name

	// One draw decides what goes wrong, if anything.
	r := g.rng.Float64()
	cut := func(p float64) bool {
		if r < p {
			r = 2 // at most one of the events below
			return true
		}
		r -= p
		return false
	}
	lost, damaged, address, returned := cut(g.cfg.LostRate), cut(g.cfg.DamageRate), cut(g.cfg.AddressRate), cut(g.cfg.ReturnRate)
	attempt := cut(g.cfg.AttemptRate)
	hold := !attempt && cut(g.cfg.HoldRate)

	b.add(label, o, schemas.StatusInfoReceived, "")
	b.add(pickup, o, schemas.StatusPickedUp, "")
	b.add(leaveOrigin, o, schemas.StatusDepartedFacility, "")
	if lost && g.rng.IntN(2) == 0 { // lost between origin and hub
		s.Outcome = Lost
		b.anomaly("lost", leaveOrigin, time.Time{})
		return
	}
	if throughHub {
		b.add(arriveHub, hub, schemas.StatusArrivedAtFacility, "")
		if damaged {
			b.add(arriveHub.Add(30*time.Minute), hub, schemas.StatusException, "damaged")
		}
		b.add(leaveHub, hub, schemas.StatusDepartedFacility, "")
	}
	if lost {
		s.Outcome = Lost
		b.anomaly("lost", leaveHub, time.Time{})
		return
	}
	b.add(arriveDest, d, schemas.StatusArrivedAtFacility, "")
	if svc.Abroad { // import clearance at the gateway; one in eight is held
		cleared := arriveDest.Add(time.Duration((1 + 2*g.rng.Float64()) * float64(time.Hour)))
		if g.rng.Float64() < 0.125 {
			b.add(cleared, d, schemas.StatusException, "customs")
			day := ofd.In(dz)
			for n := 1 + g.rng.IntN(2); n > 0; n-- {
				day = g.nextWorkingDay(car, day)
			}
			ofd = at(day, dz, 7.5+g.rng.Float64()*1.5)
			b.anomaly("customs", cleared, ofd)
		} else {
			b.add(cleared, d, schemas.StatusInTransit, "customs")
		}
	}
	if damaged && !throughHub {
		b.add(arriveDest.Add(30*time.Minute), d, schemas.StatusException, "damaged")
	}
	if damaged { // rewrapped: a day lost
		next := g.nextWorkingDay(car, ofd.In(dz))
		b.anomaly("damaged", arriveDest, at(next, dz, 7.5))
		ofd = at(next, dz, 7.5+g.rng.Float64()*1.5)
	}
	// A weather disruption at the destination holds the parcel there.
	if delay, dis := g.disrupted(d, arriveDest); dis != nil {
		hit := arriveDest.Add(time.Duration((1 + 2*g.rng.Float64()) * float64(time.Hour)))
		b.add(hit, d, schemas.StatusException, "weather")
		day := ofd.In(dz)
		for n := 0; n < delay; n++ {
			day = g.nextWorkingDay(car, day)
		}
		ofd = at(day, dz, 7.5+g.rng.Float64()*1.5)
		b.anomaly("weather", hit, ofd)
	}
	if address {
		hit := arriveDest.Add(time.Duration((2 + 2*g.rng.Float64()) * float64(time.Hour)))
		b.add(hit, d, schemas.StatusException, "address_issue")
		if g.rng.Float64() < 0.4 { // never resolved: back to the sender
			back := g.nextWorkingDay(car, g.nextWorkingDay(car, hit.In(dz)))
			b.add(at(back, dz, 10+4*g.rng.Float64()), d, schemas.StatusReturnedToSender, "address_issue")
			g.returnHome(b, at(back, dz, 12), hit)
			return
		}
		next := g.nextWorkingDay(car, g.nextWorkingDay(car, hit.In(dz)))
		b.anomaly("address_issue", hit, at(next, dz, 7.5))
		ofd = at(next, dz, 7.5+g.rng.Float64()*1.5)
	}

	if svc.Handoff && len(s.Scans) > 0 { // given to the local post office for the last mile
		last := s.Scans[len(s.Scans)-1].EventTime
		b.add(minTime(last.Add(time.Duration((1+2*g.rng.Float64())*float64(time.Hour))), ofd.Add(-time.Hour)), d, schemas.StatusInTransit, "")
	}

	// Delivery: an hour to ten hours after going out, log-normal.
	delivered := ofd.Add(time.Duration(math.Min(10, math.Exp(1+0.5*g.rng.NormFloat64())) * float64(time.Hour)))
	switch {
	case attempt || returned:
		attempts := 1
		if returned {
			attempts = 3
		}
		for a := 0; a < attempts; a++ {
			try := ofd.Add(time.Duration((3 + 5*g.rng.Float64()) * float64(time.Hour)))
			b.add(ofd, d, schemas.StatusOutForDelivery, "")
			b.add(try, d, schemas.StatusDeliveryAttempted, "recipient_unavailable")
			next := g.nextWorkingDay(car, ofd.In(dz))
			b.anomaly("delivery_attempted", try, at(next, dz, 8))
			ofd = at(next, dz, 8+g.rng.Float64())
		}
		if returned {
			b.add(ofd.Add(2*time.Hour), d, schemas.StatusReturnedToSender, "unclaimed")
			g.returnHome(b, ofd.Add(3*time.Hour), ofd)
			return
		}
		delivered = ofd.Add(time.Duration((1 + 6*g.rng.Float64()) * float64(time.Hour)))
	case hold:
		// Left at a pickup point; the customer collects it one to three days later.
		b.add(ofd, d, schemas.StatusOutForDelivery, "")
		held := ofd.Add(time.Duration((2 + 4*g.rng.Float64()) * float64(time.Hour)))
		b.add(held, d, schemas.StatusAvailableForPickup, "held")
		delivered = held.Add(time.Duration((4 + 68*g.rng.Float64()) * float64(time.Hour)))
		b.add(delivered, d, schemas.StatusDelivered, "")
		s.DeliveredAt = delivered.UTC().Truncate(time.Second)
		return
	}
	b.add(ofd, d, schemas.StatusOutForDelivery, "")
	b.add(delivered, d, schemas.StatusDelivered, "")
	s.DeliveredAt = delivered.UTC().Truncate(time.Second)
}

// returnHome ends a journey at its sender: scans back through the origin
// facility and a final return delivery.
func (g *Generator) returnHome(b *journeyBuilder, leave, stalled time.Time) {
	s := b.s
	o, car := s.Origin, b.car
	back := leave.Add(time.Duration(greatCircleKm(s.Origin, s.Destination)/600*24) * time.Hour)
	day := g.nextWorkingDay(car, back.In(g.zones[o.Zone]))
	home := at(day, g.zones[o.Zone], 10+6*g.rng.Float64())
	b.add(home.Add(-6*time.Hour), o, schemas.StatusArrivedAtFacility, "")
	b.add(home, o, schemas.StatusReturnedToSender, "")
	s.Outcome = Returned
	s.EndedAt = home.UTC().Truncate(time.Second)
	b.anomaly("returned", stalled, time.Time{})
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
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
