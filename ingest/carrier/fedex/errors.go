package fedex

import (
	"errors"
	"fmt"

	"github.com/parcelcast/parcelcast/ingest/carrier"
)

// replyCodes are the error codes FedEx publishes for the Track API, both
// those of a whole reply (errors[], with HTTP 400, 401, 403, 404, 500 or
// 503) and those of one track result (trackResults[].error). The codes are
// distinct strings, so one table serves both. docs/carriers.md lists them.
var replyCodes = carrier.ReplyCodes{
	NotFound:                                 carrier.ReplyNotFound, // Tracking number cannot be found
	"TRACKING.TRACKINGNUMBER.INVALID":        carrier.ReplyNotFound, // Invalid tracking number
	"TRACKING.REFERENCENUMBER.NOTFOUND":      carrier.ReplyNotFound, // Reference number cannot be found
	"TRACKING.TCN.NOTFOUND":                  carrier.ReplyNotFound, // Transportation control number cannot be found
	"NOTIFICATION.TRACKINGNBR.NOTFOUND":      carrier.ReplyNotFound, // Tracking number cannot be found
	"NOT.AUTHORIZED.ERROR":                   carrier.ReplyAuth,     // 401: access token expired, credentials refused
	"FORBIDDEN.ERROR":                        carrier.ReplyAuth,     // 403: not permitted for this resource
	"CUSTOMER.USAGE.LOCKED":                  carrier.ReplyAuth,     // Customer is locked out
	"USER.RELOGIN.REQUIRED":                  carrier.ReplyAuth,     // Unable to process for the moment; log in again
	"INTERNAL.SERVER.ERROR":                  carrier.ReplyServer,   // 500
	"SERVICE.UNAVAILABLE.ERROR":              carrier.ReplyServer,   // 503
	"NOT.FOUND.ERROR":                        carrier.ReplyRequest,  // 404: the resource (URL), not the number
	"BAD.REQUEST.ERROR":                      carrier.ReplyRequest,  // 400
	"INVALID.INPUT.EXCEPTION":                carrier.ReplyRequest,  // 400
	"TRACKING.TRACKINGNUMBER.EMPTY":          carrier.ReplyRequest,  // Please provide tracking number
	"TRACKING.TRACKINGNUMBERS.LIMITEXCEEDED": carrier.ReplyRequest,  // More than 30 numbers in one request
	"TRACKING.DATA.NOTUNIQUE":                carrier.ReplyRequest,  // A unique match was not found
}

// errorReply reads the top-level errors of a reply without output: nil
// when every one means "not found", else the carrier errors.
func errorReply(list []Error) error {
	var errs []error
	for _, e := range list {
		if re := replyCodes.Reply(Name, e.Code, e.Message); re != nil {
			errs = append(errs, re)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %w", Name, errors.Join(errs...))
}

// resultError records the error of one track result in res and reports
// whether the result's scans are still to be read. A "not found" code is
// no error. Another code fails the record when the result has no scans;
// beside scans it is counted (Kept) and the scans are read.
func resultError(res *carrier.Results, t *TrackResult, what carrier.Where) (readScans bool) {
	re := replyCodes.Reply(Name, t.Error.Code, t.Error.Message)
	if re != nil {
		re.Kept = len(t.ScanEvents) > 0
		res.Fail(fmt.Errorf("%s: %w", what, re))
	}
	return len(t.ScanEvents) > 0
}
