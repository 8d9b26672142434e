// Package webhooks signs, checks and delivers the shipment events
// subscribers asked for, to the Standard Webhooks specification: the
// headers webhook-id, webhook-timestamp and webhook-signature, the
// signature "v1," + base64 of HMAC-SHA256 over "id.timestamp.body" keyed by
// the bytes of a "whsec_" secret. It knows no database and no Kafka: the
// notify command passes it the stores and feeds it the topics' events.
package webhooks
