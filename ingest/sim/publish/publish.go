// Package publish writes the scans of a simulation (ingest/sim) to Kafka:
// each carrier's scans as records of its feed, in the feed's format, with
// the noise real feeds add on the way (duplicates, reordering, gaps,
// clock skew, malformed records). All writes as fast as the writer takes
// them; Replay paces the records in simulated time, as a live feed.
package publish

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/feeds"
	"github.com/parcelcast/parcelcast/ingest/carrier/generic"
	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/schemas"
)

// MessageWriter is the part of *kafka.Writer the publisher needs.
type MessageWriter interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Stats counts what All or Replay sent.
type Stats struct {
	Shipments int
	// Records is the number of Kafka records written.
	Records int
	// Scans is the number of distinct, well-formed scans in them: what the
	// scan_events table holds once they are ingested.
	Scans int
	// What the feed noise did. Malformed counts records: each one goes to
	// the dead-letter topic.
	Duplicates, Reordered, Gaps, Skewed, Malformed int
}

// Noise is what real feeds do to scans on their way, each a rate per scan.
type Noise struct {
	Duplicate float64 // the record is sent twice
	Reorder   float64 // the record arrives after the shipment's next one
	Gap       float64 // an intermediate scan is never sent
	Skew      float64 // the scanner's clock is off by one to five minutes
	Malformed float64 // the record is cut short in transit
}

// DefaultNoise is the feed noise of `parcelcast simulate` and the demo.
var DefaultNoise = Noise{Duplicate: 0.02, Reorder: 0.03, Gap: 0.01, Skew: 0.005, Malformed: 0.001}

// Options tune All and Replay.
type Options struct {
	BatchSize int   // records per write; 1000 when zero
	Noise     Noise // none when zero
	// Each, if not nil, sees every shipment (ground truth) after its scans
	// were written.
	Each func(*sim.Shipment)
	// ReuseRecords lets All reuse the memory of records once
	// WriteMessages has returned: set it when the writer keeps nothing
	// (kafka.Writer in synchronous mode, a file writer), not when it
	// holds the messages (a recorder, an asynchronous writer). Replay
	// ignores it.
	ReuseRecords bool
}

// Feed is where and how one carrier's scans are published: the topic, and
// the format of the ingest feed that reads it (the same payload types its
// parser decodes).
type Feed struct {
	carrier.Format
	Topic string
}

// Feeds maps a carrier to its feed; the "" entry serves carriers without
// one of their own.
type Feeds map[string]Feed

// CarrierFeeds publishes every carrier in the format of the list
// (ingest/carrier/feeds) that names it among its Carriers, to
// prefix+format name: UPS Track API JSON, FedEx Track API JSON, USPS
// Tracking v3 JSON, DHL Unified JSON, and EDI 214 for the regional
// carrier. Other carriers are published as generic-feed JSON.
func CarrierFeeds(prefix string) Feeds {
	m := Feeds{"": {Format: generic.Format, Topic: prefix + generic.Name}}
	for _, f := range feeds.All() {
		for _, c := range f.Carriers {
			m[c] = Feed{Format: f, Topic: prefix + f.Name}
		}
	}
	return m
}

// GenericFeeds publishes every carrier's scans as generic-feed JSON to one
// topic.
func GenericFeeds(topic string) Feeds {
	return Feeds{"": {Format: generic.Format, Topic: topic}}
}

// Topics returns the topic → feed map an ingest consumer needs to read
// what these feeds publish.
func (f Feeds) Topics() map[string]string {
	m := map[string]string{}
	for _, feed := range f {
		m[feed.Topic] = feed.Name
	}
	return m
}

func (f Feeds) of(carrierName string) Feed {
	if feed, ok := f[carrierName]; ok {
		return feed
	}
	return f[""]
}

// noisyEncoder turns a shipment's scans into records, with the noise.
type noisyEncoder struct {
	feeds Feeds
	noise Noise
	rng   *rand.Rand
	st    *Stats
	one   [1]schemas.ScanEvent // the scan being encoded, without a fresh slice each time
	arena []byte               // the current chunk of record bytes
	reuse bool                 // Options.ReuseRecords
	used  [][]byte             // with reuse, the chunks holding unflushed records
	free  [][]byte             // with reuse, chunks to fill again
}

const chunkSize = 256 << 10

// room makes sure the current chunk has n free bytes, starting a new one
// if not: records already carved stay where they are.
func (n *noisyEncoder) room(size int) {
	if cap(n.arena)-len(n.arena) >= size {
		return
	}
	if k := len(n.free); k > 0 {
		n.arena, n.free = n.free[k-1][:0], n.free[:k-1]
	} else {
		n.arena = make([]byte, 0, max(chunkSize, size))
	}
	if n.reuse {
		n.used = append(n.used, n.arena)
	}
}

// bytes copies s into the current chunk.
func (n *noisyEncoder) bytes(s string) []byte {
	n.room(len(s))
	start := len(n.arena)
	n.arena = append(n.arena, s...)
	return n.arena[start:len(n.arena):len(n.arena)]
}

