package live

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the store's Prometheus metrics.
type metrics struct {
	applied, duplicates, skipped, agedOut prometheus.Counter
	bootstrap                             prometheus.Gauge
	lookups                               *prometheus.CounterVec
	all                                   []prometheus.Collector
}

// The outcomes of a fallback lookup.
const (
	lookupFound       = "found"
	lookupNotFound    = "not_found"
	lookupCachedMiss  = "cached_not_found"
	lookupUnavailable = "unavailable"
)

func newMetrics(s *Store) *metrics {
	m := &metrics{
		applied:    prometheus.NewCounter(prometheus.CounterOpts{Name: "parcelcast_live_events_applied_total", Help: "Scan events that changed the live state."}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{Name: "parcelcast_live_events_duplicate_total", Help: "Scan events the live state already held (by event id)."}),
		skipped:    prometheus.NewCounter(prometheus.CounterOpts{Name: "parcelcast_live_events_skipped_total", Help: "Scan events not held: another replica's numbers, or no number, carrier or time."}),
		agedOut:    prometheus.NewCounter(prometheus.CounterOpts{Name: "parcelcast_live_aged_out_total", Help: "Tracking numbers dropped by the age-out pass."}),
		bootstrap:  prometheus.NewGauge(prometheus.GaugeOpts{Name: "parcelcast_live_bootstrap_seconds", Help: "How long the bootstrap from the database took."}),
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parcelcast_live_fallback_lookups_total",
			Help: "Database lookups of numbers not held, by outcome."}, []string{"outcome"}),
	}
	for _, o := range []string{lookupFound, lookupNotFound, lookupCachedMiss, lookupUnavailable} {
		m.lookups.WithLabelValues(o)
	}
	m.all = []prometheus.Collector{m.applied, m.duplicates, m.skipped, m.agedOut, m.bootstrap, m.lookups,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parcelcast_live_shipments", Help: "Tracking numbers held in memory."},
			func() float64 { return float64(s.records.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parcelcast_live_scans", Help: "Scans held in memory."},
			func() float64 { return float64(s.scans.Load()) }),
	}
	return m
}

func (m *metrics) register(r prometheus.Registerer) error {
	var errs []error
	for _, c := range m.all {
		errs = append(errs, r.Register(c))
	}
	return errors.Join(errs...)
}
