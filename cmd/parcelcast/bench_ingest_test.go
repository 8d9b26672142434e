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

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/internal/chdb"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/schemas"
)

var (
	benchScans        = flag.Int("ingest.scans", 200000, "records BenchmarkIngest produces (make bench-ingest: 1000000)")
	benchArgs         = flag.String("ingest.args", "", "extra flags for the parcelcast ingest run, space-separated")
	benchAlternatives = flag.Bool("ingest.alternatives", true, "also run the Kafka engine, the naive loop and the INSERT … SELECT ceiling (false: parcelcast alone)")
	// With -ingest.profile, pass --metrics-addr in -ingest.args at the same address.
	benchProfile     = flag.String("ingest.profile", "", "write a 5 s CPU profile of parcelcast ingest to this file")
	benchProfileAddr = flag.String("ingest.profile-addr", "127.0.0.1:19464", "ingest's metrics address for -ingest.profile")
)

// flatScan is a scan as one flat JSON object, the shape ClickHouse's
// JSONEachRow reads; the alternatives read it, while parcelcast reads the
// carriers' own nested payloads.
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

// flatNames are flatColumns' names, for inserts into wider tables.
const flatNames = "event_id, tracking_number, carrier, status, event_time, city, region, postal_code, country"

const flatColumns = `event_id String, tracking_number String, carrier String, status String, event_time DateTime('UTC'),
	city String, region String, postal_code String, country String`

// naiveArgsEnv makes this test binary, re-executed, run the naive loop.
const naiveArgsEnv = "PARCELCAST_TEST_NAIVE_ARGS"

