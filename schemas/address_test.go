package schemas

import (
	"strings"
	"testing"
)

func TestCheckAddress(t *testing.T) {
	ok := Address{Line1: "1 Main St", City: "Springfield", PostalCode: "94103", Country: "US", Region: "CA"}
	with := func(f func(*Address)) Address { a := ok; f(&a); return a }
	for _, tc := range []struct {
		name string
		a    Address
		bad  string // a word of the error; "" when valid
	}{
		{"us", ok, ""},
		{"us zip+4", with(func(a *Address) { a.PostalCode = "94103-1234" }), ""},
		{"ca", Address{Line1: "1 Rue", City: "Montréal", PostalCode: "H2X 1Y4", Country: "CA", Region: "QC"}, ""},
		{"gb", Address{Line1: "10 Downing St", City: "London", PostalCode: "SW1A 2AA", Country: "GB"}, ""},
		{"de", Address{Line1: "Unter den Linden 1", City: "Berlin", PostalCode: "10117", Country: "DE", Region: "BE"}, ""},
		{"fr", Address{Line1: "1 rue de Rivoli", City: "Paris", PostalCode: "75001", Country: "FR"}, ""},
		{"br", Address{Line1: "Av. Paulista 1000", City: "São Paulo", PostalCode: "01310-100", Country: "BR", Region: "SP"}, ""},
		{"us short zip", with(func(a *Address) { a.PostalCode = "9410" }), "postal code"},
		{"de letters", Address{Line1: "x", City: "Berlin", PostalCode: "1011A", Country: "DE"}, "postal code"},
		{"ca us zip", Address{Line1: "x", City: "Toronto", PostalCode: "94103", Country: "CA"}, "postal code"},
		{"gb bad", Address{Line1: "x", City: "London", PostalCode: "12345", Country: "GB"}, "postal code"},
		{"no postal code", with(func(a *Address) { a.PostalCode = "" }), "postal code"},
		{"unknown country", with(func(a *Address) { a.Country = "XX" }), "country"},
		{"lower case country", with(func(a *Address) { a.Country = "us" }), "country"},
		{"no country", with(func(a *Address) { a.Country = "" }), "country"},
		{"unknown region", with(func(a *Address) { a.Region = "ZZ" }), "region"},
		{"region of another country", with(func(a *Address) { a.Region = "QC" }), "region"},
		{"no line1", with(func(a *Address) { a.Line1 = "" }), "line1"},
		{"no city", with(func(a *Address) { a.City = "" }), "city"},
		{"blank city", with(func(a *Address) { a.City = "  " }), "city"},
		{"control characters", with(func(a *Address) { a.Line2 = "a\nb" }), "control"},
		{"too long", with(func(a *Address) { a.Name = strings.Repeat("n", maxAddressField+1) }), "over"},
		{"invalid utf-8", with(func(a *Address) { a.City = "\xff" }), "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckAddress(tc.a)
			switch {
			case tc.bad == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.bad != "" && err == nil:
				t.Errorf("accepted, want an error on %s", tc.bad)
			case tc.bad != "" && !strings.Contains(err.Error(), tc.bad):
				t.Errorf("error %q does not name %s", err, tc.bad)
			}
		})
	}
}

func TestNormalizeAddress(t *testing.T) {
	got := NormalizeAddress(Address{Line1: " 1 Main St ", City: " Springfield", PostalCode: " sw1a 2aa ", Country: "gb ", Region: " eng"})
	want := Address{Line1: "1 Main St", City: "Springfield", PostalCode: "SW1A 2AA", Country: "GB", Region: "ENG"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if err := CheckAddress(got); err != nil {
		t.Errorf("normalized address refused: %v", err)
	}
}

// FuzzCheckAddress: any address is accepted or refused with an error,
// never a panic, and an accepted one stays accepted once normalized.
func FuzzCheckAddress(f *testing.F) {
	f.Add("1 Main St", "Springfield", "CA", "94103", "US")
	f.Add("x", "London", "", "SW1A 2AA", "GB")
	f.Add("", "", "QC", "H2X1Y4", "ca")
	f.Fuzz(func(t *testing.T, line1, city, region, postal, country string) {
		a := Address{Line1: line1, City: city, Region: region, PostalCode: postal, Country: country}
		if CheckAddress(a) == nil && CheckAddress(NormalizeAddress(a)) != nil {
			t.Errorf("%+v accepted but refused once normalized", a)
		}
	})
}
