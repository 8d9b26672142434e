package zone

// usStates maps a US state (and DC) to the zone most of it keeps. States
// that straddle two zones are listed in splitStates and refined by ZIP.
var usStates = map[string]Zone{
	"AL": {Name: "America/Chicago"}, "AK": {Name: "America/Anchorage"},
	"AZ": {Name: "America/Phoenix"}, "AR": {Name: "America/Chicago"},
	"CA": {Name: "America/Los_Angeles"}, "CO": {Name: "America/Denver"},
	"CT": {Name: "America/New_York"}, "DE": {Name: "America/New_York"},
	"DC": {Name: "America/New_York"}, "FL": {Name: "America/New_York"},
	"GA": {Name: "America/New_York"}, "HI": {Name: "Pacific/Honolulu"},
	"ID": {Name: "America/Boise"}, "IL": {Name: "America/Chicago"},
	"IN": {Name: "America/Indiana/Indianapolis"}, "IA": {Name: "America/Chicago"},
	"KS": {Name: "America/Chicago"}, "KY": {Name: "America/New_York"},
	"LA": {Name: "America/Chicago"}, "ME": {Name: "America/New_York"},
	"MD": {Name: "America/New_York"}, "MA": {Name: "America/New_York"},
	"MI": {Name: "America/Detroit"}, "MN": {Name: "America/Chicago"},
	"MS": {Name: "America/Chicago"}, "MO": {Name: "America/Chicago"},
	"MT": {Name: "America/Denver"}, "NE": {Name: "America/Chicago"},
	"NV": {Name: "America/Los_Angeles"}, "NH": {Name: "America/New_York"},
	"NJ": {Name: "America/New_York"}, "NM": {Name: "America/Denver"},
	"NY": {Name: "America/New_York"}, "NC": {Name: "America/New_York"},
	"ND": {Name: "America/Chicago"}, "OH": {Name: "America/New_York"},
	"OK": {Name: "America/Chicago"}, "OR": {Name: "America/Los_Angeles"},
	"PA": {Name: "America/New_York"}, "RI": {Name: "America/New_York"},
	"SC": {Name: "America/New_York"}, "SD": {Name: "America/Chicago"},
	"TN": {Name: "America/Chicago"}, "TX": {Name: "America/Chicago"},
	"UT": {Name: "America/Denver"}, "VT": {Name: "America/New_York"},
	"VA": {Name: "America/New_York"}, "WA": {Name: "America/Los_Angeles"},
	"WV": {Name: "America/New_York"}, "WI": {Name: "America/Chicago"},
	"WY": {Name: "America/Denver"},
}

// splitStates keep two zones (or, for Arizona and Alaska, a zone and an
// exception); without a ZIP their main zone is only approximate.
var splitStates = map[string]bool{
	"AK": true, "AZ": true, "FL": true, "ID": true, "IN": true, "KS": true, "KY": true,
	"MI": true, "ND": true, "NE": true, "OR": true, "SD": true, "TN": true, "TX": true,
}

// zip3Overrides are the three-digit ZIP prefixes of split states whose
// zone differs from the state's main one.
var zip3Overrides = map[string]string{
	// Florida panhandle west of the Apalachicola (Panama City, Pensacola).
	"324": "America/Chicago", "325": "America/Chicago",
	// North Idaho (Lewiston, Coeur d'Alene) keeps Pacific time.
	"835": "America/Los_Angeles", "838": "America/Los_Angeles",
	// Indiana: the Gary and Evansville corners keep Central time.
	"463": "America/Chicago", "464": "America/Chicago",
	"476": "America/Chicago", "477": "America/Chicago",
	// Western Kentucky: Paducah, Bowling Green, Owensboro, Henderson.
	"420": "America/Chicago", "421": "America/Chicago", "422": "America/Chicago",
	"423": "America/Chicago", "424": "America/Chicago",
	// South-west North Dakota (Dickinson), the Nebraska panhandle
	// (Scottsbluff, Alliance) and South Dakota west river (Rapid City).
	"586": "America/Denver", "693": "America/Denver", "577": "America/Denver",
	// Malheur County, Oregon (Ontario) keeps Mountain time.
	"979": "America/Boise",
	// East Tennessee: Chattanooga, Johnson City, Knoxville.
	"373": "America/New_York", "374": "America/New_York", "376": "America/New_York",
	"377": "America/New_York", "378": "America/New_York", "379": "America/New_York",
	// El Paso and Hudspeth counties, Texas.
	"798": "America/Denver", "799": "America/Denver", "885": "America/Denver",
	// The Navajo Nation in north-east Arizona observes daylight time.
	"865": "America/Denver",
}

