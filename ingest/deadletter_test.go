package ingest

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestReasonIsBounded(t *testing.T) {
	short := errors.New("ups: decode: unexpected end of JSON input")
	if got := Reason(short); got != short.Error() {
		t.Errorf("short reason changed: %q", got)
	}
	long := errors.New(strings.Repeat("activity 1: invalid date é ", 5000))
	got := Reason(long)
	if len(got) > MaxReasonBytes || !utf8.ValidString(got) || !strings.Contains(got, "more bytes") {
		t.Errorf("long reason: %d bytes, valid UTF-8 %v, ends %q", len(got), utf8.ValidString(got), got[len(got)-40:])
	}
}
