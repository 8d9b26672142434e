package schemas

import (
	"reflect"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	for _, tc := range []struct {
		name, sql string
		want      []string
	}{
		{"empty", "", nil},
		{"comments only", "-- a\n  -- b\n\n", nil},
		{"one", "CREATE TABLE t (a UInt8) ENGINE = Memory;\n", []string{"CREATE TABLE t (a UInt8) ENGINE = Memory"}},
		{"two, comments between", "SELECT 1;\n-- note\nSELECT 2;\n", []string{"SELECT 1", "SELECT 2"}},
		{"over lines", "CREATE TABLE t (\n  a UInt8\n) ENGINE = Memory;\n", []string{"CREATE TABLE t (\n  a UInt8\n) ENGINE = Memory"}},
		{"semicolon inside a line", "SELECT ';' AS x, 1;\n", []string{"SELECT ';' AS x, 1"}},
		{"last without semicolon", "SELECT 1;\nSELECT 2\n", []string{"SELECT 1", "SELECT 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := splitStatements(tc.sql); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("splitStatements(%q) = %q, want %q", tc.sql, got, tc.want)
			}
		})
	}
}

// The embedded migrations parse, in strictly increasing versions, each
// with a name and at least one statement.
func TestMigrationsInOrder(t *testing.T) {
	migs, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(migs) == 0 {
		t.Fatal("no embedded migrations")
	}
	for i, m := range migs {
		if m.Name == "" || len(m.Statements) == 0 {
			t.Errorf("migration %04d: name %q, %d statements", m.Version, m.Name, len(m.Statements))
		}
		if i > 0 && m.Version <= migs[i-1].Version {
			t.Errorf("migration %04d after %04d", m.Version, migs[i-1].Version)
		}
	}
}
