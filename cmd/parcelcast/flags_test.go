package main

import (
	"strings"
	"testing"
)

// wantErr checks a flag table test's error: with want set, err must
// contain it; without, err must be nil. It reports whether the case goes
// on to check a result (no error was wanted).
func wantErr(t *testing.T, what string, err error, want string) bool {
	t.Helper()
	if want != "" {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s = %v, want an error with %q", what, err, want)
		}
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}
