// Package loadtest drives HTTP routes with vegeta over loopback and
// reports their throughput and latency, every route of a run the same
// way, so that figures of one run compare.
package loadtest

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Scenario is one route driven at a rate, or as fast as Workers
// connections go (Rate 0).
type Scenario struct {
	Name   string
	Method string
	URL    string
	// URLs, when set, are asked in turn instead of URL.
	URLs   []string
	Body   []byte
	Header http.Header
	Rate   int // requests per second; 0 is as fast as the workers go
	// Workers are the concurrent clients, each with its kept-alive
	// connection.
	Workers int
}

// Result is what one scenario measured over all its rounds.
type Result struct {
	Name        string
	Rate        int // asked; 0 for as fast as possible
	Workers     int
	Requests    int
	Elapsed     time.Duration
	Throughput  float64 // successful (2xx) requests per second
	Success     float64 // share of 2xx answers
	P50, P99    time.Duration
	Max         time.Duration
	StatusCodes map[string]int
	Errors      []string
}

// Run drives every scenario for d in all, in rounds: each round gives
// each scenario its share of d in turn, so that a machine whose other
// load changes during the run slows every scenario alike.
func Run(scenarios []Scenario, d time.Duration, rounds int) []Result {
	rounds = max(rounds, 1)
	acc := make([]accum, len(scenarios))
	for range rounds {
		for i, s := range scenarios {
			acc[i].attack(s, d/time.Duration(rounds))
		}
	}
	out := make([]Result, len(scenarios))
	for i, s := range scenarios {
		out[i] = acc[i].result(s)
	}
	return out
}

// accum gathers one scenario's answers over its rounds.
type accum struct {
	latencies []time.Duration
	ok        int
	elapsed   time.Duration
	codes     map[string]int
	errors    map[string]bool
}

func (a *accum) attack(s Scenario, d time.Duration) {
	if a.codes == nil {
		a.codes, a.errors = map[string]int{}, map[string]bool{}
	}
	workers := uint64(max(s.Workers, 1))
	atk := vegeta.NewAttacker(
		vegeta.Workers(workers), vegeta.MaxWorkers(workers),
		vegeta.Connections(int(workers)), vegeta.MaxConnections(int(workers)),
		vegeta.KeepAlive(true), vegeta.Timeout(10*time.Second),
		// Bodies are drained, not kept: only codes and latencies count, and
		// the client shares the process (and its collector) with the server.
		vegeta.MaxBody(0),
	)
	urls := s.URLs
	if len(urls) == 0 {
		urls = []string{s.URL}
	}
	targets := make([]vegeta.Target, len(urls))
	for i, u := range urls {
		targets[i] = vegeta.Target{Method: s.Method, URL: u, Body: s.Body, Header: s.Header}
	}
	tr := vegeta.NewStaticTargeter(targets...)
	start := time.Now()
	for r := range atk.Attack(tr, vegeta.ConstantPacer{Freq: s.Rate, Per: time.Second}, d, s.Name) {
		a.latencies = append(a.latencies, r.Latency)
		a.codes[strconv.Itoa(int(r.Code))]++
		if r.Code >= 200 && r.Code < 300 {
			a.ok++
		}
		if r.Error != "" {
			a.errors[r.Error] = true
		}
	}
	a.elapsed += time.Since(start)
}

func (a *accum) result(s Scenario) Result {
	slices.Sort(a.latencies)
	r := Result{Name: s.Name, Rate: s.Rate, Workers: max(s.Workers, 1), Requests: len(a.latencies),
		Elapsed: a.elapsed, StatusCodes: a.codes}
	if n := len(a.latencies); n > 0 {
		r.Throughput = float64(a.ok) / a.elapsed.Seconds()
		r.Success = float64(a.ok) / float64(n)
		r.P50, r.P99, r.Max = a.latencies[n/2], a.latencies[min(n-1, n*99/100)], a.latencies[n-1]
	}
	for e := range a.errors {
		r.Errors = append(r.Errors, e)
	}
	sort.Strings(r.Errors)
	return r
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
