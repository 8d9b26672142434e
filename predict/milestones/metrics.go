package milestones

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the emitter's figures.
type metrics struct {
	published     *prometheus.CounterVec
	latency       prometheus.Histogram
	drops         prometheus.Counter
	publishErrors prometheus.Counter
	recordErrors  prometheus.Counter
	queued        prometheus.GaugeFunc
}

func newMetrics(queueLen func() float64) *metrics {
	return &metrics{
		published: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parcelcast_milestones_published_total",
			Help: "Milestones published, by kind and carrier."}, []string{"kind", "carrier"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "parcelcast_milestones_publish_latency_seconds",
			Help:    "From the ingest of the scan that changed a shipment to the publish of its new milestones.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}}),
		drops: prometheus.NewCounter(prometheus.CounterOpts{Name: "parcelcast_milestones_queue_drops_total",
			Help: "Shipment changes dropped on a full queue (their numbers are looked at again on the next re-check)."}),
		publishErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "parcelcast_milestones_publish_errors_total",
			Help: "Failed attempts to publish milestones (each is retried)."}),
		recordErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "parcelcast_milestones_record_errors_total",
			Help: "Failed attempts to record published milestones in the table (each is retried)."}),
		queued: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parcelcast_milestones_queued",
			Help: "Shipment changes queued or being looked at."}, queueLen),
	}
}

func (m *metrics) register(r prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.published, m.latency, m.drops, m.publishErrors, m.recordErrors, m.queued} {
		if err := r.Register(c); err != nil {
			return fmt.Errorf("register milestone metrics: %w", err)
		}
	}
	return nil
}
