package usps

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

// The v3 error body as USPS sends it: {"apiVersion", "error": {"code",
// "message", "errors": [{"title", "detail", "code"}]}}; a code of more
// than three characters is a detail code, under HTTP 400.
func v3Error(code string) []byte {
	status := code
	if len(code) > 3 {
		status = "400"
	}
	return fmt.Appendf(nil, `{"apiVersion": "/tracking/v3", "error": {"code": %q, "message": "USPS says why",
		"errors": [{"title": "USPS says why", "detail": "", "code": %q}]}}`, status, code)
}

// The Web Tools <Error> root, as in USPS's Web Tools user guide.
func webToolsError(code string) []byte {
	return fmt.Appendf(nil, `<Error><Number>%s</Number><Description>USPS says why</Description><Source>USPSCOM::DoAuth</Source></Error>`, code)
}

func TestErrorReplyCodes(t *testing.T) {
	v3 := carriertest.ReplyCodes(t, Parse, Name, v3Codes, []string{"418", "502"}, v3Error)
	wt := carriertest.ReplyCodes(t, Parse, Name, webToolsCodes, []string{"80040B00", "-2147219040"}, webToolsError)
	carriertest.Documented(t, "#### USPS error codes", append(v3, wt...))
}

// A detail code USPS does not publish leaves the HTTP status as the code.
func TestV3UnknownDetailCode(t *testing.T) {
	_, err := Parse([]byte(`{"apiVersion": "/tracking/v3", "error": {"code": "400", "message": "Bad request",
		"errors": [{"title": "Bad request", "detail": "", "code": "159999"}]}}`))
	if err == nil || !strings.Contains(err.Error(), "error reply 400: Bad request") {
		t.Errorf("error %v, want a 400 carrier error", err)
	}
}
