package model

import (
	"slices"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

func TestJourneyStarts(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	type sc struct {
		after  time.Duration // since the scan before
		status schemas.Status
	}
	const (
		label     = schemas.StatusInfoReceived
		pickup    = schemas.StatusPickedUp
		transit   = schemas.StatusInTransit
		delivered = schemas.StatusDelivered
		attempted = schemas.StatusDeliveryAttempted
	)
	for _, tc := range []struct {
		name  string
		scans []sc
		want  []int
	}{
		{"none", nil, nil},
		{"one journey", []sc{{0, label}, {day, pickup}, {day, transit}, {day, delivered}}, []int{0}},
		{"label after a delivery", []sc{{0, label}, {day, pickup}, {day, delivered}, {40 * day, label}, {day, pickup}, {day, delivered}}, []int{0, 3}},
		{"pickup after a delivery, no label", []sc{{0, pickup}, {day, delivered}, {3 * day, pickup}, {day, delivered}}, []int{0, 2}},
		{"label the day after a delivery", []sc{{0, label}, {day, delivered}, {day, label}}, []int{0, 2}},
		{"transit after a delivery stays", []sc{{0, label}, {day, delivered}, {time.Hour, transit}}, []int{0}},
		{"label after a long silence", []sc{{0, label}, {day, transit}, {31 * day, label}, {day, pickup}}, []int{0, 2}},
		{"label after a short silence stays", []sc{{0, label}, {day, transit}, {29 * day, label}}, []int{0}},
		{"transit after a long silence stays", []sc{{0, label}, {day, transit}, {45 * day, transit}}, []int{0}},
		{"pickup after its own label", []sc{{0, label}, {2 * day, pickup}}, []int{0}},
		{"attempt then delivery then label", []sc{{0, label}, {day, attempted}, {day, delivered}, {day, label}, {day, delivered}, {day, label}}, []int{0, 3, 5}},
		{"first scan a delivery", []sc{{0, delivered}, {day, label}}, []int{0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scans := make([]Scan, len(tc.scans))
			at := t0
			for i, s := range tc.scans {
				at = at.Add(s.after)
				scans[i] = Scan{Time: at, Status: s.status}
			}
			if got := JourneyStarts(nil, scans); !slices.Equal(got, tc.want) {
				t.Errorf("starts %v, want %v", got, tc.want)
			}
		})
	}
}
