package carrier

import (
	"strings"
	"sync"
	"sync/atomic"
)

// detailRules read a status_detail from a carrier's status text, in order:
// the first rule with a matching phrase wins. Carriers put the reason of
// an exception in free text far more often than in a code.
var detailRules = []struct {
	detail  string
	phrases []string
}{
	{"weather", []string{"weather", "storm", "hurricane", "snow", "flood", "natural disaster"}},
	{"customs", []string{"customs", "clearance", "import", "duties", "brokerage"}},
	{"damaged", []string{"damage"}},
	{"refused", []string{"refused"}},
	{"address_issue", []string{"address", "insufficient", "no such number", "addressee unknown", "moved", "vacant"}},
	{"recipient_unavailable", []string{"no one was", "no one available", "not available for delivery", "not at home", "not home", "nobody", "receiver not available", "recipient not available", "customer not available", "receiver was not available", "recipient was not available", "no authorized recipient"}},
	{"business_closed", []string{"business closed", "business was closed", "closed"}},
	{"held", []string{"held", "hold", "pick up at", "pickup at", "access point", "available for pickup", "ready for pickup", "locker"}},
	{"lost", []string{"lost", "missing", "cannot be located", "unable to locate"}},
	{"mechanical", []string{"mechanical", "equipment"}},
	{"missed_connection", []string{"missed", "late arrival", "late trailer", "late flight"}},
	{"delay", []string{"delay", "running late", "arrive late", "later than"}},
}

// DetailFromText returns the status_detail a carrier's description
// suggests, or "" when it suggests none. A phrase matches at the start of
// a word ("damage" in "damaged", not "hold" in "household").
func DetailFromText(text string) string {
	t := strings.ToLower(text)
	for _, r := range detailRules {
		for _, p := range r.phrases {
			if hasWordPrefix(t, p) {
				return r.detail
			}
		}
	}
	return ""
}

func hasWordPrefix(t, p string) bool {
	for off := 0; ; {
		i := strings.Index(t[off:], p)
		if i < 0 {
			return false
		}
		i += off
		if i == 0 || !isLetter(t[i-1]) {
			return true
		}
		off = i + 1
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// Service levels parcelcast compares across carriers.
const (
	ServiceGround        = "ground"
	ServiceOvernight     = "overnight"
	Service2Day          = "2day"
	Service3Day          = "3day"
	ServiceEconomy       = "economy"
	ServiceInternational = "international"
)

var serviceRules = []struct {
	service, mode string
	phrases       []string
}{
	{ServiceInternational, "air", []string{"worldwide", "international", "global", "express worldwide"}},
	{ServiceOvernight, "air", []string{"next day", "overnight", "priority mail express", "express 9", "express 10", "express 12", "same day", "1day", "1 day"}},
	{Service2Day, "air", []string{"2nd day", "2day", "2 day", "second day", "two day", "priority mail"}},
	{Service3Day, "ground", []string{"3 day", "3day", "express saver"}},
	{ServiceEconomy, "ground", []string{"surepost", "smartpost", "smart post", "ground economy", "mail innovations", "economy", "ground advantage", "parcel select", "media mail", "first-class", "first class"}},
	{ServiceGround, "ground", []string{"ground", "home delivery", "standard", "parcel"}},
}

// ServiceFromText maps a carrier's service name to a canonical service
// level and transport mode; ("", "") when the name says neither.
//
// Answers are remembered, for up to maxServiceNames names: a carrier
// names its few services again in every payload.
func ServiceFromText(name string) (service, mode string) {
	if v, ok := serviceNames.Load(name); ok {
		r := v.([2]string)
		return r[0], r[1]
	}
	service, mode = serviceFromRules(name)
	if serviceNamesHeld.Add(1) <= maxServiceNames {
		serviceNames.Store(strings.Clone(name), [2]string{service, mode})
	}
	return service, mode
}

// serviceNames remembers ServiceFromText's answers by name; bounded, so a
// feed of ever-new names cannot grow it without end.
var (
	serviceNames     sync.Map // name → [2]string{service, mode}
	serviceNamesHeld atomic.Int64
)

const maxServiceNames = 4096

func serviceFromRules(name string) (service, mode string) {
	t := strings.ToLower(name)
	for _, r := range serviceRules {
		for _, p := range r.phrases {
			if strings.Contains(t, p) {
				return r.service, r.mode
			}
		}
	}
	return "", ""
}

// detailTexts are phrases a carrier might use for each status_detail;
// DetailFromText reads each back as its detail. Encoders (the simulator's
// carrier formats) use them.
var detailTexts = map[string]string{
	"weather":               "Severe weather conditions have delayed delivery",
	"customs":               "Held in customs clearance",
	"damaged":               "Package damaged in transit",
	"refused":               "Refused by recipient",
	"address_issue":         "The address is incorrect or incomplete",
	"recipient_unavailable": "Recipient not available for delivery",
	"business_closed":       "Business closed at time of delivery",
	"held":                  "Held at the facility for pickup",
	"lost":                  "Package cannot be located",
	"mechanical":            "Mechanical failure of the vehicle",
	"missed_connection":     "Missed connection at the hub",
	"delay":                 "Delay beyond our control",
}

// DetailText returns a carrier-style phrase for a status_detail that
// DetailFromText maps back to it, or "" for an empty or unknown detail.
func DetailText(detail string) string { return detailTexts[detail] }
