package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/predict"
)

func TestPageFlags(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	points := write("points.json", `[{"carrier":"ups","id":"P1","name":"Shop","address":{"line1":"1 Main St","city":"Chicago","region":"IL","postal_code":"60601","country":"US"}}]`)
	badPoints := write("bad.json", `[{"id":"P1","address":{"line1":"1 Main St","city":"Chicago","postal_code":"ABC","country":"US"}}]`)
	secret := write("secret", "a-secret-of-enough-length\n")
	short := write("short", "tiny")
	tests := []struct {
		name    string
		args    []string
		mounted bool
		err     string
	}{
		{"defaults", nil, true, ""},
		{"off", []string{"--no-tracking-page"}, false, ""},
		{"points and secret", []string{"--pickup-points", points, "--page-secret-file", secret}, true, ""},
		{"missing points file", []string{"--pickup-points", filepath.Join(dir, "none.json")}, false, "--pickup-points"},
		{"bad point", []string{"--pickup-points", badPoints}, false, "postal code"},
		{"short secret", []string{"--page-secret-file", short}, false, "at least 16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFlagSet("serve", "")
			pf := addPageFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			srv := predict.NewServer(nil, nil, predict.Options{})
			err := pf.mount(srv, slog.New(slog.DiscardHandler))
			if !wantErr(t, "mount", err, tc.err) {
				return
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("GET", "/track", nil))
			if mounted := rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), "<form"); mounted != tc.mounted {
				t.Errorf("GET /track: %d, mounted %v, want %v", rec.Code, mounted, tc.mounted)
			}
		})
	}
}
