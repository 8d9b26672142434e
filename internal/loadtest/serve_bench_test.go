package loadtest_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/internal/httpserve"
	"github.com/parcelcast/parcelcast/internal/loadtest"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/predict/live/livetest"
	"github.com/parcelcast/parcelcast/predict/trackpage"
	"github.com/parcelcast/parcelcast/schemas"
	"github.com/parcelcast/parcelcast/schemas/trackno"
)

var (
	serveDuration = flag.Duration("serve.duration", 10*time.Second, "how long each scenario of BenchmarkServe runs, over all rounds")
	serveRounds   = flag.Int("serve.rounds", 5, "rounds the scenarios take turns in, so that a change of the machine's other load slows them alike")
	serveWorkers  = flag.Int("serve.workers", 64, "concurrent clients of the as-fast-as-possible scenarios")
	serveRate     = flag.Int("serve.rate", 2000, "requests per second of the fixed-rate scenarios")
	serveHeld     = flag.Int("serve.shipments", 1_000_000, "shipments in flight held in the live state the shipment routes answer from")
	pageRate      = flag.Int("serve.page-rate", 1000, "requests per second of the tracking page scenario")
)

// BenchmarkServe drives the API over loopback with vegeta, next to a
// hello-world net/http handler served and driven the same way, and
// prints one table of every scenario (make bench-serve). The scenarios
// take turns in rounds. The API runs
// with an API key checked on every request, as in production, and
// without rate limits, which would cap what is measured.
func BenchmarkServe(b *testing.B) {
	for b.Loop() {
		start := time.Now()
		m := trainSmallModel(b)
		b.Logf("model trained in %s (%d features)", time.Since(start).Round(time.Millisecond), len(m.Features))

		keys, err := predict.ParseKeys(strings.NewReader("bench:" + predict.HashToken("bench-token") + ":read"))
		if err != nil {
			b.Fatal(err)
		}
		store, lookups, numbers := heldShipments(b, *serveHeld)
		// Instructions are taken (never stored: none is given here), so the
		// pages carry their delivery options' forms.
		api := predict.NewServer(store, m, predict.Options{Keys: keys, Orders: store, Instructions: discardInstructions{},
			Limits: predict.Limits{RatePerKey: -1, MaxInFlight: -1}})
		page, err := trackpage.New(api, trackpage.Options{PerClient: -1})
		if err != nil {
			b.Fatal(err)
		}
		page.Register(api)
		rendered := &serverTimes{prefix: "/track/"}
		apiURL := serve(b, rendered.wrap(api))
		helloURL := serve(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"hello":"world"}` + "\n"))
		}))
		auth := http.Header{"Authorization": {"Bearer bench-token"}, "Content-Type": {"application/json"}}
		lane := estimateBody(m)
		if code, body := post(apiURL+"/v1/estimates", lane, auth); code != 200 {
			b.Fatalf("estimate: %d %s", code, body)
		}
		// Other routes join this list; each runs on its own, in turns.
		scenarios := []loadtest.Scenario{
			{Name: "hello-world net/http", Method: "GET", URL: helloURL + "/", Workers: *serveWorkers},
			// The same handler sent the estimate's request: what the request's
			// shape costs, apart from the API's work.
			{Name: "hello-world, POST of the estimate's body", Method: "POST", URL: helloURL + "/", Body: lane, Header: auth, Workers: *serveWorkers},
			{Name: "POST /v1/estimates", Method: "POST", URL: apiURL + "/v1/estimates", Body: lane, Header: auth, Workers: *serveWorkers},
			{Name: "POST /v1/estimates", Method: "POST", URL: apiURL + "/v1/estimates", Body: lane, Header: auth, Rate: *serveRate, Workers: *serveWorkers},
		}
		var views, etas, pages []string
		for _, n := range numbers {
			views = append(views, apiURL+"/v1/shipments/"+n)
			etas = append(etas, apiURL+"/v1/shipments/"+n+"/eta")
			pages = append(pages, apiURL+"/track/"+n)
		}
		scenarios = append(scenarios,
			loadtest.Scenario{Name: "GET /v1/shipments/{tn}", Method: "GET", URLs: views, Header: auth, Rate: *serveRate, Workers: *serveWorkers},
			loadtest.Scenario{Name: "GET /v1/shipments/{tn}/eta", Method: "GET", URLs: etas, Header: auth, Rate: *serveRate, Workers: *serveWorkers},
			loadtest.Scenario{Name: "GET /track/{tn} (tracking page)", Method: "GET", URLs: pages, Rate: *pageRate, Workers: *serveWorkers})
		results := loadtest.Run(scenarios, *serveDuration, *serveRounds)
		renderP50, renderP99, renders := rendered.quantile(0.5), rendered.quantile(0.99), rendered.count()
		weight := pageWeight(b, pages[:min(len(pages), 1000)])
		loadtest.Print(os.Stdout, results)
		fmt.Printf("shipment routes: %d shipments in flight held in memory, %d asked in turn; ClickHouse queries on that path: %d\n",
			*serveHeld, len(numbers), lookups.n.Load())
		fmt.Printf("tracking page: %s over %d pages (target at most 50 KB); rendered on the server in p50 %s, p99 %s over %d pages (target p99 at most 20ms at %d/s)\n",
			weight, min(len(pages), 1000), renderP50, renderP99, renders, *pageRate)
		ratio := results[2].Throughput / results[0].Throughput
		fmt.Printf("POST /v1/estimates at max throughput: %.0f%% of the hello-world handler's (target at least 60%%), %.0f%% of it sent the same POST\n",
			100*ratio, 100*results[2].Throughput/results[1].Throughput)
		b.ReportMetric(results[2].Throughput, "estimates-req/s")
		b.ReportMetric(results[0].Throughput, "hello-req/s")
		b.ReportMetric(100*ratio, "%-of-hello")
	}
}

// countedLookup is the live state's fallback to the database, counting
// the questions: the shipment routes must ask none.
type countedLookup struct{ n atomic.Int64 }

func (c *countedLookup) Scans(context.Context, string) ([]schemas.ScanEvent, error) {
	c.n.Add(1)
	return nil, nil
}

// heldShipments is a live state holding n shipments in flight of eight
// scans each, and up to 100,000 of their numbers (those whose check digit
// holds, as the API checks it) to ask for.
func heldShipments(b *testing.B, n int) (*live.Store, *countedLookup, []string) {
	lookups := &countedLookup{}
	now := time.Now()
	store, err := live.New(live.Options{Lookup: lookups, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	var batch []schemas.ScanEvent
	var numbers []string
	for i := range n {
		batch = livetest.Shipment(batch, i, now)
		if len(batch) >= 8000 {
			store.Apply(batch)
			batch = batch[:0]
		}
		if tn := livetest.Number(i); len(numbers) < 100_000 && trackno.Check("", tn) == nil {
			numbers = append(numbers, tn)
		}
	}
	store.Apply(batch)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(numbers), func(i, j int) { numbers[i], numbers[j] = numbers[j], numbers[i] })
	return store, lookups, numbers
}

// trainSmallModel trains on four weeks of simulated shipments: a model
// with the carriers, services and areas the simulator ships between.
func trainSmallModel(b *testing.B) *model.Model {
	src := modeltest.NewMem(sim.Config{Seed: 21, Shipments: 3000, Days: 28, Start: time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)})
	cfg := model.DefaultTrainConfig()
	cfg.Log = slog.New(slog.DiscardHandler)
	m, err := model.Train(context.Background(), src, cfg)
	if err != nil {
		b.Fatal(err)
	}
	path := b.TempDir() + "/m.json"
	if _, err := m.Save(path); err != nil {
		b.Fatal(err)
	}
	if m, err = model.Load(path); err != nil {
		b.Fatal(err)
	}
	return m
}

// estimateBody is one lane of the model's first carrier service between
// two US ZIP codes, falling back where the model does not know them.
func estimateBody(m *model.Model) []byte {
	cs := m.Vocabulary().CarrierServices[0]
	carrier, service, _ := strings.Cut(cs, "|")
	b, _ := json.Marshal(map[string]any{
		"carrier": carrier, "service": service, "allow_fallback": true,
		"origin":      map[string]string{"postal_code": "10001", "country": "US"},
		"destination": map[string]string{"postal_code": "94103", "country": "US"},
	})
	return b
}

// serve serves h on a loopback port with the commands' server settings
// until the benchmark ends.
func serve(b *testing.B, h http.Handler) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- httpserve.Serve(ctx, l, h, httpserve.Defaults(), slog.New(slog.DiscardHandler)) }()
	b.Cleanup(func() { cancel(); <-done })
	return "http://" + l.Addr().String()
}

// discardInstructions takes delivery instructions and keeps none.
type discardInstructions struct{}

func (discardInstructions) PutInstruction(context.Context, schemas.Instruction, time.Time) error {
	return nil
}

// serverTimes records how long the server takes over the requests whose
// path has a prefix: from the request read to the answer written, apart
// from the network and the load generator.
type serverTimes struct {
	prefix string
	mu     sync.Mutex
	took   []time.Duration
}

func (s *serverTimes) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, s.prefix) {
			h.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		h.ServeHTTP(w, r)
		d := time.Since(start)
		s.mu.Lock()
		s.took = append(s.took, d)
		s.mu.Unlock()
	})
}

func (s *serverTimes) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.took)
}

// quantile is the q-quantile of the times recorded.
func (s *serverTimes) quantile(q float64) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.took) == 0 {
		return 0
	}
	sorted := slices.Clone(s.took)
	slices.Sort(sorted)
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))].Round(time.Microsecond)
}

// pageWeight fetches pages and says their sizes: the largest and the
// mean, in KB.
func pageWeight(b *testing.B, urls []string) string {
	largest, total := 0, 0
	for _, u := range urls {
		resp, err := http.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
		}
		largest, total = max(largest, len(body)), total+len(body)
	}
	return fmt.Sprintf("largest %.1f KB, mean %.1f KB", float64(largest)/1024, float64(total)/1024/float64(len(urls)))
}

func post(url string, body []byte, h http.Header) (int, string) {
	req, _ := http.NewRequest("POST", url, strings.NewReader(string(body)))
	req.Header = h.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	var v any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, fmt.Sprint(v)
}
