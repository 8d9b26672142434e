package sim

import "time"

// City is a place shipments start or end at, with a carrier facility.
type City struct {
	Name    string
	Region  string // state or province
	Postal  string // a postal code in the city
	Lat     float64
	Lon     float64
	Zone    string // IANA time zone
	Country string // ISO code; "" is the US
}

// CountryCode is the city's ISO country code.
func (c City) CountryCode() string {
	if c.Country == "" {
		return "US"
	}
	return c.Country
}

// abroad are the destinations of international services, each with the
// carriers' gateway facility in the city.
var abroad = []City{
	{"Toronto", "ON", "M5H 2N2", 43.65, -79.38, "America/Toronto", "CA"},
	{"Mexico City", "CMX", "06000", 19.43, -99.13, "America/Mexico_City", "MX"},
	{"London", "", "EC1A 1BB", 51.51, -0.13, "Europe/London", "GB"},
	{"Frankfurt", "", "60311", 50.11, 8.68, "Europe/Berlin", "DE"},
	{"Tokyo", "", "100-0001", 35.68, 139.69, "Asia/Tokyo", "JP"},
}

// cities are real US metro areas with approximate coordinates. The list
// spans all continental time zones plus Arizona (no DST), Indiana,
// Alaska and Hawaii.
var cities = []City{
	{"New York", "NY", "10001", 40.75, -73.99, "America/New_York", ""},
	{"Boston", "MA", "02108", 42.36, -71.06, "America/New_York", ""},
	{"Philadelphia", "PA", "19102", 39.95, -75.17, "America/New_York", ""},
	{"Charlotte", "NC", "28202", 35.23, -80.84, "America/New_York", ""},
	{"Atlanta", "GA", "30303", 33.75, -84.39, "America/New_York", ""},
	{"Miami", "FL", "33101", 25.77, -80.19, "America/New_York", ""},
	{"Indianapolis", "IN", "46204", 39.77, -86.16, "America/Indiana/Indianapolis", ""},
	{"Louisville", "KY", "40202", 38.25, -85.76, "America/Kentucky/Louisville", ""},
	{"Chicago", "IL", "60601", 41.88, -87.63, "America/Chicago", ""},
	{"Minneapolis", "MN", "55401", 44.98, -93.27, "America/Chicago", ""},
	{"Memphis", "TN", "38103", 35.15, -90.05, "America/Chicago", ""},
	{"Kansas City", "MO", "64105", 39.10, -94.58, "America/Chicago", ""},
	{"Dallas", "TX", "75201", 32.78, -96.80, "America/Chicago", ""},
	{"Houston", "TX", "77002", 29.76, -95.37, "America/Chicago", ""},
	{"Denver", "CO", "80202", 39.74, -104.99, "America/Denver", ""},
	{"Salt Lake City", "UT", "84101", 40.76, -111.89, "America/Denver", ""},
	{"Phoenix", "AZ", "85004", 33.45, -112.07, "America/Phoenix", ""},
	{"Las Vegas", "NV", "89101", 36.17, -115.14, "America/Los_Angeles", ""},
	{"Los Angeles", "CA", "90012", 34.05, -118.24, "America/Los_Angeles", ""},
	{"San Francisco", "CA", "94103", 37.77, -122.42, "America/Los_Angeles", ""},
	{"Portland", "OR", "97201", 45.52, -122.68, "America/Los_Angeles", ""},
	{"Seattle", "WA", "98101", 47.61, -122.33, "America/Los_Angeles", ""},
	{"Anchorage", "AK", "99501", 61.22, -149.90, "America/Anchorage", ""},
	{"Honolulu", "HI", "96813", 21.31, -157.86, "Pacific/Honolulu", ""},
}

// Service is a carrier's service level and how it moves parcels.
type Service struct {
	Name string
	Air  bool
	// DaysMin is the fewest business days in transit, for short lanes.
	DaysMin int
	// KmPerDay is how far a ground service moves per business day.
	KmPerDay float64
	// Weight is the share of this carrier's volume.
	Weight float64
	// Standard is the carrier's published transit time in business days,
	// fewest and most, for the contiguous US (or to the destination
	// country for international services).
	Standard [2]int
	// Abroad services go from a US city to one abroad, through customs.
	Abroad bool
	// Handoff services give the parcel to USPS for the last mile, which
	// costs a day.
	Handoff bool
}

