package fedex

import (
	"fmt"
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

// The whole-reply shape is that of FedEx's Track API error examples
// (transactionId, customerTransactionId, errors[]{code, message}).
func fedexError(code string) []byte {
	return fmt.Appendf(nil, `{"transactionId": "624deea6-b709-470c-8c39-4b5511281492", "customerTransactionId": "AnyCo_order123456789",
		"errors": [{"code": %q, "message": "FedEx says why"}]}`, code)
}

// The result shape is that of FedEx's Track API response example: a
// trackResult with an error object and no scans.
func fedexResultError(code string) []byte {
	return fmt.Appendf(nil, `{"transactionId": "624deea6-b709-470c-8c39-4b5511281492", "output": {"completeTrackResults": [
		{"trackingNumber": "986578788855", "trackResults": [{"trackingNumberInfo": {"trackingNumber": "986578788855"},
		"error": {"code": %q, "parameterList": [], "message": "FedEx says why"}}]}]}}`, code)
}

var unpublished = []string{"NO.SUCH.CODE", "TRACKING.SOMETHING.NEW"}

func TestErrorReplyCodes(t *testing.T) {
	codes := carriertest.ReplyCodes(t, Parse, Name, replyCodes, unpublished, fedexError)
	carriertest.ReplyCodes(t, Parse, Name, replyCodes, unpublished, fedexResultError)
	carriertest.Documented(t, "#### FedEx error codes", codes)
}

// A result that carries an error and scans keeps the scans, and the error
// is returned as counted (Kept), not as a reason to dead-letter the record;
// a not-found code beside scans is no error at all.
func TestResultErrorBesideScans(t *testing.T) {
	for _, tc := range []struct {
		code      string
		wantReply bool
	}{
		{"TRACKING.TRACKINGNUMBER.EMPTY", true},
		{"NOT.AUTHORIZED.ERROR", true},
		{"NO.SUCH.CODE", true},
		{NotFound, false},
	} {
		payload := fmt.Appendf(nil, `{"output": {"completeTrackResults": [{"trackingNumber": "799531274483", "trackResults": [{
			"error": {"code": %q, "message": "FedEx says why"},
			"scanEvents": [{"date": "2026-03-05T10:02:00-07:00", "eventType": "DL", "eventDescription": "Delivered",
				"scanLocation": {"city": "DENVER", "stateOrProvinceCode": "CO", "countryCode": "US"}}]}]}]}}`, tc.code)
		events, err := Parse(payload)
		replies, malformed := carrier.ReplyErrors(err)
		switch {
		case len(events) != 1:
			t.Errorf("%s: %d events, want the scan kept", tc.code, len(events))
		case carrier.DeadLetters(err) || malformed:
			t.Errorf("%s: %v dead-letters the record", tc.code, err)
		case tc.wantReply && (len(replies) != 1 || !replies[0].Kept || replies[0].Code != tc.code):
			t.Errorf("%s: replies %v, want the one error, kept", tc.code, replies)
		case !tc.wantReply && err != nil:
			t.Errorf("%s: %v, want no error", tc.code, err)
		}
	}
}
