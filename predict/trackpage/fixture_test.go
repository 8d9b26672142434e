package trackpage

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/internal/browser"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/predict/live/livetest"
	"github.com/parcelcast/parcelcast/schemas"
	"github.com/parcelcast/parcelcast/schemas/trackno"
)

var env *testenv.Env

func TestMain(m *testing.M) { testenv.Run(m, &env, browser.Close) }

// fixtureNow is a Tuesday, 11:00 in Chicago.
var fixtureNow = time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)

// The fixture's cases, each a shipment in the live state.
const (
	caseInFlight  = "in_flight"
	caseOut       = "out_for_delivery"
	caseDelivered = "delivered"
	caseException = "exception"
	caseReturned  = "returned"
	caseLate      = "late"
	caseLabel     = "label"
	caseOrderA    = "order_a"
	caseOrderB    = "order_b"
	caseOrderC    = "order_c" // the same order number, to another address
)

const (
	fixtureOrder  = "ORD-1001"
	fixturePostal = "60601"
	// fixtureUnknown passes the number check but has no scans.
	unknownIndex = 990_001
)

type fixture struct {
	srv     *predict.Server
	page    *Page
	store   *live.Store
	db      *chstore.DB
	numbers map[string]string
	unknown string
	topic   string
}

var (
	trainOnce    sync.Once
	trainedModel *model.Model
	trainErr     error
)

// fixtureModel is trained once per test binary on four weeks of
// simulated shipments.
func fixtureModel(t testing.TB) *model.Model {
	t.Helper()
	trainOnce.Do(func() {
		src := modeltest.NewMem(sim.Config{Seed: 21, Shipments: 3000, Days: 28, Start: time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)})
		cfg := model.DefaultTrainConfig()
		cfg.Log = slog.New(slog.DiscardHandler)
		m, err := model.Train(context.Background(), src, cfg)
		if err != nil {
			trainErr = err
			return
		}
		dir, err := os.MkdirTemp("", "trackpage-model")
		if err != nil {
			trainErr = err
			return
		}
		defer os.RemoveAll(dir)
		if _, err := m.Save(dir + "/m.json"); err != nil {
			trainErr = err
			return
		}
		trainedModel, trainErr = model.Load(dir + "/m.json")
	})
	if trainErr != nil {
		t.Fatal(trainErr)
	}
	return trainedModel
}

// numbers are valid UPS numbers, from index from on.
func numbers(from, n int) []string {
	var out []string
	for i := from; len(out) < n; i++ {
		if tn := livetest.Number(i); trackno.Check("", tn) == nil {
			out = append(out, tn)
		}
	}
	return out
}

type town struct {
	city, region, postal string
	offset               int
}

var (
	atlanta    = town{"Atlanta", "GA", "30301", -300}
	louisville = town{"Louisville", "KY", "40201", -300}
	chicago    = town{"Chicago", "IL", "60601", -360}
)

type leg struct {
	hours  float64 // before fixtureNow
	status schemas.Status
	at     town
	words  string
}

// journey is a UPS Ground shipment from Atlanta to Chicago with the
// legs given.
func journey(number string, promised time.Time, order string, legs ...leg) []schemas.ScanEvent {
	var out []schemas.ScanEvent
	for _, l := range legs {
		e := schemas.ScanEvent{TrackingNumber: number, Carrier: "ups", Service: "ground", Status: l.status,
			CarrierCode: strings.ToUpper(string(l.status[:2])), Description: l.words,
			EventTime: fixtureNow.Add(-time.Duration(l.hours * float64(time.Hour))), UTCOffsetMinutes: l.at.offset,
			Location:    schemas.Location{City: l.at.city, Region: l.at.region, PostalCode: l.at.postal, Country: "US"},
			Origin:      schemas.Location{City: "Atlanta", Region: "GA", PostalCode: "30301", Country: "US"},
			Destination: schemas.Location{City: "Chicago", Region: "IL", PostalCode: "60601", Country: "US"},
			Mode:        "ground", OrderRef: order,
		}
		if !promised.IsZero() {
			p := promised
			e.PromisedDelivery = &p
		}
		e.Source.IngestedAt = e.EventTime.Add(time.Minute)
		e.EventID = schemas.ComputeEventID(&e)
		out = append(out, e)
	}
	return out
}

// memExceptions holds the exceptions the scanner would have opened.
type memExceptions map[string][]schemas.Exception

func (m memExceptions) ExceptionsOf(tn string) []schemas.Exception { return m[tn] }

