package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/schemas"
)

var milestoneKills = flag.Int("milestones.kills", 10, "times the milestone crash test kills serve with SIGKILL")

// TestMilestonesCrash runs `parcelcast serve` as a child process while
// shipments' scans (with duplicates) are published on the normalized
// topic, and kills it with SIGKILL at random moments once it has
// published something; a last run catches up. Every shipment's every
// milestone is on the milestones topic, and all the records of one
// shipment and kind carry one id: a record published again after a kill
// (published, not yet recorded) is a duplicate a consumer drops by id.
func TestMilestonesCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("runs serve as a child process")
	}
	ctx := context.Background()
	cfg, _ := env.Database(t)
	path := t.TempDir() + "/m.json"
	if _, err := tinyModel(t).Save(path); err != nil {
		t.Fatal(err)
	}
	normalized, topic := testenv.RandomName("normalized_"), testenv.RandomName("milestones_")
	const partitions = 3
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, partitions, normalized, topic); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	args := []string{"serve", "--clickhouse-addr", cfg.Addr, "--clickhouse-database", cfg.Database,
		"--kafka-brokers", strings.Join(env.Kafka.Brokers, ","), "--normalized-topic", normalized,
		"--milestones-topic", topic, "--insecure-no-auth", "--model", path,
		"--addr", addr, "--admin-addr", "", "--log-level", "error"}
	var logs []*bytes.Buffer // each run's stderr, shown if the test fails
	t.Cleanup(func() {
		if t.Failed() {
			for i, b := range logs {
				t.Logf("run %d:\n%s", i, b.String())
			}
		}
	})
	start := func() *exec.Cmd {
		logs = append(logs, &bytes.Buffer{})
		return startChild(t, args, logs[len(logs)-1])
	}

	// The scans, a step of every shipment at a time, each step's scans
	// published twice.
	const shipments = 60
	t0 := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Second)
	depot := schemas.Location{City: "Denver", Region: "CO", PostalCode: "80202", Country: "US"}
	dest := schemas.Location{City: "Denver", Region: "CO", PostalCode: "80205", Country: "US"}
	origin := schemas.Location{City: "Atlanta", Region: "GA", PostalCode: "30301", Country: "US"}
	steps := []struct {
		h      int
		status schemas.Status
		place  schemas.Location
		kind   schemas.MilestoneKind
	}{
		{0, schemas.StatusPickedUp, origin, schemas.MilestoneShipped},
		{20, schemas.StatusArrivedAtFacility, depot, schemas.MilestoneArrivedAtFacility},
		{30, schemas.StatusOutForDelivery, depot, schemas.MilestoneOutForDelivery},
		{40, schemas.StatusDelivered, dest, schemas.MilestoneDelivered},
	}
	want := map[string]bool{}
	pub := ingest.NewKafkaEvents(env.Kafka.Brokers, normalized)
	defer pub.Close()
	produced := make(chan error, 1)
	go func() { // publishes while serve is killed and started again
		defer close(produced)
		for _, s := range steps {
			var batch []schemas.ScanEvent
			for i := range shipments {
				e := schemas.ScanEvent{TrackingNumber: fmt.Sprintf("1Z999AA1%010d", i), Carrier: "ups", Service: "ground",
					Status: s.status, EventTime: t0.Add(time.Duration(s.h) * time.Hour), Location: s.place,
					Origin: origin, Destination: dest, Source: schemas.Source{IngestedAt: time.Now().UTC()}}
				e.EventID = schemas.ComputeEventID(&e)
				batch = append(batch, e, e)
			}
			for len(batch) > 0 {
				n := min(len(batch), 20)
				if err := pub.PublishEvents(ctx, batch[:n]); err != nil {
					produced <- err
					return
				}
				batch = batch[n:]
				time.Sleep(300 * time.Millisecond) // spread over the kills; nothing waits on it
			}
		}
	}()
	for i := range shipments {
		for _, s := range steps {
			want[fmt.Sprintf("1Z999AA1%010d|%s", i, s.kind)] = true
		}
	}

	end := func() int64 { // the records on the milestones topic
		var n int64
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
			n += last
		}
		return n
	}
	// Each run is killed at a random moment once it has published
	// something itself, every other time within 20 ms of that (between
	// the publish of a batch and its write to the table, often), or after
	// 5 s once the scans are all out and nothing new is left to publish.
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	for i := range *milestoneKills {
		before := end()
		cmd := start()
		for wait := time.Now().Add(5 * time.Second); end() == before && time.Now().Before(wait); {
			time.Sleep(2 * time.Millisecond)
		}
		if i%2 == 0 {
			time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
		} else {
			time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
	}
	if err := <-produced; err != nil {
		t.Fatalf("publish scans: %v", err)
	}

	final := start()
	defer func() { _ = final.Process.Kill(); _ = final.Wait() }()
	ids := map[string]map[string]int{} // number|kind → id → records
	read := func() {
		ids = map[string]map[string]int{}
		for p := range partitions {
			rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			conn, err := kafka.DialLeader(rctx, "tcp", env.Kafka.Brokers[0], topic, p)
			if err != nil {
				t.Fatal(err)
			}
			last, err := conn.ReadLastOffset()
			_ = conn.Close()
			if err != nil {
				t.Fatal(err)
			}
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Kafka.Brokers, Topic: topic, Partition: p, MaxWait: 50 * time.Millisecond})
			for off := int64(0); off < last; {
				m, err := r.ReadMessage(rctx)
				if err != nil {
					t.Fatalf("read partition %d: %v", p, err)
				}
				off = m.Offset + 1
				var ms schemas.Milestone
				if err := json.Unmarshal(m.Value, &ms); err != nil {
					t.Fatal(err)
				}
				k := ms.TrackingNumber + "|" + string(ms.Kind)
				if ids[k] == nil {
					ids[k] = map[string]int{}
				}
				ids[k][ms.ID]++
			}
			_ = r.Close()
			cancel()
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for read(); len(ids) < len(want); read() {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d milestones published within 2 minutes", len(ids), len(want))
		}
		time.Sleep(200 * time.Millisecond)
	}
	stopChild(t, final, "serve")
	read()
	records, again := 0, 0
	for k, byID := range ids {
		if !want[k] {
			t.Errorf("unexpected milestone %s", k)
		}
		if len(byID) != 1 {
			t.Errorf("%s published under %d ids: %v", k, len(byID), byID)
		}
		for _, n := range byID {
			records += n
			again += n - 1
		}
	}
	for k := range want {
		if ids[k] == nil {
			t.Errorf("%s not published", k)
		}
	}
	t.Logf("%d kills: %d milestones, %d records, %d of them published again under their id", *milestoneKills, len(ids), records, again)
	// A kill republishes at most what it left published and unrecorded:
	// one publish of a batch of changes, here at most 20 scans. A restart
	// that did not read the table back would publish everything again.
	if again > 20**milestoneKills {
		t.Errorf("%d records published again over %d kills", again, *milestoneKills)
	}
}
