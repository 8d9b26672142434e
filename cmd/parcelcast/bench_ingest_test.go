package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/ingest/sim/publish"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/schemas"
)

var (
	benchScans        = flag.Int("ingest.scans", 200000, "records BenchmarkIngest produces (make bench-ingest: 1000000)")
	benchArgs         = flag.String("ingest.args", "", "extra flags for the parcelcast ingest run, space-separated")
	benchEnv          = flag.String("ingest.env", "", "extra environment for the parcelcast ingest run, space-separated NAME=value (GOGC=200, GOMAXPROCS=1, …)")
	benchNormalized   = flag.Bool("ingest.normalized", false, "parcelcast also publishes every stored event to a normalized topic, as ingest does by default (off: the alternatives publish nothing)")
	benchAlternatives = flag.Bool("ingest.alternatives", true, "also run the Kafka engine, the naive loop and the INSERT … SELECT ceiling (false: parcelcast alone)")
	// With -ingest.profile, pass --pprof and --admin-addr at the same address in -ingest.args.
	benchProfile     = flag.String("ingest.profile", "", "write a 10 s CPU profile of parcelcast ingest to this file")
	benchProfileAddr = flag.String("ingest.profile-addr", "127.0.0.1:19464", "ingest's metrics address for -ingest.profile")
)

// The alternatives read scans as flat JSON objects, the shape ClickHouse's
// JSONEachRow reads, while parcelcast reads the carriers' own nested
// payloads. They get each scan twice over, on two topics:
//   - fullScan: every field parcelcast stores, named as scan_events'
//     columns (the generic feed's content, flattened). Written to a table
//     of scan_events' shape, this is the like-for-like comparison.
//   - flatScan: nine fields, written to a nine-column table: the
//     alternatives' easiest case, less work per row than parcelcast does.
type fullScan struct {
	EventID               string   `json:"event_id"`
	TrackingNumber        string   `json:"tracking_number"`
	Carrier               string   `json:"carrier"`
	ShipmentKey           string   `json:"shipment_key"`
	Service               string   `json:"service"`
	Status                string   `json:"status"`
	StatusDetail          string   `json:"status_detail"`
	CarrierCode           string   `json:"carrier_code"`
	Description           string   `json:"description"`
	EventTime             string   `json:"event_time"` // "YYYY-MM-DD hh:mm:ss", UTC
	UTCOffsetMinutes      int16    `json:"event_utc_offset_minutes"`
	OffsetInferred        uint8    `json:"offset_inferred"`
	OffsetApproximate     uint8    `json:"offset_approximate"`
	City                  string   `json:"city"`
	Region                string   `json:"region"`
	PostalCode            string   `json:"postal_code"`
	Country               string   `json:"country"`
	Lat                   *float64 `json:"lat,omitempty"`
	Lon                   *float64 `json:"lon,omitempty"`
	OriginPostalCode      string   `json:"origin_postal_code"`
	OriginRegion          string   `json:"origin_region"`
	OriginCountry         string   `json:"origin_country"`
	DestinationPostalCode string   `json:"destination_postal_code"`
	DestinationRegion     string   `json:"destination_region"`
	DestinationCountry    string   `json:"destination_country"`
	Mode                  string   `json:"mode"`
	PromisedDelivery      *string  `json:"promised_delivery,omitempty"` // as EventTime
}

func newFullScan(e *schemas.ScanEvent) fullScan {
	s := fullScan{schemas.ComputeEventID(e), e.TrackingNumber, e.Carrier, e.ShipmentKey, e.Service, string(e.Status), e.StatusDetail, e.CarrierCode,
		e.Description, e.EventTime.UTC().Format(time.DateTime), int16(e.UTCOffsetMinutes), 0, 0, e.Location.City, e.Location.Region,
		e.Location.PostalCode, e.Location.Country, nil, nil, e.Origin.PostalCode, e.Origin.Region, e.Origin.Country,
		e.Destination.PostalCode, e.Destination.Region, e.Destination.Country, e.Mode, nil}
	if e.OffsetInferred {
		s.OffsetInferred = 1
	}
	if e.OffsetApproximate {
		s.OffsetApproximate = 1
	}
	if e.Location.HasCoords {
		s.Lat, s.Lon = &e.Location.Lat, &e.Location.Lon
	}
	if e.PromisedDelivery != nil {
		p := e.PromisedDelivery.UTC().Format(time.DateTime)
		s.PromisedDelivery = &p
	}
	return s
}

