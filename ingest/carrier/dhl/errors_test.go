package dhl

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

// The problem body (RFC 7807) of DHL's Shipment Tracking API: title,
// status, detail, instance. Its code is the status, so only numeric codes
// can be sent.
func dhlProblem(code string) []byte {
	status, _ := strconv.Atoi(code)
	return fmt.Appendf(nil, `{"title": "DHL says why", "status": %d, "detail": "More words.", "instance": "/shipments?trackingNumber=3318810025"}`, status)
}

func TestErrorReplyCodes(t *testing.T) {
	codes := carriertest.ReplyCodes(t, Parse, Name, problemCodes, []string{"418", "502"}, dhlProblem)
	carriertest.Documented(t, "#### DHL error codes", codes)
}
