package predict

import (
	"context"
	"encoding/binary"
	"hash/maphash"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// PredictionRecorder stores sampled predictions: the predictions table.
type PredictionRecorder interface {
	WritePredictions(ctx context.Context, ps []schemas.ServedPrediction) error
}

// SamplerConfig sizes a Sampler.
type SamplerConfig struct {
	// Queue is how many sampled predictions may wait for the writer;
	// beyond it they are dropped and counted, never waited for.
	Queue int
	// Batch is the most predictions one insert carries; FlushInterval the
	// longest a sampled prediction waits for its insert.
	Batch         int
	FlushInterval time.Duration
	// WriteTimeout is the deadline of one insert.
	WriteTimeout time.Duration
	// MaxSeen bounds the day's dedupe keys (shipment and status); beyond
	// it nothing more is sampled until the next UTC day.
	MaxSeen int
	// MaxPending bounds the shipments whose latest sample waits for their
	// delivery, for the error histogram; PendingRetention is how long a
	// sample waits before it is forgotten (a lost parcel never delivers).
	MaxPending       int
	PendingRetention time.Duration
}

// DefaultSamplerConfig is the sampler serve runs.
func DefaultSamplerConfig() SamplerConfig {
	return SamplerConfig{
		Queue: 8192, Batch: 2000, FlushInterval: 5 * time.Second, WriteTimeout: 10 * time.Second,
		MaxSeen: 1 << 20, MaxPending: 1 << 20, PendingRetention: 60 * 24 * time.Hour,
	}
}

// DefaultSamplePredictions says whether serve samples served ETAs.
const DefaultSamplePredictions = true

// Sampler records served ETAs for online accuracy: the first per shipment
// per UTC day and the first at each new status, through a bounded queue
// that Run drains into a PredictionRecorder. A full queue drops the
// prediction and counts it: a request never waits for the database.
// When a sampled shipment is delivered (ShipmentChanged), the absolute
// error of its latest sampled p50 is observed by carrier.
type Sampler struct {
	rec   PredictionRecorder
	cfg   SamplerConfig
	log   *slog.Logger
	queue chan schemas.ServedPrediction
	seed  maphash.Seed

	mu      sync.Mutex
	day     int64               // the UTC day seen is for, in days since 1970
	seen    map[uint64]struct{} // seenKey of the day's samples
	pending map[uint64]pendingPrediction
	// carriers interns the carriers of pending samples: their index is
	// what a pending sample keeps.
	carriers   []string
	carrierIdx map[string]uint16

	sampled  prometheus.Counter
	dropped  *prometheus.CounterVec
	written  prometheus.Counter
	failed   prometheus.Counter
	awaiting prometheus.GaugeFunc
	absError *prometheus.HistogramVec

	// lastLog and suppressed rate-limit the write-failure log; only Run
	// touches them.
	lastLog    time.Time
	suppressed int
}

// pendingPrediction is a shipment's latest sampled prediction, kept
// until its delivery is known: small, as there is one per sampled
// shipment in flight.
type pendingPrediction struct {
	p50, snapshot, served uint32 // Unix seconds
	carrier               uint16 // index in Sampler.carriers
}

// maxCarriers bounds the carriers interned; the error of others is
// observed under otherCarrier.
const (
	maxCarriers  = 1024
	otherCarrier = "other"
)

// unix32 is t in Unix seconds, as a pending sample keeps it (to 2106).
func unix32(t time.Time) uint32 { return uint32(max(t.Unix(), 0)) }

// Reasons a sampled prediction is dropped (the reason label).
const (
	dropQueueFull = "queue_full"
	dropSeenFull  = "dedupe_full"
)

// logEvery is the least time between two logs of failed writes.
const logEvery = time.Minute

// NewSampler returns a sampler writing to rec; its metrics go to reg when
// it is not nil. Run must run for anything to be written.
func NewSampler(rec PredictionRecorder, cfg SamplerConfig, log *slog.Logger, reg prometheus.Registerer) *Sampler {
	def := DefaultSamplerConfig()
	if cfg.Queue <= 0 {
		cfg.Queue = def.Queue
	}
	if cfg.Batch <= 0 {
		cfg.Batch = def.Batch
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = def.FlushInterval
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = def.WriteTimeout
	}
	if cfg.MaxSeen <= 0 {
		cfg.MaxSeen = def.MaxSeen
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = def.MaxPending
	}
	if cfg.PendingRetention <= 0 {
		cfg.PendingRetention = def.PendingRetention
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Sampler{
		rec: rec, cfg: cfg, log: log, queue: make(chan schemas.ServedPrediction, cfg.Queue), seed: maphash.MakeSeed(),
		seen: map[uint64]struct{}{}, pending: map[uint64]pendingPrediction{},
		carriers: []string{otherCarrier}, carrierIdx: map[string]uint16{otherCarrier: 0},
		sampled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parcelcast_predictions_sampled_total", Help: "Served ETAs sampled into the predictions table's queue.",
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parcelcast_predictions_dropped_total", Help: "Served ETAs due for sampling but dropped, by reason (queue_full, dedupe_full).",
		}, []string{"reason"}),
		written: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parcelcast_predictions_written_total", Help: "Sampled ETAs written to the predictions table.",
		}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parcelcast_predictions_write_failed_total", Help: "Sampled ETAs lost to a failed insert.",
		}),
		absError: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "parcelcast_eta_abs_error_hours",
			Help:    "Absolute error in hours of a delivered shipment's latest sampled p50, by carrier.",
			Buckets: []float64{1, 2, 4, 8, 12, 24, 36, 48, 72, 120, 168},
		}, []string{"carrier"}),
	}
	s.awaiting = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "parcelcast_predictions_awaiting_delivery", Help: "Shipments with a sampled ETA whose delivery is not known yet.",
	}, func() float64 {
		s.mu.Lock()
		defer s.mu.Unlock()
		return float64(len(s.pending))
	})
	for _, r := range []string{dropQueueFull, dropSeenFull} {
		s.dropped.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(s.sampled, s.dropped, s.written, s.failed, s.awaiting, s.absError)
	}
	return s
}

