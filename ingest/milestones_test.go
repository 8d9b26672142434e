package ingest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/predict/milestones"
	"github.com/parcelcast/parcelcast/schemas"
)

var (
	msOrigin = schemas.Location{City: "Atlanta", Region: "GA", PostalCode: "30301", Country: "US"}
	msHub    = schemas.Location{City: "Louisville", Region: "KY", PostalCode: "40201", Country: "US"}
	msDepot  = schemas.Location{City: "Denver", Region: "CO", PostalCode: "80202", Country: "US"}
	msDest   = schemas.Location{City: "Denver", Region: "CO", PostalCode: "80205", Country: "US"}
)

// milestoneEvent is a scan of a shipment from Atlanta to Denver.
func milestoneEvent(number string, at time.Time, status schemas.Status, place schemas.Location) schemas.ScanEvent {
	e := schemas.ScanEvent{TrackingNumber: number, Carrier: "ups", Service: "ground", Status: status, EventTime: at,
		Location: place, Origin: msOrigin, Destination: msDest, OrderRef: "order-" + number,
		Source: schemas.Source{IngestedAt: time.Now().UTC()}}
	e.EventID = schemas.ComputeEventID(&e)
	return e
}

// milestonePipeline is the live state following a normalized topic and
// the emitter publishing its milestones, as serve runs them.
type milestonePipeline struct {
	store   *live.Store
	emitter *milestones.Emitter
	stop    func()
}

func startMilestones(t testing.TB, normalized, topic string, db *chstore.DB) *milestonePipeline {
	t.Helper()
	fol, err := ingest.NewFollower(ingest.FollowConfig{Brokers: env.Kafka.Brokers, Topic: normalized})
	if err != nil {
		t.Fatal(err)
	}
	pub := ingest.NewKafkaMilestones(env.Kafka.Brokers, topic)
	p := &milestonePipeline{}
	var em *milestones.Emitter
	store, err := live.New(live.Options{Stream: fol, OnChange: func(sh predict.Shipment) { em.ShipmentChanged(sh) }})
	if err != nil {
		t.Fatal(err)
	}
	em, err = milestones.New(milestones.Options{Publisher: pub, Recorder: chstore.NewMilestones(db), Shipments: store, Walker: store})
	if err != nil {
		t.Fatal(err)
	}
	p.store, p.emitter = store, em
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { done <- store.Run(ctx) }()
	go func() { done <- em.Run(ctx) }()
	p.stop = func() {
		cancel()
		for range 2 {
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("run: %v", err)
			}
		}
		_ = pub.Close()
	}
	return p
}

// settle waits until the live state caught up with the topic and the
// emitter looked at every change.
func (p *milestonePipeline) settle(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		q, d := p.emitter.Backlog()
		if p.store.Ready() == nil && q == 0 && d == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled within 30 s: ready %v, queued %d, dropped %d", p.store.Ready(), q, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// readMilestones reads every record of the topic, each partition up to
// its end.
func readMilestones(t testing.TB, topic string, partitions int) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []kafka.Message
	for p := range partitions {
		conn, err := kafka.DialLeader(ctx, "tcp", env.Kafka.Brokers[0], topic, p)
		if err != nil {
			t.Fatal(err)
		}
		last, err := conn.ReadLastOffset()
		_ = conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		if last == 0 {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Kafka.Brokers, Topic: topic, Partition: p, MaxWait: 50 * time.Millisecond})
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatalf("read %s partition %d: %v", topic, p, err)
			}
			out = append(out, m)
			if m.Offset >= last-1 {
				break
			}
		}
		_ = r.Close()
	}
	return out
}

