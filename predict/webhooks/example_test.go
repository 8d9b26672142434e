package webhooks_test

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/predict/webhooks"
)

// A receiver checks each delivery with the secret it was shown when it
// subscribed (and, during a rotation, the previous one as well), over
// the raw body as received.
func ExampleVerify() {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"type":"milestone.delivered","timestamp":"2026-12-01T10:00:00Z","data":{}}`)

	// What the notifier sends (a receiver gets these headers from the
	// request).
	h, _ := webhooks.Sign([]string{secret}, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", time.Now(), body)
	req, _ := http.NewRequest(http.MethodPost, "https://example.com/hooks", strings.NewReader(string(body)))
	req.Header = h

	fmt.Println(webhooks.Verify([]string{secret}, req.Header, body, webhooks.DefaultTolerance))
	fmt.Println(webhooks.Verify([]string{secret}, req.Header, []byte(`{"tampered":true}`), webhooks.DefaultTolerance))
	// Output:
	// <nil>
	// webhooks: no valid signature
}
