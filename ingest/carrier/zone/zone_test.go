package zone

import (
	"errors"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

func TestEveryZoneLoads(t *testing.T) {
	names := map[string]bool{}
	for _, z := range usStates {
		names[z.Name] = true
	}
	for _, z := range zip3Overrides {
		names[z] = true
	}
	for _, z := range usTerritories {
		names[z] = true
	}
	for _, z := range caProvinces {
		names[z.Name] = true
	}
	for _, z := range auStates {
		names[z] = true
	}
	for _, z := range brStates {
		names[z.Name] = true
	}
	for _, z := range countries {
		names[z.Name] = true
	}
	for n := range names {
		if _, err := (Zone{Name: n}).Load(); err != nil {
			t.Error(err)
		}
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name   string
		loc    schemas.Location
		zone   string
		approx bool
	}{
		{"phoenix has no DST", schemas.Location{Region: "AZ", PostalCode: "85004", Country: "US"}, "America/Phoenix", false},
		{"navajo nation keeps DST", schemas.Location{Region: "AZ", PostalCode: "86503", Country: "US"}, "America/Denver", false},
		{"indianapolis", schemas.Location{Region: "IN", PostalCode: "46204"}, "America/Indiana/Indianapolis", false},
		{"evansville is central", schemas.Location{Region: "IN", PostalCode: "47708"}, "America/Chicago", false},
		{"gary is central", schemas.Location{Region: "IN", PostalCode: "46402"}, "America/Chicago", false},
		{"indiana without zip", schemas.Location{Region: "IN", Country: "US"}, "America/Indiana/Indianapolis", true},
		{"anchorage", schemas.Location{Region: "AK", PostalCode: "99501"}, "America/Anchorage", false},
		{"honolulu", schemas.Location{Region: "HI", PostalCode: "96813", Country: "US"}, "Pacific/Honolulu", false},
		{"puerto rico as state", schemas.Location{Region: "PR", PostalCode: "00901", Country: "US"}, "America/Puerto_Rico", false},
		{"puerto rico as country", schemas.Location{Country: "PR"}, "America/Puerto_Rico", false},
		{"puerto rico by zip", schemas.Location{PostalCode: "00901"}, "America/Puerto_Rico", false},
		{"el paso", schemas.Location{Region: "TX", PostalCode: "79901"}, "America/Denver", false},
		{"pensacola", schemas.Location{Region: "FL", PostalCode: "32501"}, "America/Chicago", false},
		{"knoxville", schemas.Location{Region: "TN", PostalCode: "37902"}, "America/New_York", false},
		{"zip only", schemas.Location{PostalCode: "10001"}, "America/New_York", false},
		{"germany", schemas.Location{City: "Leipzig", Country: "DE"}, "Europe/Berlin", false},
		{"brazil is approximate", schemas.Location{City: "Manaus", Country: "br"}, "America/Sao_Paulo", true},
		{"canadian province", schemas.Location{Region: "BC", Country: "CA"}, "America/Vancouver", false},
		{"australian state", schemas.Location{Region: "WA", Country: "AU"}, "Australia/Perth", false},
		{"sao paulo", schemas.Location{Region: "sp", PostalCode: "01310", Country: "BR"}, "America/Sao_Paulo", false},
		{"bahia", schemas.Location{Region: "BA", Country: "BR"}, "America/Bahia", false},
		{"sergipe keeps alagoas time", schemas.Location{Region: "SE", Country: "BR"}, "America/Maceio", false},
		{"mato grosso", schemas.Location{Region: "MT", Country: "BR"}, "America/Cuiaba", false},
		{"acre", schemas.Location{Region: "AC", Country: "BR"}, "America/Rio_Branco", false},
		{"amazonas has a western corner", schemas.Location{Region: "AM", Country: "BR"}, "America/Manaus", true},
		{"unknown brazilian state", schemas.Location{Region: "XX", Country: "BR"}, "America/Sao_Paulo", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			z, err := Resolve(tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			if z.Name != tc.zone || z.Approximate != tc.approx {
				t.Errorf("Resolve = %+v, want %s approximate=%v", z, tc.zone, tc.approx)
			}
		})
	}
}

func TestResolveUnresolved(t *testing.T) {
	for _, l := range []schemas.Location{
		{},
		{City: "Springfield"},
		{Country: "US"},
		{Country: "XX"},
		{Region: "ZZ", Country: "US"},
	} {
		if z, err := Resolve(l); !errors.Is(err, ErrUnresolved) {
			t.Errorf("Resolve(%+v) = %+v, %v; want ErrUnresolved", l, z, err)
		}
	}
}

func TestLocalAcrossDST(t *testing.T) {
	ny := schemas.Location{Region: "NY", PostalCode: "10001", Country: "US"}
	az := schemas.Location{Region: "AZ", PostalCode: "85004", Country: "US"}
	pr := schemas.Location{Region: "PR", PostalCode: "00901", Country: "US"}
	hi := schemas.Location{Region: "HI", PostalCode: "96813", Country: "US"}
	ak := schemas.Location{Region: "AK", PostalCode: "99501", Country: "US"}
	de := schemas.Location{Country: "DE"}
	br := func(state string) schemas.Location { return schemas.Location{Region: state, Country: "BR"} }
	tests := []struct {
		name string
		wall Wall
		loc  schemas.Location
		utc  string
		off  int
	}{
		{"ny winter", Wall{2026, 1, 15, 9, 30, 0}, ny, "2026-01-15T14:30:00Z", -300},
		{"ny summer", Wall{2026, 7, 15, 9, 30, 0}, ny, "2026-07-15T13:30:00Z", -240},
		// 2026-03-08 02:30 does not exist in New York: the earlier of the
		// two readings is 02:30 EDT = 06:30 UTC.
		{"ny spring gap", Wall{2026, 3, 8, 2, 30, 0}, ny, "2026-03-08T06:30:00Z", -300},
		{"ny just after gap", Wall{2026, 3, 8, 3, 0, 0}, ny, "2026-03-08T07:00:00Z", -240},
		// 2026-11-01 01:30 happens twice: the first one, EDT.
		{"ny fall overlap", Wall{2026, 11, 1, 1, 30, 0}, ny, "2026-11-01T05:30:00Z", -240},
		{"ny after overlap", Wall{2026, 11, 1, 2, 30, 0}, ny, "2026-11-01T07:30:00Z", -300},
		{"phoenix summer", Wall{2026, 7, 15, 9, 30, 0}, az, "2026-07-15T16:30:00Z", -420},
		{"phoenix on NY gap day", Wall{2026, 3, 8, 2, 30, 0}, az, "2026-03-08T09:30:00Z", -420},
		{"puerto rico summer", Wall{2026, 7, 15, 9, 30, 0}, pr, "2026-07-15T13:30:00Z", -240},
		{"honolulu summer", Wall{2026, 7, 15, 9, 30, 0}, hi, "2026-07-15T19:30:00Z", -600},
		{"anchorage winter", Wall{2026, 1, 15, 9, 30, 0}, ak, "2026-01-15T18:30:00Z", -540},
		{"berlin summer", Wall{2026, 7, 15, 9, 30, 0}, de, "2026-07-15T07:30:00Z", 120},
		// Europe goes back on 2026-10-25 at 03:00 local: 02:30 happens twice.
		{"berlin overlap", Wall{2026, 10, 25, 2, 30, 0}, de, "2026-10-25T00:30:00Z", 120},
		// Brazil in 2016–2017: the south-east and centre-west kept summer
		// time from 2016-10-16 to 2017-02-19 and from 2017-10-15; the north
		// and north-east did not.
		{"sao paulo summer time", Wall{2017, 1, 15, 12, 0, 0}, br("SP"), "2017-01-15T14:00:00Z", -120},
		{"sao paulo winter", Wall{2017, 7, 15, 12, 0, 0}, br("SP"), "2017-07-15T15:00:00Z", -180},
		{"sao paulo after 2017 start", Wall{2017, 10, 20, 12, 0, 0}, br("SP"), "2017-10-20T14:00:00Z", -120},
		{"bahia no summer time", Wall{2017, 1, 15, 12, 0, 0}, br("BA"), "2017-01-15T15:00:00Z", -180},
		{"tocantins no summer time", Wall{2017, 1, 15, 12, 0, 0}, br("TO"), "2017-01-15T15:00:00Z", -180},
		{"cuiaba summer time", Wall{2017, 1, 15, 12, 0, 0}, br("MT"), "2017-01-15T15:00:00Z", -180},
		{"manaus", Wall{2017, 1, 15, 12, 0, 0}, br("AM"), "2017-01-15T16:00:00Z", -240},
		{"rio branco", Wall{2017, 1, 15, 12, 0, 0}, br("AC"), "2017-01-15T17:00:00Z", -300},
		// Clocks went back at midnight on 2017-02-19: 23:30 on the 18th
		// happened twice, the first one in summer time.
		{"sao paulo overlap", Wall{2017, 2, 18, 23, 30, 0}, br("SP"), "2017-02-19T01:30:00Z", -120},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, off, _, err := Local(tc.wall, tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := time.Parse(time.RFC3339, tc.utc)
			if !got.Equal(want) || off != tc.off {
				t.Errorf("Local = %s offset %d, want %s offset %d", got.Format(time.RFC3339), off, tc.utc, tc.off)
			}
		})
	}
}

func TestOfCountry(t *testing.T) {
	for _, tc := range []struct {
		code   string
		name   string
		approx bool
		ok     bool
	}{
		{"US", "America/New_York", true, true},
		{"CA", "America/Toronto", true, true},
		{"DE", "Europe/Berlin", false, true},
		{"PR", "America/Puerto_Rico", false, true},
		{"XX", "", false, false},
		{"", "", false, false},
	} {
		z, ok := OfCountry(tc.code)
		if ok != tc.ok || z.Name != tc.name || z.Approximate != tc.approx {
			t.Errorf("%q: got %+v %v, want %s approximate %v, %v", tc.code, z, ok, tc.name, tc.approx, tc.ok)
		}
	}
}

func TestIsUSState(t *testing.T) {
	for code, want := range map[string]bool{"IL": true, "DC": true, "PR": true, "GU": true, "ON": false, "XX": false, "": false, "il": false} {
		if got := IsUSState(code); got != want {
			t.Errorf("%q: got %v, want %v", code, got, want)
		}
	}
}