// values are s's fields in chstore.PeerFullColumns' order, as the driver takes them.
func (s *fullScan) values() []any {
	t, _ := time.Parse(time.DateTime, s.EventTime)
	var promised *time.Time
	if s.PromisedDelivery != nil {
		p, _ := time.Parse(time.DateTime, *s.PromisedDelivery)
		promised = &p
	}
	return []any{s.EventID, s.TrackingNumber, s.Carrier, s.ShipmentKey, s.Service, s.Status, s.StatusDetail, s.CarrierCode, s.Description, t,
		s.UTCOffsetMinutes, s.OffsetInferred, s.OffsetApproximate, s.City, s.Region, s.PostalCode, s.Country, s.Lat, s.Lon, s.OriginPostalCode,
		s.OriginRegion, s.OriginCountry, s.DestinationPostalCode, s.DestinationRegion, s.DestinationCountry, s.Mode, promised}
}

// flatScan is the nine-field scan of the alternatives' easiest case, the
// columns chstore.PeerFlatColumns.
type flatScan struct {
	EventID        string `json:"event_id"`
	TrackingNumber string `json:"tracking_number"`
	Carrier        string `json:"carrier"`
	Status         string `json:"status"`
	EventTime      string `json:"event_time"` // "YYYY-MM-DD hh:mm:ss", UTC
	City           string `json:"city"`
	Region         string `json:"region"`
	PostalCode     string `json:"postal_code"`
	Country        string `json:"country"`
}

// naiveArgsEnv makes this test binary, re-executed, run the naive loop.
const naiveArgsEnv = "PARCELCAST_TEST_NAIVE_ARGS"

