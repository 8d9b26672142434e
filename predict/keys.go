package predict

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Scope is what an API key may do.
type Scope string

// The scopes: read answers, write changes what is stored (references),
// admin does everything.
const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
	ScopeAdmin Scope = "admin"
)

// Key is one API key: its name (in logs and the rate limit), the SHA-256
// of its token, and its scopes.
type Key struct {
	Name   string
	Hash   [sha256.Size]byte
	Scopes []Scope
}

// Allows reports whether the key has scope s; admin has every scope.
func (k *Key) Allows(s Scope) bool {
	return slices.Contains(k.Scopes, s) || slices.Contains(k.Scopes, ScopeAdmin)
}

// Keys are the API keys the server accepts. Only hashes are held: a
// leaked key file does not give the tokens.
type Keys struct{ keys []Key }

// ParseKeys reads keys, one per line or separated by ';': name, the
// SHA-256 of the token in hex and the scopes comma-separated, with ':'
// between them, e.g. "shop:9f86d0…:read,write". Blank lines and lines
// starting with '#' are skipped.
func ParseKeys(r io.Reader) (*Keys, error) {
	ks := &Keys{}
	names := map[string]bool{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		for entry := range strings.SplitSeq(sc.Text(), ";") {
			entry = strings.TrimSpace(entry)
			if entry == "" || strings.HasPrefix(entry, "#") {
				continue
			}
			k, err := parseKey(entry)
			if err != nil {
				return nil, fmt.Errorf("api keys line %d: %w", line, err)
			}
			if names[k.Name] {
				return nil, fmt.Errorf("api keys line %d: key %q twice", line, k.Name)
			}
			names[k.Name] = true
			ks.keys = append(ks.keys, k)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	return ks, nil
}

func parseKey(entry string) (Key, error) {
	parts := strings.Split(entry, ":")
	if len(parts) != 3 {
		return Key{}, fmt.Errorf("%q is not name:sha256:scopes", redact(entry))
	}
	k := Key{Name: strings.TrimSpace(parts[0])}
	if k.Name == "" {
		return Key{}, fmt.Errorf("a key without a name")
	}
	h, err := hex.DecodeString(strings.TrimSpace(parts[1]))
	if err != nil || len(h) != sha256.Size {
		return Key{}, fmt.Errorf("key %q: the hash is not 64 hex digits (the SHA-256 of the token)", k.Name)
	}
	copy(k.Hash[:], h)
	for s := range strings.SplitSeq(parts[2], ",") {
		switch sc := Scope(strings.TrimSpace(s)); sc {
		case ScopeRead, ScopeWrite, ScopeAdmin:
			k.Scopes = append(k.Scopes, sc)
		default:
			return Key{}, fmt.Errorf("key %q: unknown scope %q (read, write, admin)", k.Name, s)
		}
	}
	return k, nil
}

// redact keeps an entry's name only, so a malformed line that holds a
// token does not reach the log.
func redact(entry string) string {
	name, _, _ := strings.Cut(entry, ":")
	return name + ":…"
}

// Len is the number of keys.
func (ks *Keys) Len() int { return len(ks.keys) }

// Lookup finds the key of a bearer token. Every key's hash is compared in
// constant time, so the time taken does not tell how much of a hash
// matched.
func (ks *Keys) Lookup(token string) (*Key, bool) {
	sum := sha256.Sum256([]byte(token))
	found := -1
	for i := range ks.keys {
		if subtle.ConstantTimeCompare(sum[:], ks.keys[i].Hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return nil, false
	}
	return &ks.keys[found], true
}

// HashToken is the hex SHA-256 of a token: what a key file holds.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
