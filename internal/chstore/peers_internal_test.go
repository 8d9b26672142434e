package chstore

import "testing"

func TestFillSelect(t *testing.T) {
	cols := []Column{
		{"event_id", "String"}, {"status", "Enum8('a' = 1)"}, {"lat", "Nullable(Float64)"},
		{"description", "String"}, {"source_partition", "Int32"}, {"ingested_at", "DateTime('UTC')"},
	}
	for _, tc := range []struct {
		name, have, want string
	}{
		{"all given", "event_id, status, lat, description, source_partition, ingested_at",
			"event_id, status, lat, description, source_partition, ingested_at"},
		{"defaults by type", "event_id, status",
			"event_id, status, CAST(NULL AS Nullable(Float64)) AS lat, '' AS description, CAST(0 AS Int32) AS source_partition, now() AS ingested_at"},
		{"nothing given", "",
			"'' AS event_id, CAST(0 AS Enum8('a' = 1)) AS status, CAST(NULL AS Nullable(Float64)) AS lat, '' AS description, CAST(0 AS Int32) AS source_partition, now() AS ingested_at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fillSelect(cols, tc.have); got != tc.want {
				t.Errorf("fillSelect(%q)\n got %s\nwant %s", tc.have, got, tc.want)
			}
		})
	}
}

func TestCheckIdent(t *testing.T) {
	for _, tc := range []struct {
		s  string
		ok bool
	}{
		{"scan_events", true}, {"_x1", true}, {"A", true},
		{"", false}, {"1abc", false}, {"a-b", false}, {"a b", false}, {"t; DROP", false},
		{string(make([]byte, 65)), false},
	} {
		if err := CheckIdent(tc.s); (err == nil) != tc.ok {
			t.Errorf("CheckIdent(%q) = %v, want ok %v", tc.s, err, tc.ok)
		}
	}
}
