package sim

import "testing"

// BenchmarkGenerate measures journeys and their canonical scans.
func BenchmarkGenerate(b *testing.B) {
	scans := 0
	g := New(Config{Seed: 1, Shipments: 1 << 30, Days: 365})
	b.ReportAllocs()
	for b.Loop() {
		s, _ := g.Next()
		scans += len(s.Scans)
	}
	b.ReportMetric(float64(scans)/b.Elapsed().Seconds(), "scans/s")
}
