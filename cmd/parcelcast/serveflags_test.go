package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/predict"
)

// serve refuses to start without API keys unless told to, and reads
// keys from a file and the environment.
func TestServeKeyFlags(t *testing.T) {
	file := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(file, []byte("# shop\nshop:"+predict.HashToken("s3cret")+":read,write\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		env  string
		keys int
		err  string
	}{
		{"none", nil, "", 0, "no API keys"},
		{"insecure", []string{"--insecure-no-auth"}, "", -1, ""},
		{"file", []string{"--api-keys-file", file}, "", 1, ""},
		{"env", nil, "ops:" + predict.HashToken("x") + ":admin;bot:" + predict.HashToken("y") + ":read", 2, ""},
		{"file and env", []string{"--api-keys-file", file}, "ops:" + predict.HashToken("x") + ":admin", 2, ""},
		{"keys and insecure", []string{"--insecure-no-auth", "--api-keys-file", file}, "", 0, "choose one"},
		{"missing file", []string{"--api-keys-file", file + ".nope"}, "", 0, "no such file"},
		{"bad key", nil, "ops:s3cret:admin", 0, "not 64 hex digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PARCELCAST_API_KEYS", tc.env)
			fs := newFlagSet("serve", "")
			f := addAPIFlags(fs)
			if err := parse(fs, tc.args); err != nil {
				t.Fatal(err)
			}
			ks, err := f.apiKeys()
			switch {
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("the error shows a token: %v", err)
				}
			case err != nil:
				t.Fatal(err)
			case tc.keys < 0 && ks != nil:
				t.Fatal("keys without any given")
			case tc.keys >= 0 && (ks == nil || ks.Len() != tc.keys):
				t.Fatalf("keys %v, want %d", ks, tc.keys)
			}
		})
	}
}

func TestServeRefusesHalfTLS(t *testing.T) {
	var stderr strings.Builder
	code := run([]string{"serve", "--insecure-no-auth", "--tls-cert", "c.pem"}, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "TLS") {
		t.Fatalf("serve with a certificate and no key: exit %d, %s", code, stderr.String())
	}
}
