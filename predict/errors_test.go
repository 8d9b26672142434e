package predict

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestThrottledLog(t *testing.T) {
	var buf bytes.Buffer
	l := newThrottledLog(slog.New(slog.NewTextHandler(&buf, nil)), 10*time.Second)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	for _, step := range []struct {
		after time.Duration
		key   string
		lines int    // lines logged so far
		last  string // in the last line
	}{
		{0, "db", 1, "suppressed=0"},
		{time.Second, "db", 1, ""},
		{time.Second, "db", 1, ""},
		{time.Second, "other", 2, "suppressed=0"}, // each key has its own allowance
		{10 * time.Second, "db", 3, "suppressed=2"},
	} {
		now = now.Add(step.after)
		l.Error(step.key, "lookup failed", "key", step.key)
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != step.lines || !strings.Contains(lines[len(lines)-1], step.last) {
			t.Fatalf("after %s on %s: %q", step.after, step.key, lines)
		}
	}
}
