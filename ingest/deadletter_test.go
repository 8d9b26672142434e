package ingest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parcelcast/parcelcast/ingest/carrier"
)

func TestReasonIsBounded(t *testing.T) {
	short := errors.New("ups: decode: unexpected end of JSON input")
	if got := Reason(short); got != short.Error() {
		t.Errorf("short reason changed: %q", got)
	}
	long := errors.New(strings.Repeat("activity 1: invalid date é ", 5000))
	got := Reason(long)
	if len(got) > MaxReasonBytes || !utf8.ValidString(got) || !strings.Contains(got, "more bytes") {
		t.Errorf("long reason: %d bytes, valid UTF-8 %v, ends %q", len(got), utf8.ValidString(got), got[len(got)-40:])
	}
}

// A carrier's error reply is named by its class and code, its text is the
// detail; a record that is also malformed keeps its text as reason.
func TestReasonOfCarrierError(t *testing.T) {
	auth := &carrier.ReplyError{Carrier: "fedex", Code: "NOT.AUTHORIZED.ERROR", Message: "Access token expired."}
	junk := &carrier.ReplyError{Carrier: "fedex", Code: "not a code"}
	field := errors.New("result 1.0 scan 0: no date")
	for _, tc := range []struct {
		err            error
		reason, detail string
	}{
		{fmt.Errorf("fedex: %w", auth), "carrier_error:NOT.AUTHORIZED.ERROR", "fedex: error reply NOT.AUTHORIZED.ERROR: Access token expired."},
		{fmt.Errorf("fedex: %w", junk), "carrier_error:other", "fedex: error reply not a code"},
		{fmt.Errorf("fedex: %w", errors.Join(auth, field)), "fedex: error reply NOT.AUTHORIZED.ERROR: Access token expired.\nresult 1.0 scan 0: no date", ""},
		{field, field.Error(), ""},
	} {
		if got, detail := Reason(tc.err), Detail(tc.err); got != tc.reason || detail != tc.detail {
			t.Errorf("%v: reason %q, detail %q; want %q, %q", tc.err, got, detail, tc.reason, tc.detail)
		}
	}
}
