package live_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/predict/live/livetest"
	"github.com/parcelcast/parcelcast/schemas"
)

var benchShipments = flag.Int("live.shipments", 1_000_000, "shipments in flight the live-state benchmarks hold")

// fill applies n shipments of livetest.ScansPerShipment scans each and
// returns the time spent in Apply (not making the events).
func fill(b *testing.B, s *live.Store, n int, now time.Time) time.Duration {
	b.Helper()
	var (
		batch []schemas.ScanEvent
		took  time.Duration
	)
	for i := range n {
		batch = livetest.Shipment(batch, i, now)
		if len(batch) >= 4096 || i == n-1 {
			t := time.Now()
			s.Apply(batch)
			took += time.Since(t)
			batch = batch[:0]
		}
	}
	return took
}

// rss is the process's resident set in bytes, from /proc.
func rss(b *testing.B) uint64 {
	b.Helper()
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		b.Skip("no /proc/self/statm:", err)
	}
	fields := strings.Fields(string(data))
	pages, _ := strconv.ParseUint(fields[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// BenchmarkLiveMemory holds -live.shipments shipments in flight and
// reports the heap they take and the process's RSS, per million, after a
// collection (run it alone: `make bench-live`).
func BenchmarkLiveMemory(b *testing.B) {
	now := time.Now()
	for range b.N {
		runtime.GC()
		debug.FreeOSMemory()
		base, baseRSS := heap(), rss(b)
		s, err := live.New(live.Options{Now: func() time.Time { return now }})
		if err != nil {
			b.Fatal(err)
		}
		took := fill(b, s, *benchShipments, now)
		runtime.GC()
		debug.FreeOSMemory()
		n, scans := s.Len()
		perM := 1e6 / float64(n) / (1 << 20)
		b.ReportMetric(float64(heap()-base)*perM, "heap-MB/M")
		b.ReportMetric(float64(rss(b)-baseRSS)*perM, "rss-MB/M")
		b.ReportMetric(float64(scans)/float64(n), "scans/shipment")
		b.ReportMetric(float64(n*livetest.ScansPerShipment)/took.Seconds(), "applied-scans/s")
		fmt.Printf("live memory: %d shipments, %d scans: heap %.0f MB, RSS %.0f MB above the empty process (%.0f MB, %.0f MB per million)\n",
			n, scans, float64(heap()-base)/(1<<20), float64(rss(b)-baseRSS)/(1<<20), float64(heap()-base)*perM, float64(rss(b)-baseRSS)*perM)
		runtime.KeepAlive(s)
	}
}

func heap() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// failingLookup counts the database queries a lookup would send.
type failingLookup struct{ n int }

func (f *failingLookup) Scans(context.Context, string) ([]schemas.ScanEvent, error) {
	f.n++
	return nil, fmt.Errorf("no database in this benchmark")
}

// BenchmarkLiveShipment is a lookup of a held number among
// -live.shipments: the view the API builds its answers from. It prints
// the latency percentiles of the timed lookups and the count of database
// queries made (none).
func BenchmarkLiveShipment(b *testing.B) {
	now := time.Now()
	lookup := &failingLookup{}
	s, err := live.New(live.Options{Lookup: lookup, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	fill(b, s, *benchShipments, now)
	numbers := make([]string, 1<<16)
	for i := range numbers {
		numbers[i] = livetest.Number(rand.IntN(*benchShipments))
	}
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		t := time.Now()
		sh, ok, err := s.Shipment(ctx, numbers[i%len(numbers)])
		lat = append(lat, time.Since(t))
		if !ok || err != nil || len(sh.Scans) != livetest.ScansPerShipment {
			b.Fatalf("lookup: %v %v %d scans", ok, err, len(sh.Scans))
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(int(p*float64(len(lat))), len(lat)-1)] }
	b.ReportMetric(float64(q(0.99).Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(lookup.n), "db-queries")
	fmt.Printf("live lookup among %d shipments: %d lookups, p50 %s, p99 %s, p99.9 %s; database queries: %d\n",
		*benchShipments, len(lat), q(0.5), q(0.99), q(0.999), lookup.n)
}
