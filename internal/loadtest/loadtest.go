// Package loadtest drives HTTP routes with vegeta over loopback and
// reports their throughput and latency, every route of a run the same
// way, so that figures of one run compare.
package loadtest

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Scenario is one route driven at a rate, or as fast as Workers
// connections go (Rate 0).
type Scenario struct {
	Name     string
	Method   string
	URL      string
	Body     []byte
	Header   http.Header
	Rate     int // requests per second; 0 is as fast as the workers go
	Duration time.Duration
	// Workers are the concurrent clients, each with its kept-alive
	// connection.
	Workers int
}

// Result is what one scenario measured.
type Result struct {
	Name        string
	Rate        int // asked; 0 for as fast as possible
	Workers     int
	Requests    uint64
	Throughput  float64 // successful requests per second
	Success     float64 // share of 2xx answers
	P50, P99    time.Duration
	Max         time.Duration
	StatusCodes map[string]int
	Errors      []string
}

// Run drives one scenario and returns its metrics.
func Run(s Scenario) Result {
	workers := uint64(max(s.Workers, 1))
	atk := vegeta.NewAttacker(
		vegeta.Workers(workers), vegeta.MaxWorkers(workers),
		vegeta.Connections(int(workers)), vegeta.MaxConnections(int(workers)),
		vegeta.KeepAlive(true), vegeta.Timeout(10*time.Second),
	)
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: s.Method, URL: s.URL, Body: s.Body, Header: s.Header})
	pacer := vegeta.ConstantPacer{Freq: s.Rate, Per: time.Second}
	var m vegeta.Metrics
	for r := range atk.Attack(tr, pacer, s.Duration, s.Name) {
		m.Add(r)
	}
	m.Close()
	return Result{
		Name: s.Name, Rate: s.Rate, Workers: int(workers), Requests: m.Requests,
		Throughput: m.Throughput, Success: m.Success,
		P50: m.Latencies.P50, P99: m.Latencies.P99, Max: m.Latencies.Max,
		StatusCodes: m.StatusCodes, Errors: m.Errors,
	}
}

// Print writes results as a Markdown table.
func Print(w io.Writer, results []Result) {
	fmt.Fprintln(w, "| scenario | rate asked | clients | requests | throughput (req/s) | 2xx | p50 | p99 | max | status codes |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		rate := "max"
		if r.Rate > 0 {
			rate = fmt.Sprintf("%d/s", r.Rate)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %d | %.0f | %.2f%% | %s | %s | %s | %s |\n", r.Name, rate, r.Workers, r.Requests,
			r.Throughput, 100*r.Success, round(r.P50), round(r.P99), round(r.Max), codes(r.StatusCodes))
	}
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	case d >= 100*time.Microsecond:
		return d.Round(time.Microsecond)
	}
	return d
}

func codes(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, m[k])
	}
	return strings.Join(parts, " ")
}
