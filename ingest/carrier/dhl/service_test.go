package dhl

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier"
)

// serviceOf maps the businesses it knows and keeps any other as given.
func TestServiceOf(t *testing.T) {
	for _, c := range []struct {
		business, from, to string
		service, mode      string
	}{
		{"express", "DE", "US", carrier.ServiceInternational, "air"},
		{"express", "DE", "DE", carrier.ServiceOvernight, "air"},
		{"ecommerce", "US", "US", carrier.ServiceEconomy, "ground"},
		{"parcel-de", "DE", "DE", carrier.ServiceGround, "ground"},
		{"Parcel-UK", "GB", "GB", carrier.ServiceGround, "ground"},
		{"freight", "DE", "PL", carrier.ServiceGround, "ground"},
		{"sameday", "DE", "DE", "sameday", ""},
		{" DGF ", "DE", "CN", "dgf", ""},
		{"", "DE", "DE", "", ""},
	} {
		s, m := serviceOf(c.business, c.from, c.to)
		if s != c.service || m != c.mode {
			t.Errorf("serviceOf(%q, %s, %s) = %q, %q; want %q, %q", c.business, c.from, c.to, s, m, c.service, c.mode)
		}
	}
}
