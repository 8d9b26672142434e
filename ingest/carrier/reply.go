package carrier

import "strings"

// ReplyError is a carrier's own error reply in a feed record: the carrier
// refused the request (credentials, quota, its own failure) instead of
// answering with tracking data. It is not a malformed payload and not a
// "not found": the feed's producer is broken, and ingest dead-letters the
// record with reason carrier_error:<code> and counts it by carrier and
// code. Adapters return it wrapped like any error; errors.As finds it.
type ReplyError struct {
	Carrier string // the carrier, as in ScanEvent.Carrier
	Code    string // the carrier's error code, as sent
	Message string // the carrier's message, trimmed
	// Published is set when the code is in the carrier's published list
	// (the adapter's ReplyCodes); a code outside it is counted as "other".
	Published bool
	// Kept is set when the reply also carried scans and they were kept:
	// the error is counted but does not dead-letter the record.
	Kept bool
}

func (e *ReplyError) Error() string {
	s := "error reply " + e.Code
	if e.Code == "" {
		s = "error reply without a code"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Kept {
		s += " (its scans kept)"
	}
	return s
}

// OtherCode stands for an error code that is not one to name in a metric
// label or a dead-letter reason.
const OtherCode = "other"

// maxCodeLen bounds an error code that may become a label: carriers'
// codes are short ("250002", "NOT.AUTHORIZED.ERROR").
const maxCodeLen = 48

// WellFormedCode reports whether s can name an error code in a label or a
// reason: 1 to 48 characters of [A-Za-z0-9._-].
func WellFormedCode(s string) bool {
	if s == "" || len(s) > maxCodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Label is the error's code as a metric label: the code when the carrier
// publishes it, else "other", so the label values stay bounded.
func (e *ReplyError) Label() string {
	if e.Published && WellFormedCode(e.Code) {
		return e.Code
	}
	return OtherCode
}

// ReasonCode is the code in a dead letter's reason: the code as sent when
// it is well formed, published or not, so an unknown code can be looked up;
// else "other".
func (e *ReplyError) ReasonCode() string {
	if WellFormedCode(e.Code) {
		return e.Code
	}
	return OtherCode
}

// ReplyClass is what a carrier's error code means for the feed.
type ReplyClass uint8

// The classes of published error codes.
const (
	// ReplyNotFound: the carrier has no data for the number asked (not
	// yet scanned, mistyped, expired). A valid reply without scans.
	ReplyNotFound ReplyClass = iota + 1
	ReplyAuth                // authentication or authorization refused
	ReplyQuota               // rate limit or quota exceeded
	ReplyServer              // the carrier's service failed or is unavailable
	ReplyRequest             // the request was refused as malformed
)

func (c ReplyClass) String() string {
	switch c {
	case ReplyNotFound:
		return "not found"
	case ReplyAuth:
		return "authentication"
	case ReplyQuota:
		return "quota"
	case ReplyServer:
		return "server"
	case ReplyRequest:
		return "request"
	}
	return "unknown"
}

// ReplyCodes is one carrier's published error codes and their classes.
type ReplyCodes map[string]ReplyClass

// Reply reads one error of a carrier's reply: nil when the code means
// "not found" (no events, no error), else the *ReplyError to return. A
// code missing from c is an error too, not published: a reply the adapter
// does not know is not taken for quiet traffic.
func (c ReplyCodes) Reply(carrierName, code, message string) *ReplyError {
	code = strings.TrimSpace(code)
	class, ok := c[code]
	if ok && class == ReplyNotFound {
		return nil
	}
	return &ReplyError{Carrier: carrierName, Code: code, Message: strings.TrimSpace(message), Published: ok}
}

// ReplyErrors walks the tree of a parse error: every ReplyError in it, and
// whether err also holds an error that is not one (a malformed payload or
// scan). A nil err has neither.
func ReplyErrors(err error) (replies []*ReplyError, malformed bool) {
	if err == nil {
		return nil, false
	}
	malformed = walkReplies(err, &replies)
	return replies, malformed
}

// DeadLetters reports whether a parse error dead-letters its record: it
// holds a malformed part, or a ReplyError whose record kept no scans.
// Carrier errors beside scans that were kept are only counted.
func DeadLetters(err error) bool {
	replies, malformed := ReplyErrors(err)
	return malformed || FirstFatal(replies) != nil
}

// walkReplies appends the ReplyErrors in err to out and reports whether err
// holds any other error.
func walkReplies(err error, out *[]*ReplyError) bool {
	switch e := err.(type) {
	case *ReplyError:
		*out = append(*out, e)
		return false
	case interface{ Unwrap() []error }:
		other := false
		for _, inner := range e.Unwrap() {
			if inner != nil && walkReplies(inner, out) {
				other = true
			}
		}
		return other
	case interface{ Unwrap() error }:
		if inner := e.Unwrap(); inner != nil {
			return walkReplies(inner, out)
		}
	}
	return true
}

// FirstFatal is the first ReplyError of replies that dead-letters its
// record (no scans were kept beside it), or nil.
func FirstFatal(replies []*ReplyError) *ReplyError {
	for _, r := range replies {
		if !r.Kept {
			return r
		}
	}
	return nil
}