// usTerritories: none of them observes daylight saving time.
var usTerritories = map[string]string{
	"PR": "America/Puerto_Rico", "VI": "America/St_Thomas", "GU": "Pacific/Guam",
	"AS": "Pacific/Pago_Pago", "MP": "Pacific/Saipan",
}

// zip3States maps ranges of three-digit ZIP prefixes to states, for US
// locations that come with a ZIP but no state.
var zip3States = []struct {
	lo, hi int
	state  string
}{
	{5, 5, "NY"}, {6, 7, "PR"}, {8, 8, "VI"}, {9, 9, "PR"}, {10, 27, "MA"}, {28, 29, "RI"},
	{30, 38, "NH"}, {39, 49, "ME"}, {50, 59, "VT"}, {60, 69, "CT"}, {70, 89, "NJ"},
	{100, 149, "NY"}, {150, 196, "PA"}, {197, 199, "DE"}, {200, 200, "DC"}, {201, 201, "VA"},
	{202, 205, "DC"}, {206, 219, "MD"}, {220, 246, "VA"}, {247, 268, "WV"}, {270, 289, "NC"},
	{290, 299, "SC"}, {300, 319, "GA"}, {320, 339, "FL"}, {341, 349, "FL"}, {350, 369, "AL"},
	{370, 385, "TN"}, {386, 397, "MS"}, {398, 399, "GA"}, {400, 427, "KY"}, {430, 459, "OH"},
	{460, 479, "IN"}, {480, 499, "MI"}, {500, 528, "IA"}, {530, 549, "WI"}, {550, 567, "MN"},
	{569, 569, "DC"}, {570, 577, "SD"}, {580, 588, "ND"}, {590, 599, "MT"}, {600, 629, "IL"},
	{630, 658, "MO"}, {660, 679, "KS"}, {680, 693, "NE"}, {700, 714, "LA"}, {716, 729, "AR"},
	{730, 749, "OK"}, {750, 799, "TX"}, {800, 816, "CO"}, {820, 831, "WY"}, {832, 838, "ID"},
	{840, 847, "UT"}, {850, 865, "AZ"}, {870, 884, "NM"}, {885, 885, "TX"}, {889, 898, "NV"},
	{900, 961, "CA"}, {967, 968, "HI"}, {969, 969, "GU"}, {970, 979, "OR"}, {980, 994, "WA"},
	{995, 999, "AK"},
}

func stateOfZIP3(p string) (string, bool) {
	n := int(p[0]-'0')*100 + int(p[1]-'0')*10 + int(p[2]-'0')
	for _, r := range zip3States {
		if n >= r.lo && n <= r.hi {
			return r.state, true
		}
	}
	return "", false
}

var caProvinces = map[string]Zone{
	"BC": {Name: "America/Vancouver"}, "AB": {Name: "America/Edmonton"},
	"SK": {Name: "America/Regina"}, "MB": {Name: "America/Winnipeg"},
	"ON": {Name: "America/Toronto", Approximate: true}, // north-west Ontario keeps Central time
	"QC": {Name: "America/Toronto"}, "NB": {Name: "America/Moncton"},
	"NS": {Name: "America/Halifax"}, "PE": {Name: "America/Halifax"},
	"NL": {Name: "America/St_Johns", Approximate: true}, // Labrador keeps Atlantic time
	"YT": {Name: "America/Whitehorse"}, "NT": {Name: "America/Yellowknife"},
	"NU": {Name: "America/Iqaluit", Approximate: true},
}

var auStates = map[string]string{
	"NSW": "Australia/Sydney", "ACT": "Australia/Sydney", "VIC": "Australia/Melbourne",
	"QLD": "Australia/Brisbane", "SA": "Australia/Adelaide", "WA": "Australia/Perth",
	"TAS": "Australia/Hobart", "NT": "Australia/Darwin",
}

// brStates maps a Brazilian state to its zone. The zones carry each
// state's daylight-saving history (in 2016–2017 the south, south-east and
// centre-west observed it; the north and north-east did not). Amazonas
// and Pará each have a western corner on another zone, and Pernambuco's
// Fernando de Noronha keeps its own: without finer data the state's main
// zone is taken, flagged approximate.
var brStates = map[string]Zone{
	"AC": {Name: "America/Rio_Branco"}, "AL": {Name: "America/Maceio"},
	"AP": {Name: "America/Belem"}, "AM": {Name: "America/Manaus", Approximate: true},
	"BA": {Name: "America/Bahia"}, "CE": {Name: "America/Fortaleza"},
	"DF": {Name: "America/Sao_Paulo"}, "ES": {Name: "America/Sao_Paulo"},
	"GO": {Name: "America/Sao_Paulo"}, "MA": {Name: "America/Fortaleza"},
	"MT": {Name: "America/Cuiaba"}, "MS": {Name: "America/Campo_Grande"},
	"MG": {Name: "America/Sao_Paulo"}, "PA": {Name: "America/Belem", Approximate: true},
	"PB": {Name: "America/Fortaleza"}, "PR": {Name: "America/Sao_Paulo"},
	"PE": {Name: "America/Recife", Approximate: true}, "PI": {Name: "America/Fortaleza"},
	"RJ": {Name: "America/Sao_Paulo"}, "RN": {Name: "America/Fortaleza"},
	"RS": {Name: "America/Sao_Paulo"}, "RO": {Name: "America/Porto_Velho"},
	"RR": {Name: "America/Boa_Vista"}, "SC": {Name: "America/Sao_Paulo"},
	"SP": {Name: "America/Sao_Paulo"}, "SE": {Name: "America/Maceio"},
	"TO": {Name: "America/Araguaina"},
}

