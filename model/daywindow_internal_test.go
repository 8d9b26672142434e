package model

import "testing"

func TestOutForDeliveryBucket(t *testing.T) {
	for _, tc := range []struct {
		minute int
		want   int
	}{
		{0, ofdBefore8}, {7*60 + 59, ofdBefore8}, {8 * 60, ofd8to10}, {9*60 + 59, ofd8to10},
		{10 * 60, ofd10to12}, {12*60 - 1, ofd10to12}, {12 * 60, ofdAfter12}, {23*60 + 59, ofdAfter12},
	} {
		if got := ofdBucket(tc.minute); got != tc.want {
			t.Errorf("ofdBucket(%d) = %s, want %s", tc.minute, OutForDeliveryBuckets[got], OutForDeliveryBuckets[tc.want])
		}
	}
}
