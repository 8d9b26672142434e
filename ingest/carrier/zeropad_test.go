package carrier

import (
	"fmt"
	"testing"
)

func TestAppendZeroPaddedMatchesFmt(t *testing.T) {
	for _, c := range []struct {
		v uint64
		w int
	}{{0, 3}, {7, 3}, {999, 3}, {123456789, 9}, {5, 10}, {9999999999, 10}, {104729 * 123456, 17}, {1000000001, 13}, {0, 1}, {12, 1}} {
		if got, want := string(AppendZeroPadded(nil, c.v, c.w)), fmt.Sprintf("%0*d", c.w, c.v); got != want {
			t.Errorf("%d in %d digits: %q, want %q", c.v, c.w, got, want)
		}
	}
}