// sample hands an ETA the server is answering with to its sampler, if
// it has one: the one call a handler serving an ETA makes.
func (s *Server) sample(j *model.Journey, snap model.Snapshot, w *Window, version string) {
	s.sampler.Sample(j, snap, w, version, s.now())
}

// shipmentID names a shipment: its number and the carrier's key.
func (s *Sampler) shipmentID(trackingNumber, shipmentKey string) uint64 {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteString(trackingNumber)
	h.WriteByte(0)
	h.WriteString(shipmentKey)
	return h.Sum64()
}

// seenKey names a shipment at a status, the dedupe key of a day. A
// collision of two keys (odds of about one in 10¹³ among a million
// shipments) costs one sample.
func (s *Sampler) seenKey(shipment uint64, status schemas.Status) uint64 {
	var h maphash.Hash
	h.SetSeed(s.seed)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], shipment)
	h.Write(b[:])
	h.WriteString(string(status))
	return h.Sum64()
}

// carrierIndex interns carrier. s.mu is held.
func (s *Sampler) carrierIndex(carrier string) uint16 {
	if i, ok := s.carrierIdx[carrier]; ok {
		return i
	}
	if len(s.carriers) >= maxCarriers {
		return 0
	}
	i := uint16(len(s.carriers))
	s.carriers = append(s.carriers, strings.Clone(carrier))
	s.carrierIdx[s.carriers[i]] = i
	return i
}

// Sample records the ETA w served at servedAt for journey j from snapshot
// snap by the model of version, if it is the shipment's first today or
// the first at its status. It never blocks.
func (s *Sampler) Sample(j *model.Journey, snap model.Snapshot, w *Window, version string, servedAt time.Time) {
	if s == nil || w == nil {
		return
	}
	servedAt = servedAt.UTC()
	id := s.shipmentID(j.TrackingNumber, j.ShipmentKey)
	key := s.seenKey(id, snap.Status)
	day := servedAt.Unix() / 86400

	s.mu.Lock()
	defer s.mu.Unlock()
	// The day only moves on: a request that read the clock just before
	// midnight and locks just after counts as the new day's.
	if day > s.day {
		// Keys of an earlier day never match again: start the day afresh.
		s.day = day
		clear(s.seen)
		s.prunePending(servedAt)
	}
	if _, ok := s.seen[key]; ok {
		return
	}
	if len(s.seen) >= s.cfg.MaxSeen {
		s.dropped.WithLabelValues(dropSeenFull).Inc()
		return
	}
	p := schemas.ServedPrediction{
		TrackingNumber: j.TrackingNumber, ShipmentKey: j.ShipmentKey, Carrier: j.Carrier, Service: j.Service,
		OriginArea: snap.OriginArea, DestArea: snap.DestArea, SnapshotAt: snap.At.UTC(), Status: snap.Status,
		ServedAt: servedAt, ModelVersion: version,
		P10: w.P10, P50: w.P50, P90: w.P90, P95: w.P95Commit,
		HoursToGo: w.P50.Sub(servedAt).Hours(),
	}
	if !snap.Promised.IsZero() {
		promised := snap.Promised.UTC()
		p.Promised = &promised
	}
	select {
	case s.queue <- p:
	default:
		// Not marked seen: a later request may sample it again.
		s.dropped.WithLabelValues(dropQueueFull).Inc()
		return
	}
	s.seen[key] = struct{}{}
	s.sampled.Inc()
	if _, ok := s.pending[id]; ok || len(s.pending) < s.cfg.MaxPending {
		s.pending[id] = pendingPrediction{p50: unix32(w.P50), snapshot: unix32(snap.At), served: unix32(servedAt), carrier: s.carrierIndex(j.Carrier)}
	}
}

