package carrier

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestReplyCodes(t *testing.T) {
	codes := ReplyCodes{"NF": ReplyNotFound, "AUTH": ReplyAuth, "Q": ReplyQuota}
	for _, tc := range []struct {
		code      string
		wantNil   bool
		published bool
	}{
		{"NF", true, false},
		{" NF ", true, false},
		{"AUTH", false, true},
		{"Q", false, true},
		{"NEW.CODE", false, false}, // unknown: an error, not quiet traffic
		{"", false, false},
	} {
		re := codes.Reply("x", tc.code, " msg ")
		switch {
		case tc.wantNil && re != nil:
			t.Errorf("%q: %v, want not found (nil)", tc.code, re)
		case !tc.wantNil && re == nil:
			t.Errorf("%q: nil, want a carrier error", tc.code)
		case re != nil && (re.Published != tc.published || re.Carrier != "x" || re.Message != "msg"):
			t.Errorf("%q: %+v, want published %v, carrier x, message trimmed", tc.code, re, tc.published)
		}
	}
}

func TestReplyErrorLabels(t *testing.T) {
	long := strings.Repeat("A", maxCodeLen+1)
	for _, tc := range []struct {
		re            ReplyError
		label, reason string
	}{
		{ReplyError{Code: "250002", Published: true}, "250002", "250002"},
		{ReplyError{Code: "NOT.AUTHORIZED.ERROR", Published: true}, "NOT.AUTHORIZED.ERROR", "NOT.AUTHORIZED.ERROR"},
		{ReplyError{Code: "NEW_CODE-2"}, OtherCode, "NEW_CODE-2"},                 // unpublished: named in the reason only
		{ReplyError{Code: "1Z999AA10123456784"}, OtherCode, "1Z999AA10123456784"}, // never a label
		{ReplyError{Code: "bad code", Published: true}, OtherCode, OtherCode},
		{ReplyError{Code: "x\x00y", Published: true}, OtherCode, OtherCode},
		{ReplyError{Code: long, Published: true}, OtherCode, OtherCode},
		{ReplyError{Code: "", Published: true}, OtherCode, OtherCode},
	} {
		if got := tc.re.Label(); got != tc.label {
			t.Errorf("%q: label %q, want %q", tc.re.Code, got, tc.label)
		}
		if got := tc.re.ReasonCode(); got != tc.reason {
			t.Errorf("%q: reason code %q, want %q", tc.re.Code, got, tc.reason)
		}
	}
}

func TestReplyErrorsInTree(t *testing.T) {
	auth := &ReplyError{Carrier: "ups", Code: "250002"}
	kept := &ReplyError{Carrier: "fedex", Code: "TRACKING.TRACKINGNUMBER.EMPTY", Kept: true}
	field := errors.New("date \"yesterday\": want ISO 8601")
	for _, tc := range []struct {
		name       string
		err        error
		replies    int
		malformed  bool
		deadLetter bool
	}{
		{"nil", nil, 0, false, false},
		{"plain error", field, 0, true, true},
		{"reply", auth, 1, false, true},
		{"wrapped reply", fmt.Errorf("ups: %w", auth), 1, false, true},
		{"joined replies", fmt.Errorf("ups: %w", errors.Join(auth, auth)), 2, false, true},
		{"kept reply", fmt.Errorf("fedex: %w", errors.Join(fmt.Errorf("result 0.0: %w", kept))), 1, false, false},
		{"kept and fatal", errors.Join(kept, fmt.Errorf("result 1.0: %w", auth)), 2, false, true},
		{"kept and malformed", errors.Join(kept, fmt.Errorf("result 1.0 scan 0: %w", field)), 1, true, true},
		{"text only wrapper", fmt.Errorf("ups: %v", auth), 0, true, true},
	} {
		replies, malformed := ReplyErrors(tc.err)
		if len(replies) != tc.replies || malformed != tc.malformed || DeadLetters(tc.err) != tc.deadLetter {
			t.Errorf("%s: %d replies, malformed %v, dead letter %v; want %d, %v, %v",
				tc.name, len(replies), malformed, DeadLetters(tc.err), tc.replies, tc.malformed, tc.deadLetter)
		}
	}
	var re *ReplyError
	if !errors.As(fmt.Errorf("ups: %w", errors.Join(auth)), &re) || re.Code != "250002" {
		t.Errorf("errors.As does not find the reply error")
	}
	if got := kept.Error(); got != "error reply TRACKING.TRACKINGNUMBER.EMPTY (its scans kept)" {
		t.Errorf("kept error reads %q", got)
	}
}
