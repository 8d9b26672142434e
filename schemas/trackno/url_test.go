package trackno

import "testing"

func TestURL(t *testing.T) {
	for _, tc := range []struct {
		carrier, number, want string
	}{
		{"ups", "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784"},
		{"UPS", "1z 999 aa1 01 2345 6784", "https://www.ups.com/track?tracknum=1Z999AA10123456784"},
		{"fedex", "799531274483", "https://www.fedex.com/fedextrack/?trknbr=799531274483"},
		{"usps", "9400111899223100000017", "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223100000017"},
		{"dhl", "1234567890", "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=1234567890"},
		{"ontrac", "C10999911320231", "https://www.ontrac.com/tracking/?number=C10999911320231"},
		{"lasership", "LX40012345678", "https://www.ontrac.com/tracking/?number=LX40012345678"},
		{"amazon", "TBA012345678910", "https://track.amazon.com/tracking/TBA012345678910"},
		{"correios", "AB123456785BR", "https://rastreamento.correios.com.br/app/index.php?objetos=AB123456785BR"},
		// S10: the post of the issuing country, whatever carrier hands it over.
		{"usps", "RB123456785GB", "https://www.royalmail.com/track-your-item#/tracking-results/RB123456785GB"},
		{"", "EE123456785US", "https://tools.usps.com/go/TrackConfirmAction?tLabels=EE123456785US"},
		{"regional", "RB123456785BR", "https://rastreamento.correios.com.br/app/index.php?objetos=RB123456785BR"},
		// An issuing post without a known page: the carrier's, else a neutral tracker.
		{"dhl", "RB123456785CV", "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=RB123456785CV"},
		{"", "RB123456785CV", "https://t.17track.net/en#nums=RB123456785CV"},
		// An S10 shape with a wrong check digit is no postal number.
		{"regional", "RB123456786US", ""},
		// A carrier without a page: the number's own family, when valid.
		{"regional", "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784"},
		{"regional", "ABC123", ""},
		{"", "", ""},
		{"ups", "A&B", "https://www.ups.com/track?tracknum=A%26B"},
	} {
		got, ok := URL(tc.carrier, tc.number)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("URL(%q, %q) = %q, %v; want %q", tc.carrier, tc.number, got, ok, tc.want)
		}
	}
}

// TestURLEveryCarrier: every carrier the number families name, but the
// S10 pseudo-carrier, has a tracking page.
func TestURLEveryCarrier(t *testing.T) {
	for _, f := range families {
		if f.carrier == "s10" {
			continue
		}
		if _, ok := carrierURLs[f.carrier]; !ok {
			t.Errorf("carrier %s (%s) has no tracking page", f.carrier, f.name)
		}
	}
	for country, post := range nationalPosts {
		if _, ok := carrierURLs[post]; !ok {
			t.Errorf("national post %s of %s has no tracking page", post, country)
		}
	}
}