// prunePending forgets samples older than the retention. s.mu is held.
func (s *Sampler) prunePending(now time.Time) {
	oldest := unix32(now.Add(-s.cfg.PendingRetention))
	for id, p := range s.pending {
		if p.served < oldest {
			delete(s.pending, id)
		}
	}
}

// ShipmentChanged is told of every shipment whose state changed. When
// one with a sampled prediction has been delivered since that
// prediction's snapshot, the absolute error of its p50 is observed and
// the prediction forgotten; one returned or cancelled is forgotten.
func (s *Sampler) ShipmentChanged(sh Shipment) {
	if s == nil {
		return
	}
	id := s.shipmentID(sh.TrackingNumber, sh.ShipmentKey)
	s.mu.Lock()
	p, ok := s.pending[id]
	if !ok {
		s.mu.Unlock()
		return
	}
	at, delivered := deliveredSince(&sh.Journey, int64(p.snapshot))
	if delivered || len(sh.Scans) > 0 && sh.Scans[len(sh.Scans)-1].Status.Terminal() {
		delete(s.pending, id)
	}
	carrier := s.carriers[p.carrier]
	s.mu.Unlock()
	if delivered {
		s.absError.WithLabelValues(carrier).Observe(math.Abs(float64(at-int64(p.p50))) / 3600)
	}
}

// deliveredSince returns the first delivered scan of j at or after the
// Unix second since, in Unix seconds.
func deliveredSince(j *model.Journey, since int64) (int64, bool) {
	for _, sc := range j.Scans {
		if sc.Status == schemas.StatusDelivered && sc.Time.Unix() >= since {
			return sc.Time.Unix(), true
		}
	}
	return 0, false
}

// Run writes the queued predictions in batches until ctx ends, then
// writes what is still queued under a deadline of its own and returns.
// A failed insert loses its batch: it is counted and logged, at most
// once a minute.
func (s *Sampler) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.FlushInterval)
	defer t.Stop()
	batch := make([]schemas.ServedPrediction, 0, s.cfg.Batch)
	for {
		select {
		case p := <-s.queue:
			if batch = append(batch, p); len(batch) >= s.cfg.Batch {
				batch = s.flush(ctx, batch)
			}
		case <-t.C:
			batch = s.flush(ctx, batch)
		case <-ctx.Done():
			final := context.WithoutCancel(ctx)
		drain:
			for {
				select {
				case p := <-s.queue:
					if batch = append(batch, p); len(batch) >= s.cfg.Batch {
						batch = s.flush(final, batch)
					}
				default:
					break drain
				}
			}
			s.flush(final, batch)
			return
		}
	}
}

// flush writes batch and returns it emptied.
func (s *Sampler) flush(ctx context.Context, batch []schemas.ServedPrediction) []schemas.ServedPrediction {
	if len(batch) == 0 {
		return batch
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
	err := s.rec.WritePredictions(wctx, batch)
	cancel()
	if err != nil {
		s.failed.Add(float64(len(batch)))
		if now := time.Now(); now.Sub(s.lastLog) >= logEvery {
			s.log.Error("sampled predictions not written", "predictions", len(batch), "earlier_failures_not_logged", s.suppressed, "err", err)
			s.lastLog, s.suppressed = now, 0
		} else {
			s.suppressed++
		}
	} else {
		s.written.Add(float64(len(batch)))
	}
	clear(batch)
	return batch[:0]
}