// countries maps ISO 3166-1 alpha-2 codes to a zone. Multi-zone countries
// map to their capital's (or largest city's) zone, flagged approximate.
var countries = map[string]Zone{
	// Multi-zone: approximate without finer data.
	"US": {Name: "America/New_York", Approximate: true}, "CA": {Name: "America/Toronto", Approximate: true},
	"MX": {Name: "America/Mexico_City", Approximate: true}, "BR": {Name: "America/Sao_Paulo", Approximate: true},
	"RU": {Name: "Europe/Moscow", Approximate: true}, "AU": {Name: "Australia/Sydney", Approximate: true},
	"ID": {Name: "Asia/Jakarta", Approximate: true}, "KZ": {Name: "Asia/Almaty", Approximate: true},
	"CL": {Name: "America/Santiago", Approximate: true}, "ES": {Name: "Europe/Madrid", Approximate: true},
	"PT": {Name: "Europe/Lisbon", Approximate: true}, "CD": {Name: "Africa/Kinshasa", Approximate: true},
	"MN": {Name: "Asia/Ulaanbaatar", Approximate: true}, "EC": {Name: "America/Guayaquil", Approximate: true},
	"NZ": {Name: "Pacific/Auckland", Approximate: true}, "FR": {Name: "Europe/Paris", Approximate: true},
	// Single-zone countries.
	"GB": {Name: "Europe/London"}, "IE": {Name: "Europe/Dublin"}, "DE": {Name: "Europe/Berlin"},
	"NL": {Name: "Europe/Amsterdam"}, "BE": {Name: "Europe/Brussels"}, "LU": {Name: "Europe/Luxembourg"},
	"CH": {Name: "Europe/Zurich"}, "AT": {Name: "Europe/Vienna"}, "IT": {Name: "Europe/Rome"},
	"PL": {Name: "Europe/Warsaw"}, "CZ": {Name: "Europe/Prague"}, "SK": {Name: "Europe/Bratislava"},
	"HU": {Name: "Europe/Budapest"}, "SE": {Name: "Europe/Stockholm"}, "NO": {Name: "Europe/Oslo"},
	"DK": {Name: "Europe/Copenhagen"}, "FI": {Name: "Europe/Helsinki"}, "EE": {Name: "Europe/Tallinn"},
	"LV": {Name: "Europe/Riga"}, "LT": {Name: "Europe/Vilnius"}, "GR": {Name: "Europe/Athens"},
	"TR": {Name: "Europe/Istanbul"}, "RO": {Name: "Europe/Bucharest"}, "BG": {Name: "Europe/Sofia"},
	"HR": {Name: "Europe/Zagreb"}, "SI": {Name: "Europe/Ljubljana"}, "RS": {Name: "Europe/Belgrade"},
	"UA": {Name: "Europe/Kyiv"}, "IS": {Name: "Atlantic/Reykjavik"}, "MT": {Name: "Europe/Malta"},
	"CY": {Name: "Asia/Nicosia"}, "IL": {Name: "Asia/Jerusalem"}, "AE": {Name: "Asia/Dubai"},
	"SA": {Name: "Asia/Riyadh"}, "QA": {Name: "Asia/Qatar"}, "IN": {Name: "Asia/Kolkata"},
	"PK": {Name: "Asia/Karachi"}, "BD": {Name: "Asia/Dhaka"}, "LK": {Name: "Asia/Colombo"},
	"NP": {Name: "Asia/Kathmandu"},
	"CN": {Name: "Asia/Shanghai"}, "HK": {Name: "Asia/Hong_Kong"}, "TW": {Name: "Asia/Taipei"},
	"JP": {Name: "Asia/Tokyo"}, "KR": {Name: "Asia/Seoul"}, "SG": {Name: "Asia/Singapore"},
	"MY": {Name: "Asia/Kuala_Lumpur"}, "TH": {Name: "Asia/Bangkok"}, "VN": {Name: "Asia/Ho_Chi_Minh"},
	"PH": {Name: "Asia/Manila"}, "ZA": {Name: "Africa/Johannesburg"}, "EG": {Name: "Africa/Cairo"},
	"NG": {Name: "Africa/Lagos"}, "KE": {Name: "Africa/Nairobi"}, "MA": {Name: "Africa/Casablanca"},
	"AR": {Name: "America/Argentina/Buenos_Aires"}, "CO": {Name: "America/Bogota"},
	"PE": {Name: "America/Lima"}, "CR": {Name: "America/Costa_Rica"}, "PA": {Name: "America/Panama"},
	"DO": {Name: "America/Santo_Domingo"}, "JM": {Name: "America/Jamaica"},
	"GT": {Name: "America/Guatemala"}, "SV": {Name: "America/El_Salvador"},
	"HN": {Name: "America/Tegucigalpa"}, "NI": {Name: "America/Managua"},
	"VE": {Name: "America/Caracas"}, "UY": {Name: "America/Montevideo"},
	"PY": {Name: "America/Asuncion"}, "BO": {Name: "America/La_Paz"},
}

