package ups

import (
	"fmt"
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

// The error reply's shape is the Response schema of UPS's Track API
// reference (Tracking.yaml): {"response": {"errors": [{"code", "message"}]}}.
func upsError(code string) []byte {
	return fmt.Appendf(nil, `{"response": {"errors": [{"code": %q, "message": "UPS says why"}]}}`, code)
}

func TestErrorReplyCodes(t *testing.T) {
	codes := carriertest.ReplyCodes(t, Parse, Name, replyCodes, []string{"999999", "9370701"}, upsError)
	carriertest.Documented(t, "#### UPS error codes", codes)
}

// One not-found error beside a refusal is still a refusal.
func TestErrorReplyMixed(t *testing.T) {
	_, err := Parse([]byte(`{"response": {"errors": [{"code": "151044", "message": "No tracking information available"},
		{"code": "250003", "message": "Invalid Access License number"}]}}`))
	replies, malformed := carrier.ReplyErrors(err)
	if len(replies) != 1 || replies[0].Code != "250003" || malformed {
		t.Errorf("error %v: replies %v, malformed %v; want the one refusal", err, replies, malformed)
	}
}
