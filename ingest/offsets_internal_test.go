package ingest

import (
	"maps"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"
)

// A commit names, for each partition of a batch, the offset after the
// batch's last record of it, whatever order the records came in.
func TestNextOffsets(t *testing.T) {
	for _, tc := range []struct {
		name    string
		offsets []offset
		want    map[string]map[int]int64
	}{
		{"none", nil, map[string]map[int]int64{}},
		{"one partition", []offset{{topic: "a", offset: 4}, {topic: "a", offset: 5}}, map[string]map[int]int64{"a": {0: 6}}},
		{"partitions and topics", []offset{{"a", 0, 7, 0}, {"a", 1, 2, 0}, {"b", 0, 0, 0}, {"a", 0, 3, 0}},
			map[string]map[int]int64{"a": {0: 8, 1: 3}, "b": {0: 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := nextOffsets(tc.offsets)
			if !maps.EqualFunc(got, tc.want, maps.Equal) {
				t.Errorf("nextOffsets = %v, want %v", got, tc.want)
			}
		})
	}
}

// The lag gauge of a partition is set from the last record of a batch
// read from it, and left alone when the high-water mark is unknown.
func TestSetLag(t *testing.T) {
	m := NewMetrics(nil)
	m.Lag.WithLabelValues("b", "0").Set(42)
	setLag(m.Lag, []offset{{"a", 0, 3, 10}, {"a", 0, 5, 12}, {"a", 1, 9, 10}, {"b", 0, 1, 0}})
	for _, tc := range []struct {
		topic, partition string
		want             float64
	}{
		{"a", "0", 6}, {"a", "1", 0}, {"b", "0", 42},
	} {
		if got := testutil.ToFloat64(m.Lag.WithLabelValues(tc.topic, tc.partition)); got != tc.want {
			t.Errorf("lag of %s/%s = %v, want %v", tc.topic, tc.partition, got, tc.want)
		}
	}
}

// backlog counts the records at or after an offset; no committed offset
// means from the partition's first.
func TestBacklog(t *testing.T) {
	po := kafka.PartitionOffsets{FirstOffset: 10, LastOffset: 25}
	for _, tc := range []struct {
		offset, want int64
	}{
		{-1, 15}, {10, 15}, {20, 5}, {25, 0}, {30, 0},
	} {
		if got := backlog(po, tc.offset); got != tc.want {
			t.Errorf("backlog(%d) = %d, want %d", tc.offset, got, tc.want)
		}
	}
}
