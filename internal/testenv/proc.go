package testenv

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// MemoryMB reads a memory figure of a process from /proc/<pid>/status, in
// MB: field "VmRSS" (resident now) or "VmHWM" (peak resident). pid 0 is
// this process. It returns 0 when the process or the field is gone.
func MemoryMB(pid int, field string) float64 {
	path := "/proc/self/status"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			if fs := strings.Fields(rest); len(fs) > 0 {
				kb, _ := strconv.ParseFloat(fs[0], 64)
				return kb / 1024
			}
		}
	}
	return 0
}
