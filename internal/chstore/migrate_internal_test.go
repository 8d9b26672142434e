package chstore

import (
	"slices"
	"testing"
)

func TestAddedColumns(t *testing.T) {
	for _, c := range []struct {
		stmt    string
		table   string
		columns []string
	}{
		{"ALTER TABLE scan_events\n    ADD COLUMN offset_approximate UInt8 DEFAULT 0 AFTER offset_inferred", "scan_events", []string{"offset_approximate"}},
		{"alter table model_runs add column a Float64 DEFAULT 0, ADD  COLUMN b String", "model_runs", []string{"a", "b"}},
		{"ALTER TABLE scan_events DROP COLUMN x", "", nil},
		{"CREATE TABLE t (a UInt8) ENGINE = Memory", "", nil},
		{"SELECT 'ALTER TABLE t ADD COLUMN c'", "", nil},
	} {
		table, columns, ok := addedColumns(c.stmt)
		if table != c.table && ok || !slices.Equal(columns, c.columns) || ok != (c.columns != nil) {
			t.Errorf("addedColumns(%q) = %q, %v, %v; want %q, %v", c.stmt, table, columns, ok, c.table, c.columns)
		}
	}
}