// newFixture is a predict server over a live state holding one shipment
// per case, delivery instructions stored in ClickHouse and published on
// the broker, and the tracking page on it.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	_, db := env.Database(t)
	f := &fixture{db: db, numbers: map[string]string{}, topic: testenv.RandomName("instructions_")}
	cases := []string{caseInFlight, caseOut, caseDelivered, caseException, caseReturned, caseLate, caseLabel, caseOrderA, caseOrderB, caseOrderC}
	ns := numbers(1, len(cases))
	for i, c := range cases {
		f.numbers[c] = ns[i]
	}
	f.unknown = numbers(unknownIndex, 1)[0]
	store, err := live.New(live.Options{Now: func() time.Time { return fixtureNow }})
	if err != nil {
		t.Fatal(err)
	}
	f.store = store
	promise := time.Date(2026, 12, 12, 4, 59, 0, 0, time.UTC) // Friday, 11 December, late evening in the east
	start := []leg{
		{50, schemas.StatusInfoReceived, atlanta, "Shipper created a label"},
		{46, schemas.StatusPickedUp, atlanta, "Pickup scan"},
		{40, schemas.StatusDepartedFacility, atlanta, "Departed from facility"},
		{30, schemas.StatusArrivedAtFacility, louisville, "Arrived at facility"},
	}
	atDest := append(append([]leg(nil), start...), leg{20, schemas.StatusDepartedFacility, louisville, "Departed from facility"},
		leg{8, schemas.StatusArrivedAtFacility, chicago, "Arrived at destination facility"})
	with := func(base []leg, more ...leg) []leg { return append(append([]leg(nil), base...), more...) }
	var events []schemas.ScanEvent
	add := func(c string, promised time.Time, order string, legs []leg) {
		events = append(events, journey(f.numbers[c], promised, order, legs...)...)
	}
	add(caseInFlight, promise, "", start)
	// Out for delivery, it is promised for today, as the simulated
	// history the fixture's model learns from has its parcels out on
	// their promised day: a promise ten days off would be a case that
	// history never shows, which the model reads within the ranges it
	// does show (model.FeatureRanges).
	today := time.Date(2026, 12, 2, 5, 59, 0, 0, time.UTC) // the end of Tuesday, 1 December, in Chicago
	add(caseOut, today, "", with(atDest, leg{2, schemas.StatusOutForDelivery, chicago, "Out for delivery today"}))
	// The delivery's text names who signed, and carries markup: neither
	// reaches a page by number alone as it came.
	add(caseDelivered, promise, "", with(atDest, leg{3, schemas.StatusOutForDelivery, chicago, "Out for delivery <img src=x onerror=alert(1)>"},
		leg{0.5, schemas.StatusDelivered, chicago, "Delivered, front door, signed by J SMITH"}))
	add(caseException, promise, "", with(start, leg{26, schemas.StatusException, louisville, "Weather delay: severe storms"}))
	add(caseReturned, promise, "", with(atDest, leg{4, schemas.StatusReturnedToSender, chicago, "Returned to shipper: refused"}))
	add(caseLate, fixtureNow.Add(-30*time.Hour), "", start)
	add(caseLabel, time.Time{}, "", start[:1])
	add(caseOrderA, promise, fixtureOrder, start)
	add(caseOrderB, promise, fixtureOrder, with(atDest, leg{2, schemas.StatusOutForDelivery, chicago, "Out for delivery today"}))
	add(caseOrderC, promise, fixtureOrder, start)
	for i := range events {
		if events[i].TrackingNumber == f.numbers[caseOrderC] {
			events[i].Destination = schemas.Location{City: "New York", Region: "NY", PostalCode: "10001", Country: "US"}
			events[i].EventID = schemas.ComputeEventID(&events[i])
		}
	}
	store.Apply(events)

	exc := memExceptions{f.numbers[caseException]: {{ID: "exc_1", Type: "stalled", State: schemas.ExceptionOpen, Detail: `<script>alert("x")</script>`,
		TrackingNumber: f.numbers[caseException], Carrier: "ups", ShipmentStart: fixtureNow.Add(-50 * time.Hour),
		Reason: "no scan for 26 hours; parcels at this point usually move within 20 hours", OpenedAt: fixtureNow.Add(-6 * time.Hour)}}}
	if err := localenv.EnsureTopics(context.Background(), env.Kafka.Brokers, 1, f.topic); err != nil {
		t.Fatal(err)
	}
	pub := ingest.NewKafkaInstructions(env.Kafka.Brokers, f.topic)
	t.Cleanup(func() { _ = pub.Close() })
	f.srv = predict.NewServer(store, fixtureModel(t), predict.Options{Now: func() time.Time { return fixtureNow },
		Orders: store, Exceptions: exc, Instructions: chstore.NewInstructions(db), InstructionPublisher: pub,
		Limits: predict.Limits{RatePerKey: -1}})
	points, err := ReadPoints(strings.NewReader(`[
		{"carrier":"ups","id":"UPS-ACC-CHI-1","name":"The UPS Store 1234","address":{"line1":"233 S Wacker Dr","city":"Chicago","region":"IL","postal_code":"60606","country":"US"}},
		{"carrier":"ups","id":"UPS-ACC-CHI-2","name":"CVS Pharmacy","address":{"line1":"205 N Michigan Ave","city":"Chicago","region":"IL","postal_code":"60601","country":"US"}},
		{"carrier":"fedex","id":"FDX-1","name":"FedEx Office","address":{"line1":"1 E Wacker Dr","city":"Chicago","region":"IL","postal_code":"60601","country":"US"}}]`))
	if err != nil {
		t.Fatal(err)
	}
	f.page, err = New(f.srv, Options{Secret: []byte("fixture-secret"), Points: points, PerClient: -1})
	if err != nil {
		t.Fatal(err)
	}
	f.page.Register(f.srv)
	return f
}

func (f *fixture) handler() http.Handler { return f.srv }