// Carrier is a simulated carrier with its hub and services.
type Carrier struct {
	Name string
	Hub  string // city name of the main sort hub
	// Prefix starts the carrier's simulated tracking numbers.
	Prefix   string
	Saturday bool // delivers on Saturdays
	Services []Service
	Weight   float64
	// Region, when set, lists the only states the carrier serves.
	Region map[string]bool
	// ShipmentIDs is set for a carrier whose feed names each shipment
	// with an id of its own beside the tracking number (FedEx's
	// trackingNumberUniqueId).
	ShipmentIDs bool
}

// CarrierNames lists the simulated carriers of the US network.
func CarrierNames() []string {
	names := make([]string, len(carriers))
	for i, c := range carriers {
		names[i] = c.Name
	}
	return names
}

// everyCarrier are the carriers of every country.
var everyCarrier = append(append([]Carrier{}, carriers...), correios)

var carriers = []Carrier{
	{Name: "ups", Hub: "Louisville", Prefix: "1Z", Saturday: false, Weight: 0.3, Services: []Service{
		{Name: "ground", DaysMin: 1, KmPerDay: 750, Weight: 0.6, Standard: [2]int{1, 5}},
		{Name: "economy", DaysMin: 2, KmPerDay: 750, Weight: 0.1, Standard: [2]int{2, 7}, Handoff: true}, // SurePost
		{Name: "2day", Air: true, DaysMin: 2, Weight: 0.2, Standard: [2]int{2, 2}},
		{Name: "overnight", Air: true, DaysMin: 1, Weight: 0.08, Standard: [2]int{1, 1}},
		{Name: "international", Air: true, DaysMin: 3, Weight: 0.02, Standard: [2]int{2, 5}, Abroad: true},
	}},
	{Name: "fedex", Hub: "Memphis", Prefix: "", Saturday: true, Weight: 0.3, ShipmentIDs: true, Services: []Service{
		{Name: "ground", DaysMin: 1, KmPerDay: 700, Weight: 0.55, Standard: [2]int{1, 5}},
		{Name: "economy", DaysMin: 2, KmPerDay: 700, Weight: 0.1, Standard: [2]int{2, 7}, Handoff: true}, // Ground Economy
		{Name: "2day", Air: true, DaysMin: 2, Weight: 0.2, Standard: [2]int{2, 2}},
		{Name: "overnight", Air: true, DaysMin: 1, Weight: 0.15, Standard: [2]int{1, 1}},
	}},
	{Name: "usps", Hub: "Kansas City", Prefix: "9400", Saturday: true, Weight: 0.27, Services: []Service{
		{Name: "economy", DaysMin: 2, KmPerDay: 600, Weight: 0.6, Standard: [2]int{2, 5}},
		{Name: "2day", Air: true, DaysMin: 2, Weight: 0.35, Standard: [2]int{1, 3}},
		{Name: "overnight", Air: true, DaysMin: 1, Weight: 0.05, Standard: [2]int{1, 2}},
	}},
	{Name: "dhl", Hub: "Chicago", Prefix: "", Saturday: false, Weight: 0.08, Services: []Service{
		{Name: "economy", DaysMin: 2, KmPerDay: 550, Weight: 0.8, Standard: [2]int{2, 8}},
		{Name: "international", Air: true, DaysMin: 2, Weight: 0.2, Standard: [2]int{1, 5}, Abroad: true},
	}},
	// A regional carrier of the western states, reporting by EDI 214.
	{Name: "ontrac", Hub: "Los Angeles", Prefix: "C", Saturday: true, Weight: 0.05, Region: westernStates, Services: []Service{
		{Name: "ground", DaysMin: 1, KmPerDay: 900, Weight: 1, Standard: [2]int{1, 2}},
	}},
}

// westernStates are where the regional carrier picks up and delivers.
var westernStates = map[string]bool{"CA": true, "NV": true, "AZ": true, "OR": true, "WA": true, "UT": true, "CO": true}

// loc loads a time zone; the binary embeds the zone database (time/tzdata)
// so this never fails for the zones above.
func loc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic("sim: time zone " + name + ": " + err.Error())
	}
	return l
}
