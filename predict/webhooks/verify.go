package webhooks

import (
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is how far a delivery's timestamp may be from the
// receiver's clock: older deliveries are refused as replays.
const DefaultTolerance = 5 * time.Minute

// The reasons Verify refuses a delivery.
var (
	ErrMissingHeaders = errors.New("webhooks: missing webhook-id, webhook-timestamp or webhook-signature")
	ErrTimestamp      = errors.New("webhooks: timestamp malformed or outside the tolerance")
	ErrSignature      = errors.New("webhooks: no valid signature")
)

// Verify checks a delivery as a receiver gets it: the headers, the raw
// body and the secrets the receiver holds (two during a rotation). It
// returns nil when one v1 signature of the header matches one secret and
// the timestamp is within tolerance of now.
func Verify(secrets []string, h http.Header, body []byte, tolerance time.Duration) error {
	return verifyAt(time.Now(), secrets, h, body, tolerance)
}

func verifyAt(now time.Time, secrets []string, h http.Header, body []byte, tolerance time.Duration) error {
	id, stamp, sigHeader := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || stamp == "" || sigHeader == "" {
		return ErrMissingHeaders
	}
	secs, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil || secs < 0 {
		return ErrTimestamp
	}
	if d := now.Sub(time.Unix(secs, 0)); d > tolerance || d < -tolerance {
		return ErrTimestamp
	}
	sigs := parseSignatures(sigHeader)
	for _, s := range secrets {
		key, err := SecretKey(s)
		if err != nil {
			return err
		}
		want, _ := base64.StdEncoding.DecodeString(sign(key, id, stamp, body))
		for _, got := range sigs {
			if hmac.Equal(got, want) {
				return nil
			}
		}
	}
	return ErrSignature
}

// parseSignatures returns the decoded v1 signatures of a signature
// header: space-separated "version,base64" entries; other versions and
// malformed entries are skipped.
func parseSignatures(header string) [][]byte {
	var out [][]byte
	for _, entry := range strings.Fields(header) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != signatureVersion {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(sig)
		if err != nil || len(b) == 0 {
			continue
		}
		out = append(out, b)
	}
	return out
}