// countryNames maps English country names, as some carriers send them
// (USPS Web Tools "FRANCE"), to ISO codes.
var countryNames = map[string]string{
	"UNITED STATES": "US", "UNITED STATES OF AMERICA": "US", "USA": "US", "CANADA": "CA", "MEXICO": "MX",
	"BRAZIL": "BR", "RUSSIA": "RU", "RUSSIAN FEDERATION": "RU", "AUSTRALIA": "AU", "INDONESIA": "ID",
	"KAZAKHSTAN": "KZ", "CHILE": "CL", "SPAIN": "ES", "PORTUGAL": "PT", "MONGOLIA": "MN", "ECUADOR": "EC",
	"NEW ZEALAND": "NZ", "FRANCE": "FR", "UNITED KINGDOM": "GB", "GREAT BRITAIN": "GB", "IRELAND": "IE",
	"GERMANY": "DE", "NETHERLANDS": "NL", "THE NETHERLANDS": "NL", "BELGIUM": "BE", "LUXEMBOURG": "LU",
	"SWITZERLAND": "CH", "AUSTRIA": "AT", "ITALY": "IT", "POLAND": "PL", "CZECH REPUBLIC": "CZ",
	"CZECHIA": "CZ", "SLOVAKIA": "SK", "HUNGARY": "HU", "SWEDEN": "SE", "NORWAY": "NO", "DENMARK": "DK",
	"FINLAND": "FI", "ESTONIA": "EE", "LATVIA": "LV", "LITHUANIA": "LT", "GREECE": "GR", "TURKEY": "TR",
	"TURKIYE": "TR", "ROMANIA": "RO", "BULGARIA": "BG", "CROATIA": "HR", "SLOVENIA": "SI", "SERBIA": "RS",
	"UKRAINE": "UA", "ICELAND": "IS", "MALTA": "MT", "CYPRUS": "CY", "ISRAEL": "IL",
	"UNITED ARAB EMIRATES": "AE", "SAUDI ARABIA": "SA", "QATAR": "QA", "INDIA": "IN", "PAKISTAN": "PK",
	"BANGLADESH": "BD", "SRI LANKA": "LK", "CHINA": "CN", "HONG KONG": "HK", "TAIWAN": "TW", "JAPAN": "JP",
	"SOUTH KOREA": "KR", "KOREA, REPUBLIC OF": "KR", "SINGAPORE": "SG", "MALAYSIA": "MY", "THAILAND": "TH",
	"VIETNAM": "VN", "VIET NAM": "VN", "PHILIPPINES": "PH", "SOUTH AFRICA": "ZA", "EGYPT": "EG", "NIGERIA": "NG",
	"KENYA": "KE", "MOROCCO": "MA", "ARGENTINA": "AR", "COLOMBIA": "CO", "PERU": "PE", "COSTA RICA": "CR",
	"PANAMA": "PA", "DOMINICAN REPUBLIC": "DO", "JAMAICA": "JM", "GUATEMALA": "GT", "EL SALVADOR": "SV",
	"HONDURAS": "HN", "NICARAGUA": "NI", "VENEZUELA": "VE", "URUGUAY": "UY", "PARAGUAY": "PY", "BOLIVIA": "BO",
	"PUERTO RICO": "PR", "GUAM": "GU", "U.S. VIRGIN ISLANDS": "VI", "AMERICAN SAMOA": "AS",
	"NORTHERN MARIANA ISLANDS": "MP", "CONGO, DEMOCRATIC REPUBLIC OF THE": "CD",
}