// written is called once every record encoded so far is written: with
// reuse, their chunks serve again; without, they belong to the writer.
func (n *noisyEncoder) written() {
	if !n.reuse {
		return
	}
	for _, c := range n.used {
		n.free = append(n.free, c[:0])
	}
	n.used, n.arena = n.used[:0], nil
}

func newNoisyEncoder(g *sim.Generator, feeds Feeds, noise Noise, st *Stats) *noisyEncoder {
	return &noisyEncoder{feeds: feeds, noise: noise, st: st,
		rng: rand.New(rand.NewPCG(g.Seed()^0x6e6f697365, g.Seed()+7))}
}

// record is a Kafka record and the instant its scan happened.
type record struct {
	at  time.Time
	msg kafka.Message
}

// encode appends the records of s to out.
func (n *noisyEncoder) encode(s *sim.Shipment, out []record) ([]record, error) {
	feed := n.feeds.of(s.Carrier)
	nz, rng, st := n.noise, n.rng, n.st
	first := len(out)
	key := n.bytes(s.TrackingNumber) // shared by the shipment's records; nobody writes to it
	for i := range s.Scans {
		scan := &s.Scans[i]
		if i > 0 && i < len(s.Scans)-1 && rng.Float64() < nz.Gap {
			st.Gaps++
			continue
		}
		if rng.Float64() < nz.Skew {
			n.one[0] = *scan
			n.one[0].EventTime = scan.EventTime.Add(time.Duration(rng.IntN(9)-4) * time.Minute)
			scan = &n.one[0]
			st.Skewed++
		}
		var v []byte
		if feed.AppendOne != nil {
			// Records are carved from shared chunks: a record's bytes stay
			// valid when a later one starts a new chunk.
			n.room(4 << 10)
			start := len(n.arena)
			n.arena = feed.AppendOne(n.arena, scan)
			v = n.arena[start:len(n.arena):len(n.arena)]
		} else {
			var err error
			n.one[0] = *scan
			if v, err = feed.Encode(n.one[:]); err != nil {
				return out, fmt.Errorf("encode scan of %s: %w", s.TrackingNumber, err)
			}
		}
		malformed := rng.Float64() < nz.Malformed
		if malformed {
			v = v[:len(v)/2]
			st.Malformed++
		} else {
			st.Scans++
		}
		r := record{at: s.Scans[i].EventTime, msg: kafka.Message{Topic: feed.Topic, Key: key, Value: v}}
		out = append(out, r)
		if rng.Float64() < nz.Duplicate {
			out = append(out, r)
			st.Duplicates++
			if malformed {
				st.Malformed++ // one more record for the dead-letter topic
			}
		}
	}
	recs := out[first:]
	for i := 0; i+1 < len(recs); i++ {
		if rng.Float64() < nz.Reorder {
			recs[i].msg, recs[i+1].msg = recs[i+1].msg, recs[i].msg
			st.Reordered++
			i++
		}
	}
	return out, nil
}

// All generates every shipment of g and writes each scan as one record
// of its carrier's feed, keyed by tracking number, with opts.Noise applied,
// as fast as the writer takes them. The noise draws from its own stream
// seeded by the simulation's seed, so the same config writes the same bytes.
func All(ctx context.Context, w MessageWriter, g *sim.Generator, feeds Feeds, opts Options) (Stats, error) {
	var st Stats
	batchSize := opts.BatchSize
	if batchSize <= 0 {
		batchSize = 1000
	}
	enc := newNoisyEncoder(g, feeds, opts.Noise, &st)
	enc.reuse = opts.ReuseRecords
	buf := make([]kafka.Message, 0, batchSize)
	var pending []sim.Shipment
	unflushed := 0 // shipments written but not flushed, when pending is not kept
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if err := w.WriteMessages(ctx, buf...); err != nil {
			return fmt.Errorf("publish %d records: %w", len(buf), err)
		}
		st.Records += len(buf)
		buf = buf[:0]
		enc.written()
		st.Shipments += unflushed
		unflushed = 0
		for i := range pending {
			st.Shipments++
			if opts.Each != nil {
				opts.Each(&pending[i])
			}
		}
		pending = pending[:0]
		return nil
	}
	var recs []record
	var s sim.Shipment // reused when nobody keeps the shipments
	for {
		if opts.Each != nil {
			s = sim.Shipment{} // Each may keep it
		}
		if !g.NextInto(&s) {
			break
		}
		var err error
		if recs, err = enc.encode(&s, recs[:0]); err != nil {
			return st, err
		}
		for _, r := range recs {
			buf = append(buf, r.msg)
		}
		if opts.Each != nil {
			pending = append(pending, s)
		} else {
			unflushed++
		}
		if len(buf) >= batchSize {
			if err := flush(); err != nil {
				return st, err
			}
		}
	}
	return st, flush()
}
