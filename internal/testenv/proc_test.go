package testenv

import (
	"syscall"
	"testing"
	"time"
)

// CPUSeconds agrees with getrusage for this process, before and after
// burning some CPU.
func TestCPUSeconds(t *testing.T) {
	rusage := func() float64 {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	before := CPUSeconds(0)
	// Busy until the process has used 0.3 s more CPU by getrusage's count,
	// however long that takes on a loaded machine (bounded at 30 s).
	x := 0
	for start, base := time.Now(), rusage(); rusage()-base < 0.3 && time.Since(start) < 30*time.Second; {
		for range 100000 {
			x++
		}
	}
	_ = x
	got, want := CPUSeconds(0), rusage()
	if got-before < 0.2 {
		t.Errorf("CPUSeconds rose by %.2f s over 0.3 s of busy loop", got-before)
	}
	if d := want - got; d < -0.02 || d > 0.25 { // /proc counts in 10 ms ticks, and read first
		t.Errorf("CPUSeconds = %.3f s, getrusage %.3f s", got, want)
	}
	if CPUSeconds(-1) != 0 {
		t.Error("CPUSeconds of no process is not 0")
	}
}
