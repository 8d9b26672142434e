package ingest

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/parcelcast/parcelcast/ingest/carrier"
)

// maxErrorCodes bounds the code labels of CarrierErrors per carrier: the
// codes an adapter publishes are already few, and this keeps the series
// bounded whatever a carrier starts sending.
const maxErrorCodes = 32

// countCarrierErrors counts the carrier error replies in a record's parse
// error, by carrier and code, and reports whether the error dead-letters
// the record: anything but carrier errors beside scans that were kept.
func (c *Consumer) countCarrierErrors(err error) (deadLetter bool) {
	replies, malformed := carrier.ReplyErrors(err)
	for _, r := range replies {
		c.carrierErrorCounter(r).Inc()
	}
	return malformed || carrier.FirstFatal(replies) != nil
}

// carrierErrorCounter is the child of CarrierErrors for r, cached. Its
// labels are bounded: the carrier's name when well formed, the code when
// the carrier publishes it and fewer than maxErrorCodes codes of that
// carrier were counted before, "other" otherwise.
func (c *Consumer) carrierErrorCounter(r *carrier.ReplyError) prometheus.Counter {
	name, code := r.Carrier, r.Label()
	if !carrier.WellFormedCode(name) {
		name = carrier.OtherCode
	}
	k := [2]string{name, code}
	if ctr, ok := c.errorCounters[k]; ok {
		return ctr
	}
	codes := c.errorCodes[name]
	if codes == nil {
		codes = map[string]bool{}
		c.errorCodes[name] = codes
	}
	if !codes[code] && code != carrier.OtherCode && len(codes) >= maxErrorCodes {
		return c.carrierErrorCounter(&carrier.ReplyError{Carrier: name, Code: carrier.OtherCode})
	}
	codes[code] = true
	ctr := c.metrics.CarrierErrors.WithLabelValues(name, code)
	c.errorCounters[k] = ctr
	return ctr
}
