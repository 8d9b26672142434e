package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// specSignature is the signature scheme written out from the
// specification, apart from the package's code: the key is the base64
// after "whsec_", the content "id.timestamp.body", the header "v1,"
// followed by the base64 of the HMAC-SHA256.
func specSignature(t *testing.T, secret, id string, ts int64, body string) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	content := id + "." + strconv.FormatInt(ts, 10) + "." + body
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(content))
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func TestSignMatchesSpecification(t *testing.T) {
	// The specification's published example.
	const secret, id, body = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", `{"test": 2432232314}`
	const ts = 1614265330
	const want = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	if got := specSignature(t, secret, id, ts, body); got != want {
		t.Fatalf("the test's own signature %s, the specification's %s", got, want)
	}
	h, err := Sign([]string{secret}, id, time.Unix(ts, 0), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Get(HeaderSignature); got != want {
		t.Fatalf("Sign gave %s, want %s", got, want)
	}
	if h.Get(HeaderID) != id || h.Get(HeaderTimestamp) != strconv.Itoa(ts) {
		t.Fatalf("headers %v", h)
	}
}

func TestSignAgreesWithIndependentImplementation(t *testing.T) {
	for i := range 20 {
		secret, err := NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		key, err := SecretKey(secret)
		if err != nil || len(key) < 24 {
			t.Fatalf("secret %q: key of %d bytes, %v", secret, len(key), err)
		}
		id := MessageID("milestone:"+strconv.Itoa(i), "sub")
		ts := time.Unix(1_700_000_000+int64(i), 0)
		body := `{"n":` + strconv.Itoa(i) + `}`
		h, err := Sign([]string{secret}, id, ts, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := h.Get(HeaderSignature), specSignature(t, secret, id, ts.Unix(), body); got != want {
			t.Fatalf("Sign %s, independent %s", got, want)
		}
	}
}

func TestVerify(t *testing.T) {
	oldSecret, _ := NewSecret()
	newSecret, _ := NewSecret()
	other, _ := NewSecret()
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"type":"milestone.shipped"}`)
	signed := func(secrets []string, at time.Time) http.Header {
		h, err := Sign(secrets, "msg_1", at, body)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	independent := http.Header{}
	independent.Set(HeaderID, "msg_1")
	independent.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	independent.Set(HeaderSignature, "v2,abc "+specSignature(t, newSecret, "msg_1", now.Unix(), string(body)))
	for _, tc := range []struct {
		name    string
		secrets []string
		h       http.Header
		body    []byte
		want    error
	}{
		{"valid", []string{newSecret}, signed([]string{newSecret}, now), body, nil},
		{"signed by the test's own code", []string{newSecret}, independent, body, nil},
		{"rotation: receiver knows only the old", []string{oldSecret}, signed([]string{newSecret, oldSecret}, now), body, nil},
		{"rotation: receiver knows only the new", []string{newSecret}, signed([]string{newSecret, oldSecret}, now), body, nil},
		{"wrong secret", []string{other}, signed([]string{newSecret}, now), body, ErrSignature},
		{"tampered body", []string{newSecret}, signed([]string{newSecret}, now), []byte(`{}`), ErrSignature},
		{"too old", []string{newSecret}, signed([]string{newSecret}, now.Add(-6*time.Minute)), body, ErrTimestamp},
		{"from the future", []string{newSecret}, signed([]string{newSecret}, now.Add(6*time.Minute)), body, ErrTimestamp},
		{"no headers", []string{newSecret}, http.Header{}, body, ErrMissingHeaders},
		{"bad secret", []string{"nope"}, signed([]string{newSecret}, now), body, ErrSecret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := verifyAt(now, tc.secrets, tc.h, tc.body, DefaultTolerance); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseSignatures(t *testing.T) {
	for _, tc := range []struct {
		header string
		n      int
	}{
		{"v1,YWJj", 1},
		{"v1,YWJj v1,ZGVm", 2},
		{"v1a,YWJj v2,ZGVm", 0},
		{"v1,!!! v1, v1", 0},
		{"  v1,YWJj   ", 1},
		{"", 0},
	} {
		if got := parseSignatures(tc.header); len(got) != tc.n {
			t.Errorf("%q: %d signatures, want %d", tc.header, len(got), tc.n)
		}
	}
}

func TestMessageIDDeterministic(t *testing.T) {
	a, b := MessageID("milestone:x", "s1"), MessageID("milestone:x", "s1")
	if a != b || !strings.HasPrefix(a, "msg_") {
		t.Fatalf("%s %s", a, b)
	}
	if MessageID("milestone:x", "s2") == a || MessageID("milestone:y", "s1") == a {
		t.Fatal("distinct events or subscriptions share a webhook-id")
	}
}
