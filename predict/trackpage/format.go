package trackpage

import (
	"strconv"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// Locale is the one place the page's words, dates and times are made, so
// that another language is one more Locale. Times are formatted in the
// zone they are given in.
type Locale struct {
	// Lang is the page's language tag.
	Lang string
	// Day is a date ("Tuesday, 8 December"), Weekday a weekday alone.
	Day     func(t time.Time) string
	Weekday func(t time.Time) string
	// Clock is a time of day ("3:12 pm", "2 pm"), ClockRange a span of
	// one day ("2–6 pm").
	Clock      func(t time.Time) string
	ClockRange func(from, to time.Time) string
	// Short is a date on the band's axis ("8 Dec").
	Short func(t time.Time) string
	// Words are the page's fixed texts, by key (see English).
	Words map[string]string
	// Status names a canonical status, Carrier a carrier, Service a
	// service, Mode a mode of transport ("by air").
	Status  func(s schemas.Status) string
	Carrier func(c string) string
	Service func(s string) string
	Mode    func(m string) string
}

// T is the locale's text of a key, the key itself when it has none.
func (l *Locale) T(key string) string {
	if w, ok := l.Words[key]; ok {
		return w
	}
	return key
}

// English is the page's first locale.
var English = &Locale{
	Lang:       "en",
	Day:        func(t time.Time) string { return t.Format("Monday, 2 January") },
	Weekday:    func(t time.Time) string { return t.Format("Monday") },
	Clock:      englishClock,
	ClockRange: englishClockRange,
	Short:      func(t time.Time) string { return t.Format("2 Jan") },
	Words:      englishWords,
	Status:     englishStatus,
	Carrier:    englishCarrier,
	Service:    englishService,
	Mode:       englishMode,
}

// englishClock is "3:12 pm", "2 pm", "noon", "midnight".
func englishClock(t time.Time) string {
	h, m := t.Hour(), t.Minute()
	switch {
	case h == 12 && m == 0:
		return "noon"
	case h == 0 && m == 0:
		return "midnight"
	}
	suffix := " am"
	if h >= 12 {
		suffix = " pm"
	}
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	if m == 0 {
		return strconv.Itoa(h12) + suffix
	}
	return strconv.Itoa(h12) + ":" + twoDigits(m) + suffix
}

// englishClockRange is "2–6 pm" within a half of the day, else
// "11 am – 3 pm".
func englishClockRange(from, to time.Time) string {
	a, b := englishClock(from), englishClock(to)
	if (from.Hour() < 12) == (to.Hour() < 12) && strings.HasSuffix(a, "m") && strings.HasSuffix(b, "m") &&
		from.Hour() != 12 && to.Hour() != 12 && from.Hour() != 0 && to.Hour() != 0 {
		return strings.TrimSuffix(strings.TrimSuffix(a, " am"), " pm") + "–" + b
	}
	return a + " – " + b
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

var englishWords = map[string]string{
	"title":             "Track your parcel",
	"order_title":       "Track your order",
	"arriving":          "Arriving",
	"today":             "today",
	"tomorrow":          "tomorrow",
	"late":              "Running late: now expected",
	"delivered":         "Delivered",
	"returned":          "Returned to the sender",
	"cancelled":         "This shipment was cancelled",
	"pickup_ready":      "Ready for pickup",
	"pickup_expected":   "Expected at the pickup point",
	"on_its_way":        "On its way",
	"label_created":     "Label created: the carrier does not have the parcel yet",
	"at":                "at",
	"between":           "between",
	"and":               "and",
	"likely":            "Most likely",
	"sure":              "8 in 10 parcels like this one arrive",
	"promised":          "Promised by",
	"band_label":        "Arrival window",
	"band_p50":          "most likely",
	"band_promise":      "promised",
	"band_now":          "now",
	"progress":          "Progress",
	"step_shipped":      "Shipped",
	"step_local":        "At the local facility",
	"step_out":          "Out for delivery",
	"step_delivered":    "Delivered",
	"step_pickup":       "At the pickup point",
	"step_returned":     "Returned to sender",
	"timeline":          "History",
	"details":           "Details",
	"carrier":           "Carrier",
	"service":           "Service",
	"tracking_number":   "Tracking number",
	"carrier_link":      "on the carrier's site",
	"to":                "To",
	"from":              "From",
	"problems":          "What is happening",
	"resolved":          "Resolved",
	"since":             "since",
	"options":           "Delivery options",
	"options_none":      "No changes can be made to this delivery now.",
	"hold":              "Hold at a pickup point",
	"reschedule":        "Deliver on another day",
	"redirect":          "Deliver to another address",
	"return":            "Return to the sender",
	"pickup_point":      "Pickup point",
	"date":              "Day",
	"name":              "Name",
	"line1":             "Street and number",
	"line2":             "Apartment, floor (optional)",
	"city":              "City",
	"region":            "State or region",
	"postal_code":       "Postal code",
	"country":           "Country (two letters)",
	"confirm_postal":    "Postal code of the delivery address, to confirm it is your parcel",
	"submit":            "Send",
	"instruction_done":  "Your request was sent to the carrier.",
	"instructions":      "Your requests",
	"pending":           "sent, waiting for the carrier",
	"acted_on":          "done by the carrier",
	"cancelled_state":   "cancelled",
	"not_found":         "We could not find that parcel",
	"not_found_text":    "No scans have been received for this tracking number yet. Carriers can take a day to send the first one; check the number and try again later.",
	"order_not_found":   "We could not find that order",
	"order_not_found_x": "No order matches that reference and postal code. Check both and try again.",
	"lookup":            "Find your order",
	"order_ref":         "Order number",
	"lookup_submit":     "Find",
	"shipment_n":        "Parcel",
	"of":                "of",
	"updated":           "Updated",
	"error":             "Something went wrong",
	"busy":              "Tracking is busy at the moment; please try again in a moment.",
	"skip":              "Skip to the parcel's status",
	"too_many_tries":    "Too many postal codes were tried for this parcel. Try again in a few hours, or use the link in your order e-mail.",
	"postal_mismatch":   "The postal code does not match this parcel's delivery address.",
	"pending_request":   "A request for this parcel is already waiting for the carrier.",
	"your_request":      "Your request",
	"cancel_request":    "Cancel this request",
	"acted_on_already":  "The carrier has already acted on this request.",
	"form_changed":      "This form was already sent with other choices. Reload the page to see where your request stands.",
	"closed":            "The parcel was delivered or returned: no change can be made now.",
	"unavailable":       "This option is not available for the parcel now.",
	"cross_site":        "This form was sent from another site and was refused.",
	"unreadable":        "The form could not be read.",
	"expired":           "This form has expired. Reload the page and send it again.",
}

var englishStatuses = map[schemas.Status]string{
	schemas.StatusInfoReceived:       "Label created",
	schemas.StatusPickedUp:           "Picked up",
	schemas.StatusInTransit:          "In transit",
	schemas.StatusArrivedAtFacility:  "Arrived at a facility",
	schemas.StatusDepartedFacility:   "Left a facility",
	schemas.StatusOutForDelivery:     "Out for delivery",
	schemas.StatusDeliveryAttempted:  "Delivery attempted",
	schemas.StatusAvailableForPickup: "Ready for pickup",
	schemas.StatusDelivered:          "Delivered",
	schemas.StatusException:          "Problem reported",
	schemas.StatusReturnedToSender:   "Returned to sender",
	schemas.StatusCancelled:          "Cancelled",
	schemas.StatusUnknown:            "Update",
}

func englishStatus(s schemas.Status) string {
	if w, ok := englishStatuses[s]; ok {
		return w
	}
	return "Update"
}

var englishCarriers = map[string]string{
	"ups": "UPS", "fedex": "FedEx", "usps": "USPS", "dhl": "DHL", "ontrac": "OnTrac", "lasership": "LaserShip",
	"olist": "Olist", "correios": "Correios",
}

func englishCarrier(c string) string {
	if w, ok := englishCarriers[strings.ToLower(c)]; ok {
		return w
	}
	return titleWords(c)
}

var englishServices = map[string]string{
	"ground": "Ground", "2day": "2Day", "express": "Express", "priority": "Priority Mail", "overnight": "Overnight",
	"next_day": "Next Day Air", "standard": "Standard", "economy": "Economy", "first_class": "First-Class",
}

func englishService(s string) string {
	if w, ok := englishServices[strings.ToLower(s)]; ok {
		return w
	}
	return titleWords(s)
}

func englishMode(m string) string {
	switch strings.ToLower(m) {
	case "":
		return ""
	case "air":
		return "by air"
	case "ground", "road", "truck":
		return "by road"
	case "rail":
		return "by rail"
	case "ocean", "sea":
		return "by sea"
	}
	return "by " + strings.ToLower(m)
}

// titleWords turns "regional_express" into "Regional Express".
func titleWords(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '-' || r == ' ' })
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}
