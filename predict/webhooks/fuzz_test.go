package webhooks

import (
	"encoding/base64"
	"net/http"
	"testing"
	"time"
)

// FuzzVerify feeds the verifier arbitrary headers: it must never panic,
// and must accept only what was signed with the secret.
func FuzzVerify(f *testing.F) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	f.Add("msg_1", "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", []byte(`{"test": 2432232314}`))
	f.Add("", "", "", []byte(nil))
	f.Add("msg", "-1", "v1, v1,,, v2,x", []byte("{}"))
	f.Add("msg", "99999999999999999999", "v1,====", []byte("{}"))
	now := time.Unix(1614265330, 0)
	f.Fuzz(func(t *testing.T, id, stamp, sig string, body []byte) {
		h := http.Header{}
		h.Set(HeaderID, id)
		h.Set(HeaderTimestamp, stamp)
		h.Set(HeaderSignature, sig)
		if verifyAt(now, []string{secret}, h, body, DefaultTolerance) != nil {
			return
		}
		// Accepted: it must be what Sign gives for the same input.
		want, err := Sign([]string{secret}, id, now, body)
		if err != nil {
			t.Fatal(err)
		}
		key, _ := SecretKey(secret)
		good := sign(key, id, stamp, body)
		found := false
		for _, s := range parseSignatures(sig) {
			if base64.StdEncoding.EncodeToString(s) == good {
				found = true
			}
		}
		if !found {
			t.Fatalf("accepted %q %q %q, expected signature like %s", id, stamp, sig, want.Get(HeaderSignature))
		}
	})
}
