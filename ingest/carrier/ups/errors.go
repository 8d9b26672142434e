package ups

import (
	"errors"
	"fmt"

	"github.com/parcelcast/parcelcast/ingest/carrier"
)

// replyCodes are the codes of a Track API error reply
// ({"response": {"errors": [{"code", "message"}]}}) that UPS publishes:
// the Track API's own not-found codes, the codes common to all UPS APIs,
// and the authentication and rate-limit codes of its OAuth gateway.
// docs/carriers.md lists them with their meaning.
var replyCodes = carrier.ReplyCodes{
	"151018": carrier.ReplyNotFound, // Invalid tracking number
	"151044": carrier.ReplyNotFound, // No tracking information available
	"10001":  carrier.ReplyRequest,  // The request is not well formed
	"10002":  carrier.ReplyRequest,  // The request is well formed but the request is not valid
	"10003":  carrier.ReplyRequest,  // The request is either empty or null
	"10006":  carrier.ReplyRequest,  // Element content does not conform to the rules
	"10013":  carrier.ReplyRequest,  // The message is too large to be processed
	"20001":  carrier.ReplyServer,   // General process failure (transient)
	"20002":  carrier.ReplyRequest,  // The service name and version combination is invalid
	"20006":  carrier.ReplyRequest,  // Invalid request action
	"20007":  carrier.ReplyRequest,  // Missing required field
	"20008":  carrier.ReplyRequest,  // A field contains invalid data
	"250000": carrier.ReplyAuth,     // No access and authentication credentials provided
	"250001": carrier.ReplyAuth,     // Invalid access license for the tool
	"250002": carrier.ReplyAuth,     // Invalid authentication information
	"250003": carrier.ReplyAuth,     // Invalid access license number
	"250004": carrier.ReplyAuth,     // Incorrect user id or password
	"250005": carrier.ReplyAuth,     // No access and authentication credentials provided
	"250006": carrier.ReplyAuth,     // The maximum number of user access attempts was exceeded
	"250007": carrier.ReplyAuth,     // The user id is currently locked out
	"250009": carrier.ReplyAuth,     // License number not found in the UPS database
	"250050": carrier.ReplyServer,   // License system not available (transient)
	"10429":  carrier.ReplyQuota,    // Too many requests
}

// errorReply reads the errors of a reply without tracking data: nil when
// every one means "not found", else the carrier errors.
func errorReply(list []Warning) error {
	var errs []error
	for _, w := range list {
		if re := replyCodes.Reply(Name, w.Code, w.Message); re != nil {
			errs = append(errs, re)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %w", Name, errors.Join(errs...))
}
