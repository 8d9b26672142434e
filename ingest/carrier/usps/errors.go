package usps

import (
	"github.com/parcelcast/parcelcast/ingest/carrier"
)

// v3Codes are the codes of a Tracking API v3 error reply
// ({"apiVersion", "error": {"code", "message", "errors": [{"code",
// "title", "detail"}]}}) that USPS publishes: error.code is the HTTP
// status, errors[].code a finer code where USPS sends one. The finer code
// wins when it is in the table (a 400 whose detail is 150001 is "not yet
// available", not a bad request). docs/carriers.md lists them.
var v3Codes = carrier.ReplyCodes{
	"150001": carrier.ReplyNotFound, // A status update is not yet available on your package
	"404":    carrier.ReplyNotFound, // The tracking number could not be found
	"400":    carrier.ReplyRequest,  // Bad request
	"401":    carrier.ReplyAuth,     // The access token is missing, invalid or expired
	"403":    carrier.ReplyAuth,     // Not authorized (for example a Mailer ID without tracking access)
	"429":    carrier.ReplyQuota,    // Too many requests: the app's quota
	"500":    carrier.ReplyServer,   // Internal server error
	"503":    carrier.ReplyServer,   // Service unavailable
}

// webToolsCodes are the codes of a Web Tools <Error> root, the reply to a
// request refused as a whole. Errors inside a <TrackInfo> are per number
// ("could not locate", "not yet available") and yield no scans.
var webToolsCodes = carrier.ReplyCodes{
	"80040B1A": carrier.ReplyAuth,    // Authorization failure: user id not authorized
	"80040B19": carrier.ReplyRequest, // XML syntax error
}

// reply reads a v3 error body: nil when it means "not found", else the
// carrier error.
func (e *APIError) reply() *carrier.ReplyError {
	code, msg := e.Code, e.Message
	for _, d := range e.Errors {
		if _, ok := v3Codes[d.Code]; ok {
			code = d.Code
			if msg == "" {
				msg = d.Title
			}
			break
		}
	}
	return v3Codes.Reply(Name, code, msg)
}
