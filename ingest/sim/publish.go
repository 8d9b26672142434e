package sim

import (
	"context"
	"fmt"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest/carrier/dhl"
	"github.com/parcelcast/parcelcast/ingest/carrier/edi214"
	"github.com/parcelcast/parcelcast/ingest/carrier/fedex"
	"github.com/parcelcast/parcelcast/ingest/carrier/generic"
	"github.com/parcelcast/parcelcast/ingest/carrier/ups"
	"github.com/parcelcast/parcelcast/ingest/carrier/usps"
	"github.com/parcelcast/parcelcast/schemas"
)

// MessageWriter is the part of *kafka.Writer the publisher needs.
type MessageWriter interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Stats counts what Publish sent.
type Stats struct {
	Shipments int
	Scans     int
}

// Feed is where and how one carrier's scans are published: the topic, the
// ingest feed that reads it, and the encoder of the carrier's format (the
// same payload types the feed's parser decodes).
type Feed struct {
	Name   string
	Topic  string
	Encode func([]schemas.ScanEvent) ([]byte, error)
}

// Feeds maps a carrier to its feed; the "" entry serves carriers without
// one of their own.
type Feeds map[string]Feed

// CarrierFeeds publishes every carrier in its own format to prefix+feed:
// UPS Track API JSON, FedEx Track API JSON, USPS Tracking v3 JSON, DHL
// Unified JSON, and EDI 214 for the regional carrier.
func CarrierFeeds(prefix string) Feeds {
	return Feeds{
		"ups":    {Name: ups.Name, Topic: prefix + ups.Name, Encode: ups.Encode},
		"fedex":  {Name: fedex.Name, Topic: prefix + fedex.Name, Encode: fedex.Encode},
		"usps":   {Name: usps.Name, Topic: prefix + usps.Name, Encode: usps.Encode},
		"dhl":    {Name: dhl.Name, Topic: prefix + dhl.Name, Encode: dhl.Encode},
		"ontrac": {Name: edi214.Name, Topic: prefix + edi214.Name, Encode: edi214.Encode},
		"":       {Name: generic.Name, Topic: prefix + generic.Name, Encode: generic.Encode},
	}
}

// GenericFeeds publishes every carrier's scans as generic-feed JSON to one
// topic.
func GenericFeeds(topic string) Feeds {
	return Feeds{"": {Name: generic.Name, Topic: topic, Encode: generic.Encode}}
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

func (f Feeds) of(carrier string) Feed {
	if feed, ok := f[carrier]; ok {
		return feed
	}
	return f[""]
}

// Publish generates every shipment of g and writes each scan as one record
// of its carrier's feed, keyed by tracking number, in batches of batchSize.
// each, if not nil, sees every shipment (ground truth) after its scans were
// sent.
func Publish(ctx context.Context, w MessageWriter, g *Generator, feeds Feeds, batchSize int, each func(*Shipment)) (Stats, error) {
	var st Stats
	if batchSize <= 0 {
		batchSize = 1000
	}
	buf := make([]kafka.Message, 0, batchSize)
	var pending []Shipment
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if err := w.WriteMessages(ctx, buf...); err != nil {
			return fmt.Errorf("publish %d scans: %w", len(buf), err)
		}
		st.Scans += len(buf)
		buf = buf[:0]
		for i := range pending {
			st.Shipments++
			if each != nil {
				each(&pending[i])
			}
		}
		pending = pending[:0]
		return nil
	}
	for {
		s, ok := g.Next()
		if !ok {
			break
		}
		feed := feeds.of(s.Carrier)
		for i := range s.Scans {
			v, err := feed.Encode(s.Scans[i : i+1])
			if err != nil {
				return st, fmt.Errorf("encode scan of %s: %w", s.TrackingNumber, err)
			}
			buf = append(buf, kafka.Message{Topic: feed.Topic, Key: []byte(s.TrackingNumber), Value: v})
		}
		pending = append(pending, s)
		if len(buf) >= batchSize {
			if err := flush(); err != nil {
				return st, err
			}
		}
	}
	return st, flush()
}
