package trackno

import (
	"net/url"
	"strings"

	"github.com/parcelcast/parcelcast/schemas"
)

// carrierURLs are the public tracking pages of the carriers parcelcast
// reads, by carrier name as events carry it; the number is appended
// (query-escaped) to the prefix.
var carrierURLs = map[string]string{
	"ups":          "https://www.ups.com/track?tracknum=",
	"fedex":        "https://www.fedex.com/fedextrack/?trknbr=",
	"usps":         "https://tools.usps.com/go/TrackConfirmAction?tLabels=",
	"dhl":          "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=",
	"ontrac":       "https://www.ontrac.com/tracking/?number=",
	"lasership":    "https://www.ontrac.com/tracking/?number=", // LaserShip tracks on OnTrac's page since they merged
	"amazon":       "https://track.amazon.com/tracking/",
	"canadapost":   "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor=",
	"royalmail":    "https://www.royalmail.com/track-your-item#/tracking-results/",
	"laposte":      "https://www.laposte.fr/outils/suivre-vos-envois?code=",
	"auspost":      "https://auspost.com.au/mypost/track/details/",
	"correios":     "https://rastreamento.correios.com.br/app/index.php?objetos=",
	"japanpost":    "https://trackings.post.japanpost.jp/services/srv/search/direct?locale=en&reqCodeNo1=",
	"deutschepost": "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=",
}

// nationalPosts are the carriers (keys of carrierURLs) that are the
// national post of a country, by ISO 3166-1 code: where a UPU S10 number
// issued there is tracked.
var nationalPosts = map[string]string{
	"US": "usps", "CA": "canadapost", "GB": "royalmail", "FR": "laposte", "AU": "auspost",
	"BR": "correios", "JP": "japanpost", "DE": "deutschepost",
}

// internationalURL tracks a postal number of any country: a neutral
// aggregator, for S10 numbers whose issuing post has no known page.
const internationalURL = "https://t.17track.net/en#nums="

// URL returns the public tracking page of a shipment, or false when
// parcelcast knows none. A UPU S10 postal number goes to the national post
// of its issuing country (the origin) where that post's page is known,
// else to the carrier's own page, else to a neutral international
// tracker. Any other number goes to its carrier's page; a carrier without
// a known page (a regional carrier of the generic feed) has none, unless
// the number's own shape names a carrier that has one.
func URL(carrier, trackingNumber string) (string, bool) {
	n := schemas.NormalizeTrackingNumber(trackingNumber)
	if n == "" {
		return "", false
	}
	carrier = strings.ToLower(strings.TrimSpace(carrier))
	if _, ok := shapeS10(n); ok && checkS10(n) == "" {
		if post, ok := nationalPosts[n[11:]]; ok {
			return carrierURLs[post] + url.QueryEscape(n), true
		}
		if p, ok := carrierURLs[carrier]; ok {
			return p + url.QueryEscape(n), true
		}
		return internationalURL + url.QueryEscape(n), true
	}
	if p, ok := carrierURLs[carrier]; ok {
		return p + url.QueryEscape(n), true
	}
	if m, ok := Best(n); ok {
		if p, ok := carrierURLs[m.Carrier]; ok {
			return p + url.QueryEscape(m.Number), true
		}
	}
	return "", false
}
