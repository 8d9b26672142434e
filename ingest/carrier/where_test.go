package carrier

import "testing"

func TestWhereString(t *testing.T) {
	shipment := Where{Kind: "shipment", Index: 0}
	result := Where{Kind: "result", Index: 2}
	set := Where{Kind: "transaction set 0004", Index: -1}
	pkg := shipment.At("package", 1)
	sub := result.At(".", 3)
	for _, tc := range []struct {
		where Where
		want  string
	}{
		{Where{Kind: "scan", Index: 4}, "scan 4"},
		{pkg.At("activity", 3), "shipment 0 package 1 activity 3"},
		{sub, "result 2.3"},
		{sub.At("scan", 1), "result 2.3 scan 1"},
		{set, "transaction set 0004"},
		{set.At("status", 0), "transaction set 0004 status 0"},
	} {
		if got := tc.where.String(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}
