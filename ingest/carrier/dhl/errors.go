package dhl

import (
	"fmt"
	"strconv"

	"github.com/parcelcast/parcelcast/ingest/carrier"
)

// problemCodes are the HTTP statuses of the problem bodies (RFC 7807:
// title, status, detail) that DHL publishes for the Shipment Tracking API;
// the status is the code. docs/carriers.md lists them.
var problemCodes = carrier.ReplyCodes{
	"404": carrier.ReplyNotFound, // No shipment with given tracking number found
	"400": carrier.ReplyRequest,  // Bad request: an invalid parameter
	"401": carrier.ReplyAuth,     // Unauthorized: the API key is missing or invalid
	"403": carrier.ReplyAuth,     // Forbidden: the key may not use this API
	"429": carrier.ReplyQuota,    // Too many requests: the key's daily or per-second limit
	"500": carrier.ReplyServer,   // Internal server error
	"503": carrier.ReplyServer,   // Service unavailable
}

// problem reads a problem body: nil when it means "not found", else the
// carrier error.
func problem(r *Response) error {
	msg := r.Title
	switch {
	case msg == "":
		msg = r.Detail
	case r.Detail != "" && r.Detail != r.Title:
		msg += ": " + r.Detail
	}
	code := ""
	if r.Status != 0 {
		code = strconv.Itoa(r.Status)
	}
	if re := problemCodes.Reply(Name, code, msg); re != nil {
		return fmt.Errorf("%s: %w", Name, re)
	}
	return nil
}
