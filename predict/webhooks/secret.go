package webhooks

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// SecretPrefix starts every signing secret.
const SecretPrefix = "whsec_"

// secretBytes is the length of a new secret's key: the specification
// asks for 24 to 64 bytes.
const secretBytes = 32

// NewSecret returns a new signing secret: the prefix and the base64 of
// random bytes.
func NewSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// ErrSecret is a secret without the prefix or whose key is not base64.
var ErrSecret = errors.New("webhooks: malformed secret")

// SecretKey returns the HMAC key of a secret: its part after the prefix,
// base64-decoded.
func SecretKey(secret string) ([]byte, error) {
	rest, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok || rest == "" {
		return nil, ErrSecret
	}
	key, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSecret, err)
	}
	return key, nil
}