// naiveLoop is what a team writes in an afternoon: a kafka-go group
// reader, json.Unmarshal, a ClickHouse batch every 10 000 rows, commit.
func naiveLoop(brokers []string, topic, group string, ch chdb.Config, table string, want int) error {
	ctx := context.Background()
	conn, err := chdb.Open(ctx, ch)
	if err != nil {
		return err
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, GroupID: group, Topic: topic, StartOffset: kafka.FirstOffset, MaxBytes: 16 << 20})
	defer r.Close()
	var msgs []kafka.Message
	var rows []flatScan
	done := 0
	flush := func() error {
		batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+table+" ("+flatNames+")")
		if err != nil {
			return err
		}
		for _, s := range rows {
			t, _ := time.Parse(time.DateTime, s.EventTime)
			if err := batch.Append(s.EventID, s.TrackingNumber, s.Carrier, s.Status, t, s.City, s.Region, s.PostalCode, s.Country); err != nil {
				return err
			}
		}
		if err := batch.Send(); err != nil {
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
		var s flatScan
		if err := json.Unmarshal(m.Value, &s); err == nil {
			rows = append(rows, s)
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
	feeds := sim.CarrierFeeds(prefix)
	flatTopic := prefix + "flat"
	topics := []string{flatTopic, prefix + "dlq", prefix + "normalized"}
	var pairs []string
	for t, f := range feeds.Topics() {
		topics = append(topics, t)
		pairs = append(pairs, t+"="+f)
	}
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 4, topics...); err != nil {
		b.Fatal(err)
	}

	// Produce: every carrier's format, and the same scans flat.
	w := newScanWriter(env.Kafka.Brokers)
	defer w.Close()
	shipments := *benchScans * 10 / 75
	var flat []kafka.Message
	st, err := sim.Publish(ctx, w, sim.New(sim.Config{Seed: 99, Shipments: shipments, Days: 365}), feeds, sim.Options{BatchSize: 5000,
		Each: func(s *sim.Shipment) {
			for i := range s.Scans {
				e := &s.Scans[i]
				v, _ := json.Marshal(flatScan{schemas.ComputeEventID(e), e.TrackingNumber, e.Carrier, string(e.Status),
					e.EventTime.UTC().Format(time.DateTime), e.Location.City, e.Location.Region, e.Location.PostalCode, e.Location.Country})
				flat = append(flat, kafka.Message{Topic: flatTopic, Key: []byte(e.TrackingNumber), Value: v})
			}
		}})
	if err != nil {
		b.Fatal(err)
	}
	for len(flat) > 0 {
		n := min(5000, len(flat))
		if err := w.WriteMessages(ctx, flat[:n]...); err != nil {
			b.Fatal(err)
		}
		flat = flat[n:]
	}
	records := st.Records
	b.ResetTimer()

	count := func(q string) uint64 {
		var n uint64
		if err := conn.QueryRow(ctx, q).Scan(&n); err != nil {
			b.Fatal(err)
		}
		return n
	}
	waitFor := func(q string, want uint64, limit time.Duration) (time.Duration, bool) {
		start := time.Now()
		for time.Since(start) < limit {
			if count(q) >= want {
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
		note    string
	}
	var results []result

	// 1. parcelcast ingest, a child process at its default settings.
	args := []string{"ingest", "--clickhouse-addr", env.ClickHouse.Addr, "--clickhouse-database", chCfg.Database,
		"--kafka-brokers", strings.Join(env.Kafka.Brokers, ","), "--topics", strings.Join(pairs, ","),
		"--group", testenv.RandomName("pc_"), "--dlq-topic", prefix + "dlq", "--normalized-topic", "",
		"--metrics-addr", "", "--log-level", "error"}
	args = append(args, strings.Fields(*benchArgs)...)
	argv, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childArgsEnv+"="+string(argv))
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	if *benchProfile != "" { // a CPU profile of the run, from ingest's pprof endpoint
		go func() {
			time.Sleep(2 * time.Second)
			out, _ := exec.Command("curl", "-s", "-o", *benchProfile, "http://"+*benchProfileAddr+"/debug/pprof/profile?seconds=5").CombinedOutput()
			_ = out
		}()
	}
	_, ok := waitFor("SELECT count() FROM scan_events", uint64(st.Scans), 30*time.Minute)
	elapsed := time.Since(start)
	if *benchProfile != "" {
		_ = exec.Command("curl", "-s", "-o", *benchProfile+".metrics", "http://"+*benchProfileAddr+"/metrics").Run()
	}
	rss := testenv.MemoryMB(cmd.Process.Pid, "VmHWM")
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	results = append(results, result{"parcelcast ingest (carrier formats)", elapsed, ok, rss, "child process, default settings"})
	var parts, partitions uint64
	_ = conn.QueryRow(ctx, "SELECT count(), uniqExact(partition) FROM system.parts WHERE database = ? AND table = 'scan_events'", chCfg.Database).Scan(&parts, &partitions)

	// 2 and 3, twice: into a flat 9-column MergeTree (the alternatives'
	// easiest case), then into a table like parcelcast's own (the same
	// engine, partitions and order as scan_events, the flat columns filled).
	targets := []struct{ label, ddl string }{
		{"flat table", "(" + flatColumns + ") ENGINE = MergeTree ORDER BY (tracking_number, event_time)"},
		{"scan_events' shape", "AS scan_events"},
	}
	if !*benchAlternatives {
		targets = nil
	}
	for _, target := range targets {
		suffix := "_flat"
		if target.label != "flat table" {
			suffix = "_same"
		}
		engineTable, naiveTable := "engine_target"+suffix, "naive"+suffix
		// The queue reads status as the target's type: ClickHouse 18.16 does
		// not convert a String to an Enum8 on the way into the view's table.
		queueColumns := flatColumns
		if suffix == "_same" {
			var enum string
			if err := conn.QueryRow(ctx, "SELECT type FROM system.columns WHERE database = currentDatabase() AND table = 'scan_events' AND name = 'status'").Scan(&enum); err != nil {
				b.Fatal(err)
			}
			queueColumns = strings.Replace(flatColumns, "status String", "status "+enum, 1)
		}
		// ClickHouse's Kafka engine and a materialized view.
		for _, q := range []string{
			"CREATE TABLE " + engineTable + " " + target.ddl,
			fmt.Sprintf("CREATE TABLE engine_queue (%s) ENGINE = Kafka('%s', '%s', '%s', 'JSONEachRow')",
				queueColumns, env.Kafka.Brokers[0], flatTopic, testenv.RandomName("ch_")),
		} {
			if err := conn.Exec(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
		selectList := flatNames
		if suffix == "_same" {
			selectList = sameShapeSelect(b, conn)
		}
		start = time.Now()
		if err := conn.Exec(ctx, "CREATE MATERIALIZED VIEW engine_mv TO "+engineTable+" AS SELECT "+selectList+" FROM engine_queue"); err != nil {
			b.Fatal(err)
		}
		_, ok = waitFor("SELECT count() FROM "+engineTable, uint64(records), 30*time.Minute)
		elapsed = time.Since(start)
		_ = conn.Exec(ctx, "DROP TABLE engine_mv")
		_ = conn.Exec(ctx, "DROP TABLE engine_queue")
		results = append(results, result{"ClickHouse Kafka engine + MV, " + target.label, elapsed, ok, 0, "inside the ClickHouse server, flat JSONEachRow"})

		// The naive loop, a child process.
		if err := conn.Exec(ctx, "CREATE TABLE "+naiveTable+" "+target.ddl); err != nil {
			b.Fatal(err)
		}
		nargs, _ := json.Marshal(map[string]any{"brokers": env.Kafka.Brokers, "topic": flatTopic, "group": testenv.RandomName("naive_"),
			"addr": env.ClickHouse.Addr, "database": chCfg.Database, "table": naiveTable, "want": records})
		cmd = exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), naiveArgsEnv+"="+string(nargs))
		cmd.Stderr = os.Stderr
		start = time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		_, ok = waitFor("SELECT count() FROM "+naiveTable, uint64(records), 30*time.Minute)
		elapsed = time.Since(start)
		rss = testenv.MemoryMB(cmd.Process.Pid, "VmHWM")
		_ = cmd.Wait()
		results = append(results, result{"naive kafka-go loop, " + target.label, elapsed, ok, rss, "child process, flat JSON, 10 000-row batches"})
	}

	// 4. The ceiling: the same rows inserted straight into ClickHouse.
	ceilings := []struct{ label, ddl, from string }{
		{"flat table", "(" + flatColumns + ") ENGINE = MergeTree ORDER BY (tracking_number, event_time)", "naive_flat"},
		{"scan_events' shape", "AS scan_events", "naive_same"},
	}
	if !*benchAlternatives {
		ceilings = nil
	}
	for _, c := range ceilings {
		table := "ceiling_" + c.from
		if err := conn.Exec(ctx, "CREATE TABLE "+table+" "+c.ddl); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		if err := conn.Exec(ctx, "INSERT INTO "+table+" SELECT * FROM "+c.from); err != nil {
			b.Fatal(err)
		}
		results = append(results, result{"ClickHouse INSERT … SELECT (ceiling), " + c.label, time.Since(start), true, 0, "the same rows, no Kafka, no parsing"})
	}
	b.StopTimer()

	fmt.Printf("\n%d records (%d distinct scans) on the in-process broker, ClickHouse %s\n", records, st.Scans, serverVersion(conn))
	fmt.Printf("parcelcast wrote %d parts of scan_events over %d monthly partitions\n", parts, partitions)
	fmt.Printf("| %-52s | %10s | %12s | %13s | %s\n", "ingest", "seconds", "records/s", "peak RSS MB", "note")
	for _, r := range results {
		status := ""
		if !r.ok {
			status = " (did not finish)"
		}
		fmt.Printf("| %-52s | %10.1f | %12.0f | %13.0f | %s%s\n", r.name, r.elapsed.Seconds(), float64(records)/r.elapsed.Seconds(), r.rss, r.note, status)
	}
}

// sameShapeSelect is the view's select list into a table shaped like
// scan_events: the flat columns, and a default for every other column
// (ClickHouse 18.16 wants every column of the view's table).
func sameShapeSelect(b *testing.B, conn driver.Conn) string {
	rows, err := conn.Query(context.Background(), "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'scan_events'")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	flat := map[string]bool{}
	for _, n := range strings.Split(flatNames, ", ") {
		flat[n] = true
	}
	var list []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			b.Fatal(err)
		}
		switch {
		case flat[name]:
			list = append(list, name)
		case name == "ingested_at":
			list = append(list, "now() AS ingested_at")
		case strings.HasPrefix(typ, "Nullable"):
			list = append(list, "CAST(NULL AS "+typ+") AS "+name)
		case typ == "String":
			list = append(list, "'' AS "+name)
		default:
			list = append(list, "CAST(0 AS "+typ+") AS "+name)
		}
	}
	return strings.Join(list, ", ")
}

func serverVersion(conn driver.Conn) string {
	var v string
	_ = conn.QueryRow(context.Background(), "SELECT version()").Scan(&v)
	return v
}
