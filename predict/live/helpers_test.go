package live_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parcelcast/parcelcast/predict/live"
)

// counter reads one of the store's metrics by name (summed over labels).
func counter(t *testing.T, s *live.Store, name string) int {
	t.Helper()
	reg := prometheus.NewRegistry()
	if err := live.RegisterMetrics(s, reg); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			total += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return int(total)
}