// naiveLoop is what a team writes in an afternoon: a kafka-go group
// reader, json.Unmarshal, a ClickHouse batch every 10 000 rows, commit.
// With full it reads fullScans into a table of the full shape, else
// flatScans into one of the flat shape.
func naiveLoop(brokers []string, topic, group string, ch chstore.Config, table string, full bool, want int) error {
	ctx := context.Background()
	conn, err := chstore.Open(ctx, ch)
	if err != nil {
		return err
	}
	defer conn.Close()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, GroupID: group, Topic: topic, StartOffset: kafka.FirstOffset, MaxBytes: 16 << 20})
	defer r.Close()
	var msgs []kafka.Message
	var rows [][]any
	done := 0
	flush := func() error {
		if err := conn.InsertPeerRows(ctx, table, full, rows); err != nil {
			return err
		}
		if err := r.CommitMessages(ctx, msgs...); err != nil {
			return err
		}
		done += len(msgs)
		msgs, rows = msgs[:0], rows[:0]
		return nil
	}
	for done < want {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return err
		}
		if full {
			var s fullScan
			if err := json.Unmarshal(m.Value, &s); err == nil {
				rows = append(rows, s.values())
			}
		} else {
			var s flatScan
			if err := json.Unmarshal(m.Value, &s); err == nil {
				t, _ := time.Parse(time.DateTime, s.EventTime)
				rows = append(rows, []any{s.EventID, s.TrackingNumber, s.Carrier, s.Status, t, s.City, s.Region, s.PostalCode, s.Country})
			}
		}
		msgs = append(msgs, m)
		if len(msgs) == 10000 || done+len(msgs) == want {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// BenchmarkIngest compares, on the same broker and ClickHouse server, the
// rate at which parcelcast ingest, ClickHouse's Kafka engine with a
// materialized view, and a naive kafka-go loop get the same scans into
// ClickHouse, with peak RSS. parcelcast reads each carrier's own payload;
// the other two read the scans as flat JSONEachRow, the Kafka engine's
// easiest case. Run it with `make bench-ingest`; it prints a table.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	chCfg, conn := env.Database(b)
	prefix := testenv.RandomName("bench_") + "."
	feeds := publish.CarrierFeeds(prefix)
	flatTopic, fullTopic := prefix+"flat", prefix+"full"
	topics := []string{flatTopic, fullTopic, prefix + "dlq", prefix + "normalized"}
	var pairs []string
	for t, f := range feeds.Topics() {
		topics = append(topics, t)
		pairs = append(pairs, t+"="+f)
	}
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 4, topics...); err != nil {
		b.Fatal(err)
	}

	// Produce: every carrier's format, and the same scans flat, twice.
	w := newScanWriter(env.Kafka.Brokers)
	defer w.Close()
	shipments := *benchScans * 10 / 75
	var flat []kafka.Message
	st, err := publish.All(ctx, w, sim.New(sim.Config{Seed: 99, Shipments: shipments, Days: 365}), feeds, publish.Options{BatchSize: 5000,
		Each: func(s *sim.Shipment) {
			for i := range s.Scans {
				e := &s.Scans[i]
				full := newFullScan(e)
				v, _ := json.Marshal(full)
				flat = append(flat, kafka.Message{Topic: fullTopic, Key: []byte(e.TrackingNumber), Value: v})
				v, _ = json.Marshal(flatScan{full.EventID, e.TrackingNumber, e.Carrier, string(e.Status), full.EventTime,
					e.Location.City, e.Location.Region, e.Location.PostalCode, e.Location.Country})
				flat = append(flat, kafka.Message{Topic: flatTopic, Key: []byte(e.TrackingNumber), Value: v})
			}
		}})
	if err != nil {
		b.Fatal(err)
	}
	flatRecords := len(flat) / 2 // on each of the two flat topics
	for len(flat) > 0 {
		n := min(5000, len(flat))
		if err := w.WriteMessages(ctx, flat[:n]...); err != nil {
			b.Fatal(err)
		}
		flat = flat[n:]
	}
	records := st.Records
	b.ResetTimer()

	// waitFor waits until table holds want rows, counted from the parts'
	// metadata: ClickHouse 18.16's count() reads a column of every part
	// on each poll, ten polls a second, on the server being measured.
	waitFor := func(table string, want uint64, limit time.Duration) (time.Duration, bool) {
		start := time.Now()
		for time.Since(start) < limit {
			p, err := conn.PartsOf(ctx, table)
			if err != nil {
				b.Fatal(err)
			}
			if p.ActiveRows >= want {
				return time.Since(start), true
			}
			time.Sleep(100 * time.Millisecond)
		}
		return time.Since(start), false
	}
	type result struct {
		name    string
		elapsed time.Duration
		ok      bool
		rss     float64
		cpu     time.Duration // the child process's user and system time
		note    string
		use     cpuUse
	}
	var results []result
	// The CPU used in each run by the ClickHouse server, when it is a
	// local process, and by this process, which holds the in-process
	// broker (and the polling of waitFor).
	meter := cpuMeter{server: env.ClickHouse.Pid(), broker: env.Kafka.Backend == localenv.BackendLocal}

	// 1. parcelcast ingest, a child process at its default settings but
	// for the normalized topic, off unless -ingest.normalized: the
	// alternatives publish nothing.
	normalized, note := "", "child process, default settings, no normalized topic"
	if *benchNormalized {
		normalized, note = prefix+"normalized", "child process, default settings"
	}
	args := []string{"ingest", "--clickhouse-addr", env.ClickHouse.Addr, "--clickhouse-database", chCfg.Database,
		"--kafka-brokers", strings.Join(env.Kafka.Brokers, ","), "--topics", strings.Join(pairs, ","),
		"--group", testenv.RandomName("pc_"), "--dlq-topic", prefix + "dlq", "--normalized-topic", normalized,
		"--metrics-addr", "", "--log-level", "error"}
	args = append(args, strings.Fields(*benchArgs)...)
	argv, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(append(os.Environ(), childArgsEnv+"="+string(argv)), strings.Fields(*benchEnv)...)
	cmd.Stderr = os.Stderr
	start, before := time.Now(), meter.read()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	if *benchProfile != "" { // a CPU profile of the run, from ingest's pprof endpoint
		go func() {
			time.Sleep(2 * time.Second)
			_ = exec.Command("curl", "-s", "-o", *benchProfile, "http://"+*benchProfileAddr+"/debug/pprof/profile?seconds=10").Run()
		}()
	}
	_, ok := waitFor("scan_events", uint64(st.Scans), 30*time.Minute)
	elapsed, used := time.Since(start), meter.since(before)
	if *benchProfile != "" {
		_ = exec.Command("curl", "-s", "-o", *benchProfile+".metrics", "http://"+*benchProfileAddr+"/metrics").Run()
	}
	rss := testenv.MemoryMB(cmd.Process.Pid, "VmHWM")
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	results = append(results, result{"parcelcast ingest (carrier formats)", elapsed, ok, rss, cpuTime(cmd), note, used})
	scanParts, _ := conn.PartsOf(ctx, "scan_events")

	// 2 and 3, twice: every field into a table of scan_events' shape (the
	// same engine, partitions and order; the like-for-like comparison),
	// then nine fields into a nine-column MergeTree (the alternatives'
	// easiest case).
	targets := []struct {
		label, suffix, topic string
		full                 bool
	}{
		{"every field, scan_events' shape", "_full", fullTopic, true},
		{"9 fields, 9-column table", "_flat", flatTopic, false},
	}
	if !*benchAlternatives {
		targets = nil
	}
	for _, target := range targets {
		engineTable, naiveTable := "engine"+target.suffix, "naive"+target.suffix
		// ClickHouse's Kafka engine and a materialized view.
		engine, err := conn.NewKafkaEngine(ctx, engineTable, env.Kafka.Brokers[0], target.topic, testenv.RandomName("ch_"), target.full)
		if err != nil {
			b.Fatal(err)
		}
		start, before = time.Now(), meter.read()
		if err := engine.Start(ctx); err != nil {
			b.Fatal(err)
		}
		_, ok = waitFor(engineTable, uint64(flatRecords), 30*time.Minute)
		elapsed, used = time.Since(start), meter.since(before)
		_ = engine.Stop(ctx)
		results = append(results, result{"Kafka engine + MV, " + target.label, elapsed, ok, 0, 0, "inside the ClickHouse server, flat JSONEachRow", used})

		// The naive loop, a child process.
		if err := conn.CreatePeerTable(ctx, naiveTable, target.full); err != nil {
			b.Fatal(err)
		}
		nargs, _ := json.Marshal(map[string]any{"brokers": env.Kafka.Brokers, "topic": target.topic, "group": testenv.RandomName("naive_"),
			"addr": env.ClickHouse.Addr, "database": chCfg.Database, "table": naiveTable, "full": target.full, "want": flatRecords})
		cmd = exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), naiveArgsEnv+"="+string(nargs))
		cmd.Stderr = os.Stderr
		start, before = time.Now(), meter.read()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		_, ok = waitFor(naiveTable, uint64(flatRecords), 30*time.Minute)
		elapsed, used = time.Since(start), meter.since(before)
		rss = testenv.MemoryMB(cmd.Process.Pid, "VmHWM")
		_ = cmd.Wait()
		results = append(results, result{"naive kafka-go loop, " + target.label, elapsed, ok, rss, cpuTime(cmd), "child process, flat JSON, 10 000-row batches", used})

		// The ceiling: the same rows inserted straight from one table into another.
		ceiling := "ceiling" + target.suffix
		if err := conn.CreatePeerTable(ctx, ceiling, target.full); err != nil {
			b.Fatal(err)
		}
		start, before = time.Now(), meter.read()
		if err := conn.CopyTable(ctx, naiveTable, ceiling); err != nil {
			b.Fatal(err)
		}
		results = append(results, result{"INSERT … SELECT ceiling, " + target.label, time.Since(start), true, 0, 0, "the same rows, no Kafka, no parsing", meter.since(before)})
	}
	b.StopTimer()

	fmt.Printf("\n%d records (%d distinct scans) on the in-process broker, ClickHouse %s\n", records, st.Scans, serverVersion(conn))
	fmt.Printf("parcelcast wrote %d parts of scan_events over %d monthly partitions\n", scanParts.All, scanParts.Partitions)
	fmt.Printf("| %-58s | %7s | %9s | %11s | %12s | %12s | %12s | %13s | %s\n", "ingest", "seconds", "records/s", "peak RSS MB",
		"client CPU s", "server CPU s", "broker CPU s", "CPU µs/record", "note")
	rate := make([]float64, len(results))
	for i, r := range results {
		status := ""
		if !r.ok {
			status = " (did not finish)"
		}
		n := flatRecords
		if i == 0 {
			n = records
		}
		rate[i] = float64(n) / r.elapsed.Seconds()
		server, broker, perRecord := "-", "-", "-"
		if r.use.server >= 0 {
			server = fmt.Sprintf("%.1f", r.use.server)
		}
		if r.use.broker >= 0 {
			broker = fmt.Sprintf("%.1f", r.use.broker)
		}
		if r.use.server >= 0 && r.use.broker >= 0 {
			perRecord = fmt.Sprintf("%.1f", (r.cpu.Seconds()+r.use.server+r.use.broker)/float64(n)*1e6)
		}
		fmt.Printf("| %-58s | %7.1f | %9.0f | %11.0f | %12.1f | %12s | %12s | %13s | %s%s\n", r.name, r.elapsed.Seconds(), rate[i], r.rss,
			r.cpu.Seconds(), server, broker, perRecord, r.note, status)
	}
	// results: parcelcast, then per target the engine, the naive loop and the ceiling.
	for i, target := range targets {
		engine, naive := rate[1+3*i], rate[2+3*i]
		fmt.Printf("parcelcast against %s: %.2f× the Kafka engine (target 1.5×), %.2f× the naive loop (target 2×)\n",
			target.label, rate[0]/engine, rate[0]/naive)
	}
}

// cpuUse is the CPU, in seconds, used during one run by the ClickHouse
// server and by the bench process with its in-process broker; -1 where
// that process is not on this machine.
type cpuUse struct{ server, broker float64 }

// cpuMeter reads the CPU time of the server process (pid 0: not known)
// and, when broker is set, of this process.
type cpuMeter struct {
	server int
	broker bool
}

func (m cpuMeter) read() cpuUse {
	u := cpuUse{server: -1, broker: -1}
	if m.server != 0 {
		u.server = testenv.CPUSeconds(m.server)
	}
	if m.broker {
		u.broker = testenv.CPUSeconds(0)
	}
	return u
}

// since is the CPU used from before to now.
func (m cpuMeter) since(before cpuUse) cpuUse {
	now := m.read()
	if before.server >= 0 {
		now.server -= before.server
	}
	if before.broker >= 0 {
		now.broker -= before.broker
	}
	return now
}

// cpuTime is the user and system time of a child process that ended.
func cpuTime(cmd *exec.Cmd) time.Duration {
	if cmd.ProcessState == nil {
		return 0
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

func serverVersion(conn *chstore.DB) string {
	v, _ := conn.ServerVersion(context.Background())
	return v
}
