package ingest

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the ingest counters and histograms.
type Metrics struct {
	Records       *prometheus.CounterVec // by topic
	Events        *prometheus.CounterVec // by carrier
	UnknownStatus *prometheus.CounterVec // by carrier
	NoScans       *prometheus.CounterVec // by feed
	DeadLetters   *prometheus.CounterVec // by feed
	CarrierErrors *prometheus.CounterVec // by carrier and code
	RowsInserted  prometheus.Counter
	BatchSize     prometheus.Histogram
	InsertSeconds prometheus.Histogram
	Retries       *prometheus.CounterVec // by stage
	Lag           *prometheus.GaugeVec   // by topic and partition
	LastCommit    prometheus.Gauge
	Assigned      prometheus.Gauge // partitions this member reads
	Rebalances    prometheus.Counter
	BacklogWait   prometheus.Counter // seconds partition readers waited for a backlog's slower partitions
}

// NewMetrics creates the ingest metrics and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcelcast_ingest_records_consumed_total", Help: "Kafka records read, by topic.",
		}, []string{"topic"}),
		Events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcelcast_ingest_events_parsed_total", Help: "Canonical scan events parsed, by carrier.",
		}, []string{"carrier"}),
		UnknownStatus: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcelcast_ingest_unknown_status_total",
			Help: "Parsed events whose carrier code has no canonical mapping (status unknown), by carrier.",
		}, []string{"carrier"}),
		NoScans: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcelcast_ingest_records_without_scans_total",
			Help: "Well-formed records that carry no scan, such as a carrier's \"tracking number not found\" reply, by feed.",
		}, []string{"feed"}),
		DeadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcelcast_ingest_dead_letters_total", Help: "Records sent to the dead-letter topic, by feed.",
		}, []string{"feed"}),
		CarrierErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcelcast_ingest_carrier_errors_total",
			Help: "Carrier error replies in records (credentials refused, quota, the carrier's own failure; not \"not found\"), by carrier and the carrier's code (\"other\" for a code it does not publish).",
		}, []string{"carrier", "code"}),
		RowsInserted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parcelcast_ingest_rows_inserted_total", Help: "Rows acknowledged by ClickHouse.",
		}),
		BatchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "parcelcast_ingest_batch_rows", Help: "Rows per ClickHouse insert.",
			Buckets: prometheus.ExponentialBuckets(16, 4, 7),
		}),
		InsertSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "parcelcast_ingest_insert_duration_seconds", Help: "ClickHouse batch insert latency.",
			Buckets: prometheus.ExponentialBuckets(0.002, 2, 12),
		}),
		Retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcelcast_ingest_retries_total", Help: "Retried operations, by stage (insert, normalized, dead_letter, commit, group_join, partition_reader).",
		}, []string{"stage"}),
		Lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "parcelcast_ingest_consumer_lag_records",
			Help: "Records behind the end of each partition this member reads: from the committed offset when assigned, then as of the last batch committed from it.",
		}, []string{"topic", "partition"}),
		LastCommit: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parcelcast_ingest_last_commit_timestamp_seconds", Help: "Unix time of the last successful offset commit.",
		}),
		Assigned: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parcelcast_ingest_assigned_partitions",
			Help: "Partitions assigned to this member in the current consumer group generation; across the group's members they add up to the topics' partitions.",
		}),
		Rebalances: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parcelcast_ingest_rebalances_total",
			Help: "Consumer group generations this member gave up to a rebalance, after storing and committing what it read in them.",
		}),
		BacklogWait: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parcelcast_ingest_backlog_wait_seconds_total",
			Help: "Time partition readers spent waiting for the slower partitions of a backlog to catch up in event time (summed over readers).",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.Records, m.Events, m.UnknownStatus, m.NoScans, m.DeadLetters, m.CarrierErrors, m.RowsInserted, m.BatchSize,
			m.InsertSeconds, m.Retries, m.Lag, m.LastCommit, m.Assigned, m.Rebalances, m.BacklogWait)
	}
	return m
}
