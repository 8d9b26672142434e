package webhooks

import "github.com/prometheus/client_golang/prometheus"

// metrics are the delivery metrics, per endpoint (subscription id).
type metrics struct {
	latency  *prometheus.HistogramVec
	outcomes *prometheus.CounterVec
	backlog  *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) metrics {
	m := metrics{
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "parcelcast_webhook_delivery_seconds",
			Help:    "From an event's detection to its successful delivery, per endpoint.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 16),
		}, []string{"endpoint"}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcelcast_webhook_attempts_total",
			Help: "Delivery attempts per endpoint and outcome (delivered, failed, gone, dead_lettered, disabled).",
		}, []string{"endpoint", "outcome"}),
		backlog: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "parcelcast_webhook_backlog",
			Help: "Deliveries not yet done (in flight or waiting for a retry), per endpoint.",
		}, []string{"endpoint"}),
	}
	if reg != nil {
		reg.MustRegister(m.latency, m.outcomes, m.backlog)
	}
	return m
}