// TestMilestonesExactlyOnce runs the live state and the emitter on a
// normalized topic with duplicate and late scans, stops them, publishes
// the rest of the journeys and starts them again: the restart replays the
// topic's scans and reads back the table, and the milestones topic holds
// exactly one record per shipment and kind, each as the scans say.
func TestMilestonesExactlyOnce(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	normalized, topic := testenv.RandomName("msnorm_"), testenv.RandomName("ms_")
	const partitions = 3
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, partitions, normalized, topic); err != nil {
		t.Fatal(err)
	}
	scans := ingest.NewKafkaEvents(env.Kafka.Brokers, normalized)
	defer scans.Close()
	t0 := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	const shipments = 40
	number := func(i int) string { return fmt.Sprintf("1Z999AA1%010d", i) }
	type step struct {
		h      int
		status schemas.Status
		place  schemas.Location
	}
	first := []step{{0, schemas.StatusInfoReceived, msOrigin}, {2, schemas.StatusPickedUp, msOrigin},
		{8, schemas.StatusArrivedAtFacility, msHub}, {20, schemas.StatusArrivedAtFacility, msDepot}}
	second := []step{{30, schemas.StatusOutForDelivery, msDepot}, {40, schemas.StatusDelivered, msDest}}
	events := func(steps []step, i int) []schemas.ScanEvent {
		var out []schemas.ScanEvent
		for _, s := range steps {
			out = append(out, milestoneEvent(number(i), t0.Add(time.Duration(s.h)*time.Hour), s.status, s.place))
		}
		return out
	}
	var batch []schemas.ScanEvent
	for i := range shipments {
		ev := events(first, i)
		if i%2 == 1 { // out of order: the depot's scan before the pickup
			ev[1], ev[3] = ev[3], ev[1]
		}
		batch = append(batch, ev...)
		batch = append(batch, ev[1]) // a duplicate
	}
	if err := scans.PublishEvents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{} // number|kind → At
	// A shipment whose depot scan came before its pickup scan may have
	// been seen without the pickup, with the depot's scan alone or with
	// the hub's too (the follower's batches decide): shipped is then at
	// the earliest of those seen.
	alsoAt := map[string][]time.Time{}
	for i := range shipments {
		want[number(i)+"|"+string(schemas.MilestoneShipped)] = t0.Add(2 * time.Hour)
		if i%2 == 1 {
			alsoAt[number(i)+"|"+string(schemas.MilestoneShipped)] = []time.Time{t0.Add(20 * time.Hour), t0.Add(8 * time.Hour)}
		}
		want[number(i)+"|"+string(schemas.MilestoneArrivedAtFacility)] = t0.Add(20 * time.Hour)
	}

	p := startMilestones(t, normalized, topic, db)
	p.settle(t)
	p.stop()

	batch = batch[:0]
	for i := range shipments {
		ev := events(second, i)
		if i%3 == 0 { // delivered before out for delivery
			ev[0], ev[1] = ev[1], ev[0]
		}
		batch = append(batch, ev...)
		batch = append(batch, events(first, i)...) // the first half again
		want[number(i)+"|"+string(schemas.MilestoneOutForDelivery)] = t0.Add(30 * time.Hour)
		want[number(i)+"|"+string(schemas.MilestoneDelivered)] = t0.Add(40 * time.Hour)
	}
	if err := scans.PublishEvents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	p = startMilestones(t, normalized, topic, db)
	p.settle(t)
	p.stop()
	p = startMilestones(t, normalized, topic, db) // a replay alone
	p.settle(t)
	p.stop()

	got := map[string]schemas.Milestone{}
	for _, m := range readMilestones(t, topic, partitions) {
		var ms schemas.Milestone
		if err := json.Unmarshal(m.Value, &ms); err != nil {
			t.Fatalf("record %q: %v", m.Value, err)
		}
		if string(m.Key) != ms.TrackingNumber {
			t.Errorf("record keyed %q, of %s", m.Key, ms.TrackingNumber)
		}
		k := ms.TrackingNumber + "|" + string(ms.Kind)
		if prev, dup := got[k]; dup {
			t.Errorf("%s published twice: %s and %s", k, prev.ID, ms.ID)
		}
		got[k] = ms
		if ms.ID != milestones.ID(ms.Carrier, ms.TrackingNumber, ms.ShipmentKey, ms.ShipmentStart, ms.Kind) ||
			!ms.ShipmentStart.Equal(t0) || ms.OrderRef != "order-"+ms.TrackingNumber || ms.Carrier != "ups" {
			t.Errorf("%s: %+v", k, ms)
		}
	}
	for k, at := range want {
		ms, ok := got[k]
		if !ok {
			t.Errorf("%s not published", k)
			continue
		}
		if !ms.At.Equal(at) && !slices.ContainsFunc(alsoAt[k], ms.At.Equal) {
			t.Errorf("%s at %v, want %v", k, ms.At, at)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d milestones published, want %d", len(got), len(want))
	}
	rows := 0
	if err := chstore.NewMilestones(db).PublishedMilestones(ctx, time.Time{}, func(schemas.Milestone) error { rows++; return nil }); err != nil {
		t.Fatal(err)
	}
	if rows != len(want) {
		t.Errorf("the table holds %d milestones, want %d", rows, len(want))
	}
}
