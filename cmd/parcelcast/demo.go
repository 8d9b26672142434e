package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/ingest/sim/publish"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/predict/trackpage"
)

func runDemo(ctx context.Context, args []string) error {
	fs := newFlagSet("demo", "Run the whole pipeline on this machine: a local ClickHouse and Kafka broker, simulated scans, ingest, training, and the ETA API.")
	sf := addSimFlags(fs, 4000, 35, "now")
	addr := fs.String("addr", "127.0.0.1:8080", "API listen address")
	once := fs.Bool("once", false, "exit after printing the results instead of serving until interrupted")
	dir := fs.String("dir", "", "directory for the model artifact (default: a temporary directory)")
	database := fs.String("clickhouse-database", "parcelcast_demo", "ClickHouse database the demo writes to (created when missing)")
	newLog := logFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	log := newLog()
	out := os.Stdout
	cfg, err := sf.config(time.Now())
	if err != nil {
		return err
	}

	step := stepper(out)
	step("starting ClickHouse and Kafka")
	env, err := localenv.Start(ctx, log)
	if err != nil {
		return err
	}
	defer env.Close()
	fmt.Fprintf(out, "      ClickHouse %s (%s), Kafka %s (%s)\n", env.ClickHouse.Addr, env.ClickHouse.Backend, strings.Join(env.Kafka.Brokers, ","), env.Kafka.Backend)

	step("migrating the schema")
	chCfg := &chstore.Config{Addr: env.ClickHouse.Addr, Database: *database}
	if _, err := migrate(ctx, chCfg); err != nil {
		return err
	}
	conn, err := openClickHouse(ctx, chCfg)
	if err != nil {
		return err
	}
	defer conn.Close()

	step(fmt.Sprintf("simulating %d shipments over %d days into Kafka", cfg.Shipments, cfg.Days))
	feeds := publish.CarrierFeeds(ingest.RawTopicPrefix)
	var truth []sim.Shipment
	st, err := publishSim(ctx, env.Kafka.Brokers, feeds, cfg, func(s *sim.Shipment) {
		if len(s.Scans) > 0 {
			truth = append(truth, *s)
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "      %d records published in the carriers' own formats (UPS, FedEx, USPS, DHL JSON; EDI 214):\n", st.Records)
	fmt.Fprintf(out, "      %d distinct scans, %d duplicates, %d reordered, %d scans missing, %d with clock skew, %d malformed\n",
		st.Scans, st.Duplicates, st.Reordered, st.Gaps, st.Skewed, st.Malformed)

	step("ingesting into ClickHouse")
	start := time.Now()
	if err := ingestAll(ctx, env.Kafka.Brokers, feeds.Topics(), conn, int64(st.Records), log); err != nil {
		return err
	}
	rows, _, err := conn.CountScans(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "      %d scan events in ClickHouse, %d malformed records in %s (%.1fs)\n", rows, st.Malformed, ingest.DeadLetterTopic, time.Since(start).Seconds())

	step("training and backtesting the ETA model")
	if *dir == "" {
		d, err := os.MkdirTemp("", "parcelcast-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	path := filepath.Join(*dir, "eta.json")
	tc := model.DefaultTrainConfig()
	tc.Log = log
	m, sum, err := train(ctx, conn, path, tc)
	if err != nil {
		return err
	}
	printMetrics(out, m, sum, path)

	step("loading the live state and serving the API")
	reg := newRegistry()
	lf := &liveFlags{brokers: strings.Join(env.Kafka.Brokers, ","), topic: ingest.NormalizedTopic,
		retention: live.DefaultRetention, silence: live.DefaultMaxSilence}
	scanner, closeScanner, err := demoScanner(ctx, conn, env.Kafka.Brokers, reg, log)
	if err != nil {
		return err
	}
	defer closeScanner()
	store, err := lf.newStore(conn, predict.DefaultLimits().LookupTimeout, []func(predict.Shipment){scanner.ShipmentChanged}, reg, log)
	if err != nil {
		return err
	}
	sctx, stopServe := context.WithCancel(ctx)
	defer stopServe()
	stored := make(chan error, 1)
	go func() { stored <- store.Run(sctx) }()
	if err := waitReady(ctx, store, stored); err != nil {
		return err
	}
	held, scans := store.Len()
	fmt.Fprintf(out, "      live state: %d shipments, %d scans in memory, following %s\n", held, scans, ingest.NormalizedTopic)
	srv := predict.NewServer(store, m, predict.Options{Log: log, Registry: reg,
		Orders: store, References: chstore.NewReferences(conn), LiveReferences: store, Instructions: chstore.NewInstructions(conn),
		Exceptions: scanner, ExceptionList: scanner})
	scanner.Attach(store, srv.Model)
	page, err := trackpage.New(srv, trackpage.Options{Brand: "parcelcast demo"})
	if err != nil {
		return err
	}
	page.Register(srv)
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *addr, err)
	}
	served := make(chan error, 1)
	go func() { served <- serveListener(sctx, l, srv, log) }()
	base := "http://" + l.Addr().String()
	if err := showSamples(ctx, out, base, truth, time.Now()); err != nil {
		return err
	}
	if err := showOrder(ctx, out, base, sampleInFlight(truth, time.Now(), 2)); err != nil {
		return err
	}
	troubled, err := showExceptions(ctx, out, base, scanner)
	if err != nil {
		return err
	}
	go func() { _ = scanner.Run(sctx) }() // stops with sctx, as the server does
	// The server and the live state both stop with sctx.
	stop := func() error {
		err := <-served
		stopServe()
		<-stored
		return err
	}
	if *once {
		stopServe()
		return stop()
	}
	fmt.Fprintf(out, "\nServing on %s — try:\n  curl %s/v1/shipments/%s/eta\n  curl %s/v1/orders/%s\n",
		base, base, sampleInFlight(truth, time.Now(), 1)[0].TrackingNumber, base, demoOrder)
	fmt.Fprintf(out, "Tracking pages, in a browser:\n%s", pageURLs(base, sampleInFlight(truth, time.Now(), 2)))
	if troubled != "" {
		fmt.Fprintf(out, "  %s/track/%s   (a shipment with an open exception)\n", base, troubled)
	}
	fmt.Fprintf(out, "Ctrl-C to stop.\n")
	return stop()
}

// waitReady waits for the live state to be bootstrapped and caught up
// with the topic, or for its Run to end (run says how).
func waitReady(ctx context.Context, store *live.Store, run <-chan error) error {
	deadline := time.After(2 * time.Minute)
	for store.Ready() != nil {
		select {
		case err := <-run:
			return fmt.Errorf("live state stopped before it was ready: %v", err)
		case <-deadline:
			return fmt.Errorf("live state not ready in 2 minutes: %w", store.Ready())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

func stepper(w io.Writer) func(string) {
	n := 0
	return func(s string) {
		n++
		fmt.Fprintf(w, "[%d] %s\n", n, s)
	}
}

// publishSim creates the feeds' topics and publishes a simulation to them.
func publishSim(ctx context.Context, brokers []string, feeds publish.Feeds, cfg sim.Config, each func(*sim.Shipment)) (publish.Stats, error) {
	topics := []string{ingest.DeadLetterTopic}
	for t := range feeds.Topics() {
		topics = append(topics, t)
	}
	if err := localenv.EnsureTopics(ctx, brokers, 4, topics...); err != nil {
		return publish.Stats{}, err
	}
	w := newScanWriter(brokers)
	defer w.Close()
	return publish.All(ctx, w, sim.New(cfg), feeds, publish.Options{Noise: publish.DefaultNoise, Each: each})
}

// ingestAll runs one ingest consumer of the topic → feed map until it has
// committed want records.
func ingestAll(ctx context.Context, brokers []string, topics map[string]string, conn *chstore.DB, want int64, log *slog.Logger) error {
	dlq := ingest.NewKafkaDeadLetters(brokers, ingest.DeadLetterTopic)
	defer dlq.Close()
	// The stored events go on to the normalized topic, which the live
	// state of serve follows.
	if err := localenv.EnsureTopics(ctx, brokers, 4, ingest.NormalizedTopic); err != nil {
		return err
	}
	normalized := ingest.NewKafkaEvents(brokers, ingest.NormalizedTopic)
	defer normalized.Close()
	cfg := ingest.DefaultConfig()
	cfg.Brokers, cfg.GroupID, cfg.Feeds, cfg.Normalized = brokers, "parcelcast-demo", topics, normalized
	cfg.BatchSize, cfg.FlushInterval = 5000, 200*time.Millisecond
	c, err := ingest.NewConsumer(cfg, chstore.NewScanWriter(conn), dlq, nil, log)
	if err != nil {
		return err
	}
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(rctx) }()
	deadline := time.After(5 * time.Minute)
	for c.Committed() < want {
		select {
		case err := <-done:
			stop()
			return fmt.Errorf("ingest stopped after %d of %d records: %v", c.Committed(), want, err)
		case <-deadline:
			stop()
			<-done
			return fmt.Errorf("ingest committed %d of %d records in 5 minutes", c.Committed(), want)
		case <-time.After(50 * time.Millisecond):
		}
	}
	stop()
	return <-done
}

// sampleInFlight picks up to n shipments that are not delivered at now,
// spread over carriers.
func sampleInFlight(truth []sim.Shipment, now time.Time, n int) []sim.Shipment {
	var out []sim.Shipment
	seen := map[string]bool{}
	for i := len(truth) - 1; i >= 0 && len(out) < n; i-- {
		s := truth[i]
		if s.DeliveredAt.After(now) && len(s.Scans) > 1 && !seen[s.Carrier] {
			seen[s.Carrier] = true
			out = append(out, s)
		}
	}
	if len(out) == 0 && len(truth) > 0 {
		out = append(out, truth[len(truth)-1])
	}
	return out
}

func showSamples(ctx context.Context, out io.Writer, base string, truth []sim.Shipment, now time.Time) error {
	client := &http.Client{Timeout: 10 * time.Second}
	get := func(method, url, body string) (int, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
	samples := sampleInFlight(truth, now, 3)
	sort.Slice(samples, func(i, j int) bool { return samples[i].Carrier < samples[j].Carrier })
	for _, s := range samples {
		code, body, err := get("GET", base+"/v1/shipments/"+s.TrackingNumber+"/eta", "")
		if err != nil {
			return fmt.Errorf("sample ETA: %w", err)
		}
		if code != 200 {
			return fmt.Errorf("sample ETA for %s: HTTP %d: %s", s.TrackingNumber, code, body)
		}
		var r predict.ETAResponse
		if err := json.Unmarshal(body, &r); err != nil {
			return fmt.Errorf("sample ETA: %w", err)
		}
		fmt.Fprintf(out, "\nGET /v1/shipments/%s/eta   (%s %s, %s → %s)\n%s", s.TrackingNumber, s.Carrier, s.Service, s.Origin.Name, s.Destination.Name, indent(body))
		fmt.Fprintf(out, "      simulated truth: delivered %s\n", s.DeliveredAt.Format(time.RFC3339))
	}
	// allow_fallback: a small simulation may not have shipped this lane.
	est := `{"carrier":"ups","service":"ground","origin":{"postal_code":"10001","country":"US"},"destination":{"postal_code":"94103","country":"US"},"allow_fallback":true}`
	code, body, err := get("POST", base+"/v1/estimates", est)
	if err != nil {
		return fmt.Errorf("sample estimate: %w", err)
	}
	if code != 200 {
		return fmt.Errorf("sample estimate: HTTP %d: %s", code, body)
	}
	fmt.Fprintf(out, "\nPOST /v1/estimates %s\n%s", est, indent(body))
	return nil
}

func indent(b []byte) string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	out, _ := json.MarshalIndent(v, "      ", "  ")
	return "      " + string(out) + "\n"
}

// demoOrder and demoCustomer are the references the demo sets on its
// sample shipments, which the simulated feeds do not carry.
const (
	demoOrder    = "DEMO-ORDER-1001"
	demoCustomer = "DEMO-CUSTOMER-42"
)

// showOrder puts the samples in one order through the API, then shows the
// first one's whole view, its timeline included, and the order's.
func showOrder(ctx context.Context, out io.Writer, base string, samples []sim.Shipment) error {
	client := &http.Client{Timeout: 10 * time.Second}
	call := func(method, path, body string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, b)
		}
		return b, err
	}
	refs := fmt.Sprintf(`{"order_ref":%q,"customer_ref":%q}`, demoOrder, demoCustomer)
	for _, s := range samples {
		if _, err := call("PUT", "/v1/shipments/"+s.TrackingNumber+"/references", refs); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "\nPUT /v1/shipments/{tracking_number}/references %s   (on %d shipments)\n", refs, len(samples))
	if len(samples) == 0 {
		return nil
	}
	body, err := call("GET", "/v1/shipments/"+samples[0].TrackingNumber, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nGET /v1/shipments/%s\n%s", samples[0].TrackingNumber, indent(body))
	body, err = call("GET", "/v1/orders/"+demoOrder, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nGET /v1/orders/%s\n%s", demoOrder, indent(body))
	for _, u := range []string{trackURL(samples[0]), orderURL(samples[0])} {
		if _, err := call("GET", u, ""); err != nil {
			return fmt.Errorf("tracking page: %w", err)
		}
	}
	fmt.Fprintf(out, "\nTracking pages:\n%s", pageURLs(base, samples))
	return nil
}

// trackURL is the tracking page of a sample, orderURL its order's.
func trackURL(s sim.Shipment) string { return "/track/" + s.TrackingNumber }

func orderURL(s sim.Shipment) string {
	return "/track?" + url.Values{"order": {demoOrder}, "postal_code": {s.Destination.Postal}}.Encode()
}

// pageURLs lists the tracking page of an in-flight sample and of the
// demo's order.
func pageURLs(base string, samples []sim.Shipment) string {
	if len(samples) == 0 {
		return ""
	}
	return fmt.Sprintf("  %s%s   (a shipment in flight)\n  %s%s   (the demo's order)\n", base, trackURL(samples[0]), base, orderURL(samples[0]))
}
