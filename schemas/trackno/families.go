package trackno

import "strings"

// families is every number format parcelcast knows, with its confidence.
var families = []family{
	{"ups", "UPS 1Z", 100, true, shapeUPS, digit(checkUPS)},
	{"amazon", "Amazon TBA", 100, false, shapeTBA, nil},
	{"s10", "UPU S10", 90, true, shapeS10, checkS10},
	{"ontrac", "OnTrac", 90, true, shapeOnTrac, digit(upsStyle)},
	{"fedex", "FedEx Express 34", 80, true, shapeFedEx34("100"), digit(fedexMod11)},
	{"fedex", "FedEx Ground GSN", 80, true, shapeFedEx34("96"), digit(fedexMod11)},
	{"fedex", "FedEx Ground 96", 80, true, shapeDigits(22, "96"), digit(func(n string) bool { return gs1(n[7:]) })},
	{"usps", "USPS IMpb", 70, true, shapeIMpb, digit(gs1)},
	{"fedex", "FedEx SmartPost", 50, true, shapeDigits(22, "92"), digit(gs1)},
	{"fedex", "FedEx Ground", 60, true, shapeDigits(15, ""), digit(gs1)},
	{"fedex", "FedEx Express", 50, true, shapeDigits(12, ""), digit(checkFedExExpress)},
	{"fedex", "FedEx Ground SSCC-18", 50, true, shapeSSCC, digit(gs1)},
	{"usps", "USPS 20", 45, true, shapeDigits(20, ""), digit(checkUSPS20)},
	{"fedex", "FedEx SmartPost 20", 40, true, shapeDigits(20, ""), digit(func(n string) bool { return gs1("92" + n) })},
	{"dhl", "DHL Express", 40, true, shapeDHLExpress, digit(checkMod7)},
	{"dhl", "DHL eCommerce", 30, false, shapeDHLeCommerce, nil},
}

// digit makes a check-digit test a family's check.
func digit(ok func(number string) bool) func(string) string {
	return func(n string) string {
		if ok(n) {
			return ""
		}
		return wrongCheckDigit
	}
}

func shapeDigits(n int, prefix string) func(string) (string, bool) {
	return func(s string) (string, bool) {
		return s, len(s) == n && strings.HasPrefix(s, prefix) && isDigits(s)
	}
}

// UPS 1Z: "1Z", six-character shipper account, two-digit service, seven
// digit package number and a check digit: 18 characters.
func shapeUPS(s string) (string, bool) {
	return s, len(s) == 18 && strings.HasPrefix(s, "1Z") && isAlnum(s) && isDigits(s[10:])
}

// OnTrac: C or D and fourteen digits, the last a check digit computed as
// for UPS over the whole string, letter included.
func shapeOnTrac(s string) (string, bool) {
	return s, len(s) == 15 && (s[0] == 'C' || s[0] == 'D') && isDigits(s[1:])
}

// FedEx's 34-digit barcodes, the Express one (prefix "100") and the Ground
// GSN (prefix "96"): 20 digits of prefix and routing (the Express
// barcode's destination ZIP at 15–19, the GSN's shipment number at 9–18),
// then the 14-digit form of the tracking number with its check digit last.
// Number is that tracking number without the zeros it is padded with,
// twelve digits for the common ones.
func shapeFedEx34(prefix string) func(string) (string, bool) {
	return func(s string) (string, bool) {
		if len(s) != 34 || !strings.HasPrefix(s, prefix) || !isDigits(s) {
			return "", false
		}
		n := s[20:]
		for i := 0; i < 2 && n[0] == '0'; i++ {
			n = n[1:]
		}
		return n, true
	}
}

// destinationZIP is the destination ZIP code a number of the family
// carries, when it carries one: at 15–19 in a FedEx Express 34-digit
// barcode, in the "420" routing prefix of a USPS IMpb barcode.
func destinationZIP(f *family, n, num string) string {
	switch {
	case f.name == "FedEx Express 34":
		return n[15:20]
	case f.name == "USPS IMpb" && len(n) > len(num):
		return n[3 : len(n)-len(num)]
	}
	return ""
}

// SSCC-18, the GS1 serial shipping container code FedEx Ground tracks:
// 18 digits (extension digit, GS1 company prefix and serial reference,
// check digit), alone or after "00", its GS1 application identifier, as
// the barcode carries it. Number is the 18-digit code.
func shapeSSCC(s string) (string, bool) {
	if len(s) == 20 && strings.HasPrefix(s, "00") {
		s = s[2:]
	}
	return s, len(s) == 18 && isDigits(s)
}

// DHL Express air waybills: ten or eleven digits.
func shapeDHLExpress(s string) (string, bool) {
	return s, (len(s) == 10 || len(s) == 11) && isDigits(s)
}

// USPS IMpb: 22 digits (or 26 with an 11-digit package id) starting with
// the application identifier 91–95, optionally after a "420" + ZIP5 or
// "420" + ZIP+4 routing prefix. Number is the barcode without the prefix.
func shapeIMpb(s string) (string, bool) {
	if !isDigits(s) {
		return "", false
	}
	if strings.HasPrefix(s, "420") {
		for _, p := range []int{8, 12} {
			if rest := s[min(p, len(s)):]; len(s) > p && isIMpbBody(rest) {
				return rest, true
			}
		}
		return "", false
	}
	return s, isIMpbBody(s)
}

func isIMpbBody(s string) bool {
	return (len(s) == 22 || len(s) == 26) && s[0] == '9' && s[1] >= '1' && s[1] <= '5'
}

// DHL eCommerce: "GM" followed by 16 to 18 digits, no published check digit.
func shapeDHLeCommerce(s string) (string, bool) {
	return s, len(s) >= 18 && len(s) <= 20 && strings.HasPrefix(s, "GM") && isDigits(s[2:])
}

// Amazon Logistics: "TBA" followed by twelve digits, no check digit.
func shapeTBA(s string) (string, bool) {
	return s, len(s) == 15 && strings.HasPrefix(s, "TBA") && isDigits(s[3:])
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}
