package main

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/predict/webhooks"
)

// TestNotifyKilled kills `parcelcast notify` ten times with SIGKILL while
// it delivers (each event's first attempt fails, so kills land between
// attempts too), then lets a last run finish: every event reaches the
// receiver, and what arrives twice arrives under the same webhook-id.
func TestNotifyKilled(t *testing.T) {
	cfg, topics, rcv, sub := notifyTestSetup(t, 3)
	rcv.fail = 1
	const events, late = 300, 20
	mw := newEventWriter(topics.milestones)
	defer mw.Close()
	want := map[string]bool{}
	publish := func(from, to int) {
		for i := from; i < to; i++ {
			m := testMilestone(i)
			publishJSON(t, mw, m.TrackingNumber, m)
			want[webhooks.MessageID("milestone:"+m.ID, sub.ID)] = true
		}
	}
	publish(0, events)
	args := append([]string{"notify"}, notifyArgs(cfg, topics, testenv.RandomName("notify_crash_"))...)
	args = append(args, "--session-timeout", "6s", "--retry-schedule", "20ms,50ms,100ms,200ms,400ms,800ms", "--max-pending", "16")
	start := func() *exec.Cmd { return startChild(t, args, os.Stderr) }
	calls := func() int {
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		return rcv.calls
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	for i := 0; i < 10 && rcv.count() < events; i++ {
		before := calls()
		cmd := start()
		// Killed once it delivers (it has joined the group and holds
		// partitions), at a random moment after.
		waitCount(t, "deliveries of a run", before+1, calls, 2*time.Minute)
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
	}
	// The last run delivers the rest and a few published after the kills,
	// so it is running (its signal handler in place) when stopped.
	final := start()
	publish(events, events+late)
	waitCount(t, "events delivered", events+late, rcv.count, 3*time.Minute)
	stopChild(t, final, "notify")
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if rcv.bad > 0 {
		t.Fatalf("%d deliveries with a bad signature", rcv.bad)
	}
	dups := 0
	for id, n := range rcv.seen {
		if !want[id] {
			t.Fatalf("webhook-id %s was never sent", id)
		}
		dups += max(n-1-rcv.fail, 0)
	}
	for id := range want {
		if _, ok := rcv.first[id]; !ok {
			t.Fatalf("event %s lost", id)
		}
	}
	t.Logf("%d events, %d deliveries, %d repeated after a kill (same webhook-id)", events+late, rcv.calls, dups)
}
