package schemas

import (
	"strings"
	"testing"
)

func TestCheckReference(t *testing.T) {
	for _, tc := range []struct {
		ref string
		ok  bool
	}{
		{"", true},
		{"ORD-1001", true},
		{"Pedido nº 7 / loja 3", true},
		{strings.Repeat("x", MaxReferenceLen), true},
		{strings.Repeat("x", MaxReferenceLen+1), false},
		{" ORD", false},
		{"ORD\t", false},
		{"OR\nD", false},
		{"OR\x00D", false},
		{"\xff\xfe", false},
	} {
		if err := CheckReference(tc.ref); (err == nil) != tc.ok {
			t.Errorf("CheckReference(%q) = %v, want ok %v", tc.ref, err, tc.ok)
		}
	}
}
