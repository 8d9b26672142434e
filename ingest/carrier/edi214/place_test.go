package edi214

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

// A status in local time (AT7-07 LT) whose MS1 has no zone of its own (a
// city without a state, only a country of several zones, no MS1 at all)
// is read in the zone of the shipper's N4 before pickup, of the nearest
// other status otherwise, and flagged approximate; it never fails the set.
// testdata/ms1_without_state.edi is a 214 published in another project's
// tests (two AT7/MS1 pairs without LX loops or parties, the first MS1 a
// city and country without state, "Kathmandu**NP"), references changed
// and dates moved: Nepal is not in the zone table, so that status takes
// the zone of the next one, Kolkata's, flagged approximate.
func TestStatusWithoutZone(t *testing.T) {
	const (
		salem   = "N4*SALEM*OR*97301*US"
		atlanta = "N4*ATLANTA*GA*30303*US"
	)
	// status is an LX loop: an AT7 at clock with time code, and its MS1
	// (none when ms1 is empty).
	status := func(code, clock, tz, ms1 string) string {
		s := "AT7*" + code + "*NS***20261104*" + clock + "*" + tz
		if ms1 != "" {
			s += "~MS1*" + ms1
		}
		return s
	}
	tests := []struct {
		name     string
		shipper  string
		statuses []string // in the order of the set, oldest first
		check    int      // the status looked at
		offset   int
		approx   bool
		inferred bool
	}{
		{"before pickup, a city alone: the shipper's N4", salem,
			[]string{status("X3", "0900", "LT", "SALEM"), status("AF", "1500", "LT", "CHICAGO*IL*US")}, 0, -480, true, true},
		{"a city without a state: the nearest status, the later of two", atlanta,
			[]string{status("AF", "0900", "LT", "ATLANTA*GA*US"), status("X6", "1500", "LT", "KANSAS CITY**US"), status("X1", "2100", "LT", "DENVER*CO*US")}, 1, -420, true, true},
		{"no MS1: the nearest status, not the shipper's", atlanta,
			[]string{status("AF", "0900", "LT", "CHICAGO*IL*US"), status("X6", "1500", "LT", ""), status("D1", "2100", "LT", "PHOENIX*AZ*US")}, 1, -420, true, true},
		{"alone, only a country of several zones: the shipper's N4", salem,
			[]string{status("X6", "1500", "LT", "**US")}, 0, -480, true, true},
		{"a status with its own place", salem,
			[]string{status("X3", "0900", "LT", "SALEM"), status("AF", "1500", "LT", "CHICAGO*IL*US")}, 1, -360, false, true},
		{"a time code: no zone needed", salem,
			[]string{status("X6", "1500", "CT", "SALEM")}, 0, -360, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events := carriertest.ParseEach(t, Parse, oneSet(tc.shipper, tc.statuses), len(tc.statuses))
			carriertest.CheckLocalTime(t, events[tc.check], carriertest.LocalTime{Offset: tc.offset, Inferred: tc.inferred, Approximate: tc.approx})
		})
	}
}

// oneSet is an interchange of one 214 set: the shipper's N4, a consignee in
// Phoenix, and one LX loop per status.
func oneSet(shipper string, statuses []string) []byte {
	segs := []string{"ST*214*0001", "B10*7123456789*7123456789*ODFL", "N1*SH*ACME SUPPLY", shipper,
		"N1*CN*WIDGET CO", "N4*PHOENIX*AZ*85004*US"}
	for i, s := range statuses {
		segs = append(segs, fmt.Sprintf("LX*%d", i+1))
		segs = append(segs, strings.Split(s, "~")...)
	}
	segs = append(segs, fmt.Sprintf("SE*%d*0001", len(segs)+1))
	return []byte("ISA*00*          *00*          *02*ODFL           *ZZ*PARCELCAST     *261104*1200*U*00401*000000101*0*P*>~\n" +
		"GS*QM*ODFL*PARCELCAST*20261104*1200*101*X*004010~\n" + strings.Join(segs, "~\n") + "~\nGE*1*101~\nIEA*1*000000101~\n")
}
