package generic

import (
	"os"
	"testing"
)

// BenchmarkParse measures single-scan records, the common shape on a feed.
func BenchmarkParse(b *testing.B) {
	payload, err := os.ReadFile("testdata/single.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(payload); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "scans/s")
}
