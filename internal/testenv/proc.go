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

// CPUSeconds reads the user and system CPU time a process has used so far
// from /proc/<pid>/stat. pid 0 is this process. It returns 0 when the
// process is gone.
func CPUSeconds(pid int) float64 {
	path := "/proc/self/stat"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/stat", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: fields are
	// counted after its closing parenthesis, starting at field 3 (state).
	s := string(b)
	fs := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fs) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(fs[11], 64) // field 14
	stime, _ := strconv.ParseFloat(fs[12], 64) // field 15
	return (utime + stime) / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on Linux
// whatever the kernel's own tick rate.
const clockTicks = 100
