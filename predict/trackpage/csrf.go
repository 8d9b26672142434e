package trackpage

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"
)

// tokens are the forms' CSRF tokens: a form is accepted only with a
// token this server (or one sharing its secret) issued for the same
// tracking number, not yet expired. A token also says whether the page
// was reached through the order (its reference and postal code).
type tokens struct {
	secret []byte
	ttl    time.Duration
}

func newTokens(secret []byte, ttl time.Duration) *tokens {
	if len(secret) == 0 {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
	}
	return &tokens{secret: secret, ttl: ttl}
}

func (t *tokens) mac(number string, exp int64, verified byte) []byte {
	m := hmac.New(sha256.New, t.secret)
	var b [9]byte
	binary.BigEndian.PutUint64(b[:8], uint64(exp))
	b[8] = verified
	m.Write(b[:])
	m.Write([]byte(number))
	return m.Sum(nil)[:16]
}

// issue is a token for a form of the number's page. Its expiry is
// rounded up to the hour, so a page rendered twice in an hour is the same
// page (and its ETag the same).
func (t *tokens) issue(number string, verified bool, now time.Time) string {
	exp := now.Add(t.ttl).Truncate(time.Hour).Add(time.Hour).Unix()
	var v byte
	if verified {
		v = 1
	}
	b := make([]byte, 9, 25)
	binary.BigEndian.PutUint64(b[:8], uint64(exp))
	b[8] = v
	b = append(b, t.mac(number, exp, v)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// key is a form's idempotency key: the same for every rendering of the
// form until an instruction is given (given counts them), so a form sent
// twice, or from two tabs, gives one instruction; a new one after that
// gets a new key, and so does a later shipment under the number (start
// is its first scan).
func (t *tokens) key(number string, start time.Time, typ string, given int) string {
	m := hmac.New(sha256.New, t.secret)
	m.Write([]byte("idempotency\x00" + number + "\x00" + strconv.FormatInt(start.Unix(), 10) + "\x00" + typ + "\x00" + strconv.Itoa(given)))
	return "page-" + hex.EncodeToString(m.Sum(nil)[:12])
}

// check says whether a token is valid for the number now, and whether it
// was issued to a visitor who proved the order.
func (t *tokens) check(token, number string, now time.Time) (valid, verified bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 25 {
		return false, false
	}
	exp := int64(binary.BigEndian.Uint64(b[:8]))
	if b[8] > 1 || now.Unix() > exp || !hmac.Equal(b[9:], t.mac(number, exp, b[8])) {
		return false, false
	}
	return true, b[8] == 1
}
