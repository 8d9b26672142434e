package exceptions

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parcelcast/parcelcast/schemas"
)

// metrics count exceptions by type and carrier.
type metrics struct {
	open               *prometheus.GaugeVec
	openedN, resolvedN *prometheus.CounterVec
}

func newMetrics() *metrics {
	labels := []string{"type", "carrier"}
	return &metrics{
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "parcelcast_exceptions_open",
			Help: "Exceptions open, by type and carrier."}, labels),
		openedN: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parcelcast_exceptions_opened_total",
			Help: "Exceptions opened, by type and carrier."}, labels),
		resolvedN: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parcelcast_exceptions_resolved_total",
			Help: "Exceptions resolved, by type and carrier."}, labels),
	}
}

func (m *metrics) register(r prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.open, m.openedN, m.resolvedN} {
		if err := r.Register(c); err != nil {
			return fmt.Errorf("register exception metrics: %w", err)
		}
	}
	return nil
}

func (m *metrics) opened(e *schemas.Exception) {
	m.open.WithLabelValues(e.Type, e.Carrier).Inc()
	m.openedN.WithLabelValues(e.Type, e.Carrier).Inc()
}

func (m *metrics) resolved(e *schemas.Exception) {
	m.open.WithLabelValues(e.Type, e.Carrier).Dec()
	m.resolvedN.WithLabelValues(e.Type, e.Carrier).Inc()
}
