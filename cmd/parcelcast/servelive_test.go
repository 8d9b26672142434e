package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/schemas"
)

func TestParseOwnership(t *testing.T) {
	for _, c := range []struct {
		in   string
		want live.Ownership
		err  bool
	}{
		{"", live.Ownership{}, false},
		{"1,3/12", live.Ownership{Of: 12, Owned: []int{1, 3}}, false},
		{" 0 / 1", live.Ownership{Of: 1, Owned: []int{0}}, false},
		{"1,3", live.Ownership{}, true},
		{"/12", live.Ownership{}, true},
		{"a/12", live.Ownership{}, true},
		{"1/x", live.Ownership{}, true},
	} {
		got, err := parseOwnership(c.in)
		if (err != nil) != c.err || got.Of != c.want.Of || !slices.Equal(got.Owned, c.want.Owned) {
			t.Errorf("parseOwnership(%q) = %+v, %v; want %+v, error %v", c.in, got, err, c.want, c.err)
		}
	}
}

// gatedBootstrap holds the real bootstrap until open is closed.
type gatedBootstrap struct {
	real live.RecentScans
	open chan struct{}
}

func (g gatedBootstrap) RecentScans(ctx context.Context, since time.Time, fn func(*schemas.ScanEvent) error) error {
	select {
	case <-g.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.real.RecentScans(ctx, since, fn)
}

// gatedStream holds the real follower's caught-up report until open is
// closed.
type gatedStream struct {
	live.Stream
	open chan struct{}
}

func (g gatedStream) Follow(ctx context.Context, from time.Time, apply func([]schemas.ScanEvent), caughtUp func()) error {
	return g.Stream.Follow(ctx, from, apply, func() {
		go func() { // owned by Follow's ctx: ends with it or once open
			select {
			case <-g.open:
				caughtUp()
			case <-ctx.Done():
			}
		}()
	})
}

func liveScan(number string, at time.Time, status schemas.Status) schemas.ScanEvent {
	e := schemas.ScanEvent{TrackingNumber: number, Carrier: "ups", Service: "ground", Status: status, EventTime: at,
		UTCOffsetMinutes: -300, Location: schemas.Location{City: "Atlanta", Region: "GA", Country: "US"},
		Origin: schemas.Location{PostalCode: "10001", Country: "US"}, Destination: schemas.Location{PostalCode: "94103", Country: "US"},
		Source: schemas.Source{IngestedAt: at}}
	e.EventID = schemas.ComputeEventID(&e)
	return e
}

// biasModel predicts 24 hours from any snapshot (saved and loaded, as
// serve loads it).
func biasModel(t *testing.T) *model.Model {
	t.Helper()
	path := t.TempDir() + "/m.json"
	if _, err := biasArtifact().Save(path); err != nil {
		t.Fatal(err)
	}
	m, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func biasArtifact() *model.Model {
	q := make([]float64, len(model.ResidualLevels))
	for i, l := range model.ResidualLevels {
		q[i] = (l - 0.5) * 2
	}
	return &model.Model{FormatVersion: model.FormatVersion, FeatureSchema: model.FeatureSchema(), Version: "bias-1",
		Features: []string{"bias"},
		Lane:     &model.Fit{TargetScale: 1, Coef: []float64{3.2188758248682006}, Residuals: map[string][]float64{"*": q}}}
}

// serve's live state end to end: not ready until the bootstrap from
// ClickHouse is done and the topic caught up; then the ETA endpoint
// answers from memory, shipments of the database and of the topic alike,
// and a scan published on the topic changes the next answer.
func TestServeLiveState(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, db := env.Database(t)
	topic := testenv.RandomName("normalized_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 3, topic); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	stored, published := "1Z999AA10123456784", "1Z999AA10123456793"
	if err := chstore.NewScanWriter(db).WriteEvents(ctx, []schemas.ScanEvent{
		liveScan(stored, now.Add(-30*time.Hour), schemas.StatusPickedUp), liveScan(stored, now.Add(-2*time.Hour), schemas.StatusInTransit),
	}); err != nil {
		t.Fatal(err)
	}
	pub := ingest.NewKafkaEvents(env.Kafka.Brokers, topic)
	defer pub.Close()
	if err := pub.PublishEvents(ctx, []schemas.ScanEvent{liveScan(published, now.Add(-time.Hour), schemas.StatusPickedUp)}); err != nil {
		t.Fatal(err)
	}

	lf := &liveFlags{brokers: env.Kafka.Brokers[0], topic: topic, retention: live.DefaultRetention,
		silence: live.DefaultMaxSilence}
	fol, err := ingest.NewFollower(ingest.FollowConfig{Brokers: env.Kafka.Brokers, Topic: topic})
	if err != nil {
		t.Fatal(err)
	}
	bootGate, catchGate := make(chan struct{}), make(chan struct{})
	scans := chstore.NewLiveScans(db)
	store, err := live.New(live.Options{Bootstrap: gatedBootstrap{scans, bootGate}, Lookup: scans,
		Stream: gatedStream{fol, catchGate}, Retention: lf.retention, MaxSilence: lf.silence})
	if err != nil {
		t.Fatal(err)
	}
	srv := predict.NewServer(store, biasModel(t), predict.Options{
		Ready: []predict.ReadyCheck{{Name: "live_state", Check: func(context.Context) error { return store.Ready() }}}})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	done := make(chan error, 1)
	go func() { done <- store.Run(ctx) }()

	get := func(path string) (int, map[string]any) {
		t.Helper()
		resp, err := http.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	poll := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if code, _ := get("/readyz"); code != http.StatusServiceUnavailable || !errors.Is(store.Ready(), live.ErrBootstrapping) {
		t.Fatalf("ready before the bootstrap: %d %v", code, store.Ready())
	}
	close(bootGate)
	poll("the bootstrap", func() bool { return errors.Is(store.Ready(), live.ErrCatchingUp) })
	if code, _ := get("/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("ready before catching up: %d", code)
	}
	close(catchGate)
	poll("ready", func() bool { return store.Ready() == nil })
	if code, body := get("/readyz"); code != 200 {
		t.Fatalf("readyz: %d %v", code, body)
	}
	for _, n := range []string{stored, published} {
		if code, body := get("/v1/shipments/" + n + "/eta"); code != 200 || body["eta"] == nil {
			t.Errorf("%s: %d %v", n, code, body)
		}
	}
	if n, sc := store.Len(); n != 2 || sc != 3 {
		t.Errorf("held %d numbers, %d scans; want 2, 3", n, sc)
	}
	// A delivery published on the topic: the next answers say so.
	if err := pub.PublishEvents(ctx, []schemas.ScanEvent{liveScan(stored, now.Add(-time.Minute), schemas.StatusDelivered)}); err != nil {
		t.Fatal(err)
	}
	poll("the delivery in the answer", func() bool {
		_, body := get("/v1/shipments/" + stored + "/eta")
		return body["status"] == "delivered" && body["delivered_at"] != nil
	})
	cancel()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// serve's live-state flags take the defaults of predict/live, the
// environment, and the command line, which wins.
func TestLiveFlags(t *testing.T) {
	t.Setenv("PARCELCAST_PARTITIONS", "0,1/4")
	t.Setenv("PARCELCAST_MAX_SILENCE", "250h")
	fs := newFlagSet("serve", "")
	lf := addLiveFlags(fs)
	if err := parse(fs, []string{"--retention", "72h"}); err != nil {
		t.Fatal(err)
	}
	if lf.partitions != "0,1/4" || lf.retention != 72*time.Hour ||
		lf.silence != 250*time.Hour || lf.topic != ingest.NormalizedTopic || lf.brokers != "127.0.0.1:9092" {
		t.Errorf("flags %+v", *lf)
	}
}
