package ingest

import (
	"context"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest/carrier"
)

// DeadLetter is a record that could not be turned into canonical events,
// kept whole with why and where it came from.
type DeadLetter struct {
	Original kafka.Message
	Feed     string
	Reason   string
	Detail   string // the whole error when Reason names only its class; else empty
}

// Headers set on every dead-letter record.
const (
	HeaderReason    = "parcelcast-dlq-reason"
	HeaderFeed      = "parcelcast-dlq-feed"
	HeaderTopic     = "parcelcast-dlq-source-topic"
	HeaderPartition = "parcelcast-dlq-source-partition"
	HeaderOffset    = "parcelcast-dlq-source-offset"
	HeaderTime      = "parcelcast-dlq-time"
	// HeaderDetail is set when the reason is a class (carrier_error:<code>):
	// the whole error, with the carrier's message.
	HeaderDetail = "parcelcast-dlq-detail"
)

// KafkaDeadLetters publishes dead letters to a Kafka topic and waits for
// the broker's acknowledgement.
type KafkaDeadLetters struct {
	w *kafka.Writer
}

// NewKafkaDeadLetters returns a publisher to topic on brokers.
func NewKafkaDeadLetters(brokers []string, topic string) *KafkaDeadLetters {
	return &KafkaDeadLetters{w: keyedWriter(brokers, topic, 0, 5*time.Millisecond)}
}

// WriteDeadLetters publishes records: original key and value, original
// headers, plus the parcelcast-dlq-* headers.
func (d *KafkaDeadLetters) WriteDeadLetters(ctx context.Context, letters []DeadLetter) error {
	if len(letters) == 0 {
		return nil
	}
	msgs := make([]kafka.Message, len(letters))
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for i, l := range letters {
		o := l.Original
		h := append([]kafka.Header(nil), o.Headers...)
		h = append(h,
			kafka.Header{Key: HeaderReason, Value: []byte(l.Reason)},
			kafka.Header{Key: HeaderFeed, Value: []byte(l.Feed)},
			kafka.Header{Key: HeaderTopic, Value: []byte(o.Topic)},
			kafka.Header{Key: HeaderPartition, Value: []byte(strconv.Itoa(o.Partition))},
			kafka.Header{Key: HeaderOffset, Value: []byte(strconv.FormatInt(o.Offset, 10))},
			kafka.Header{Key: HeaderTime, Value: []byte(now)},
		)
		if l.Detail != "" {
			h = append(h, kafka.Header{Key: HeaderDetail, Value: []byte(l.Detail)})
		}
		msgs[i] = kafka.Message{Key: o.Key, Value: o.Value, Headers: h}
	}
	if err := d.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("publish %d dead letters: %w", len(msgs), err)
	}
	return nil
}

// Close flushes and closes the underlying writer.
func (d *KafkaDeadLetters) Close() error { return d.w.Close() }

// MaxReasonBytes bounds the reason header of a dead letter: a payload with
// thousands of bad scans would otherwise make a reason bigger than the
// broker accepts, and a dead letter that cannot be written would stall its
// partition.
const MaxReasonBytes = 4096

// CarrierErrorReason starts the reason of a record that is a carrier's
// error reply (credentials refused, quota, the carrier's own failure): the
// carrier's code follows, e.g. "carrier_error:NOT.AUTHORIZED.ERROR".
const CarrierErrorReason = "carrier_error:"

// Reason is the dead-letter reason for err: carrier_error:<code> when err
// is a carrier's error reply that dead-letters the record and nothing
// else, else the error's text, cut to MaxReasonBytes on a UTF-8 boundary
// with a note of how much was left out. A record with malformed parts
// keeps its text as reason, so that replaying after a parser fix finds it.
func Reason(err error) string {
	if r := carrierError(err); r != nil {
		return CarrierErrorReason + r.ReasonCode()
	}
	return bounded(err.Error())
}

// Detail is what a dead letter of err carries beside its reason: the
// error's text when the reason is carrier_error:<code>, else nothing (the
// reason is the text).
func Detail(err error) string {
	if carrierError(err) == nil {
		return ""
	}
	return bounded(err.Error())
}

// carrierError is the carrier error reply that dead-letters err's record
// when err holds nothing malformed, else nil.
func carrierError(err error) *carrier.ReplyError {
	replies, malformed := carrier.ReplyErrors(err)
	if malformed {
		return nil
	}
	return carrier.FirstFatal(replies)
}

// bounded is r cut to MaxReasonBytes on a UTF-8 boundary with a note of how
// much was left out.
func bounded(r string) string {
	if len(r) <= MaxReasonBytes {
		return r
	}
	cut := MaxReasonBytes - 64
	for cut > 0 && !utf8.RuneStart(r[cut]) {
		cut--
	}
	return fmt.Sprintf("%s … (%d more bytes)", r[:cut], len(r)-cut)
}
