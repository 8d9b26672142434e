package webhooks

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestTracker(t *testing.T) {
	tr := NewTracker()
	for _, off := range []int64{10, 11, 12, 13} {
		tr.Add("m", 0, off)
	}
	tr.Add("m", 1, 5)
	tr.Add("e", 0, 10)
	for _, tc := range []struct {
		part   int
		offset int64
		upTo   int64
		moved  bool
	}{
		{0, 11, 0, false}, // 10 still pending holds the commit
		{0, 10, 11, true},
		{0, 13, 0, false},
		{1, 5, 5, true},
		{0, 12, 13, true},
		{0, 99, 0, false}, // never read
	} {
		upTo, moved := tr.Done("m", tc.part, tc.offset)
		if upTo != tc.upTo || moved != tc.moved {
			t.Fatalf("Done(%d, %d) = %d %v, want %d %v", tc.part, tc.offset, upTo, moved, tc.upTo, tc.moved)
		}
	}
	if tr.Pending() != 1 {
		t.Fatalf("%d pending, want the other topic's", tr.Pending())
	}
	if upTo, moved := tr.Done("e", 0, 10); upTo != 10 || !moved {
		t.Fatalf("other topic: %d %v", upTo, moved)
	}
	if tr.Pending() != 0 {
		t.Fatalf("%d pending", tr.Pending())
	}
}

func TestCheckURL(t *testing.T) {
	strict := Safety{}
	open := Safety{AllowPrivate: true}
	for _, tc := range []struct {
		url string
		sf  Safety
		ok  bool
	}{
		{"https://93.184.215.14/hooks", strict, true},
		{"http://93.184.215.14:8080/hooks", strict, true},
		{"ftp://93.184.215.14/hooks", strict, false},
		{"javascript:alert(1)", strict, false},
		{"https:///nohost", strict, false},
		{"https://user:pw@93.184.215.14/", strict, false},
		{"http://127.0.0.1:9000/", strict, false},
		{"http://[::1]/", strict, false},
		{"http://10.1.2.3/", strict, false},
		{"http://192.168.0.1/", strict, false},
		{"http://169.254.169.254/latest/meta-data", strict, false},
		{"http://100.64.0.1/", strict, false},
		{"http://0.0.0.0/", strict, false},
		{"http://[::ffff:127.0.0.1]/", strict, false},
		{"http://localhost:9000/", strict, false},
		{"http://127.0.0.1:9000/", open, true},
		{"ftp://127.0.0.1/", open, false},
	} {
		err := tc.sf.CheckURL(context.Background(), tc.url)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrUnsafeURL)) {
			t.Errorf("%s (private allowed %v): %v", tc.url, tc.sf.AllowPrivate, err)
		}
	}
}

func TestBackoff(t *testing.T) {
	sched := Defaults.Schedule
	var total time.Duration
	for n := range sched {
		d := backoff(sched, n, Defaults.Jitter, 0, time.Hour)
		lo, hi := time.Duration(float64(sched[n])*0.8), time.Duration(float64(sched[n])*1.2)
		if d < lo || d > hi {
			t.Fatalf("retry %d waits %s, outside [%s, %s]", n, d, lo, hi)
		}
		total += sched[n]
	}
	if total < 20*time.Hour || total > 30*time.Hour {
		t.Fatalf("the schedule spans %s, not about a day", total)
	}
	if d := backoff(sched, 0, 0, time.Minute, time.Hour); d != time.Minute {
		t.Fatalf("Retry-After of a minute gave %s", d)
	}
	if d := backoff(sched, 0, 0, 48*time.Hour, time.Hour); d != time.Hour {
		t.Fatalf("Retry-After not capped: %s", d)
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
	}{
		{"120", 2 * time.Minute}, {"", 0}, {"-3", 0}, {"soon", 0},
		{now.Add(time.Hour).Format(http.TimeFormat), time.Hour},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	} {
		if got := parseRetryAfter(tc.v, now); got != tc.want {
			t.Errorf("Retry-After %q: %s, want %s", tc.v, got, tc.want)
		}
	}
}
