package trackno

import (
	"fmt"
	"testing"

	"github.com/parcelcast/parcelcast/schemas"
)

// Numbers published by the carriers or in their label specifications as
// examples, each with its family.
var valid = []struct{ number, carrier, family string }{
	{"1Z879E930346834440", "ups", "UPS 1Z"},
	{"1z 999 aa1 01 2345 6784", "ups", "UPS 1Z"},
	{"986578788855", "fedex", "FedEx Express"},
	{"799531274483", "fedex", "FedEx Express"},
	{"041441760228964", "fedex", "FedEx Ground"},
	{"568283610012000", "fedex", "FedEx Ground"},
	{"9611020987654312345672", "fedex", "FedEx Ground 96"},
	{"1001921334250001000300779017972697", "fedex", "FedEx Express 34"},
	{"1001921380360001000300639585804382", "fedex", "FedEx Express 34"},
	{"1002297871540001000300790695517286", "fedex", "FedEx Express 34"},
	{" 1 0 0 1 9 0 1 7 8 1 9 9 0 0 0 1 0 0 0 3 0 0 6 1 7 7 6 7 8 3 9 4 3 7 ", "fedex", "FedEx Express 34"},
	{"9622001900000000000000776632517510", "fedex", "FedEx Ground GSN"},
	{"9622001560001234567100794808390594", "fedex", "FedEx Ground GSN"},
	{"9632001560123456789900794808390594", "fedex", "FedEx Ground GSN"},
	{" 9 6 2 2 0 0 1 5 6 0 0 0 1 2 3 4 5 6 7 1 0 0 7 9 4 8 0 8 3 9 0 5 9 4 ", "fedex", "FedEx Ground GSN"},
	{"00 0123 4500 0000 0027", "fedex", "FedEx Ground SSCC-18"},
	{" 0 0   0 1 2 3   4 5 0 0   0 0 0 0   0 0 2 7 ", "fedex", "FedEx Ground SSCC-18"},
	{"00 000123450000000027", "fedex", "FedEx Ground SSCC-18"}, // the same after its AI 00
	{"9261292700768711948021", "usps", "USPS IMpb"},
	{"9400111201080805483016", "usps", "USPS IMpb"},
	{"9361289878700317633795", "usps", "USPS IMpb"},
	{"9505511069605048600624", "usps", "USPS IMpb"},
	{"42022153 9101026837331000039521", "usps", "USPS IMpb"},
	{"92748931507708513018050063", "usps", "USPS IMpb"},
	{"03071790000523483741", "usps", "USPS 20"},
	{"RB123456785GB", "s10", "UPU S10"},
	{"EE123456785US", "s10", "UPU S10"},
	{"RB123456785CV", "s10", "UPU S10"},
	{" R B 1 2 3 4 5 6 7 8 5 C F ", "s10", "UPU S10"},
	{"3318810025", "dhl", "DHL Express"},
	{"8487135506", "dhl", "DHL Express"},
	{"73891051146", "dhl", "DHL Express"},
	{"C10999911320231", "ontrac", "OnTrac"},
	{"TBA012345678910", "amazon", "Amazon TBA"},
}

func TestDetectValid(t *testing.T) {
	for _, tc := range valid {
		t.Run(tc.number, func(t *testing.T) {
			best, ok := Best(tc.number)
			if !ok {
				t.Fatalf("no valid match; candidates %+v", Detect(tc.number))
			}
			if best.Carrier != tc.carrier || best.Family != tc.family {
				t.Errorf("best match %s/%s, want %s/%s (all: %+v)", best.Carrier, best.Family, tc.carrier, tc.family, Detect(tc.number))
			}
			if err := Check(tc.carrier, tc.number); err != nil {
				t.Errorf("Check(%q): %v", tc.carrier, err)
			}
			if err := Check("", tc.number); err != nil {
				t.Errorf("Check without carrier: %v", err)
			}
		})
	}
}

// checkDigitAt is where the check digit of a normalized number of the
// family is.
func checkDigitAt(carrier, n string) int {
	if carrier == "s10" {
		return 10
	}
	return len(n) - 1
}

// Changing the check digit of every valid example must leave a number of
// the family's shape that is invalid in it, unless the family has no check
// digit.
func TestDetectWrongCheckDigit(t *testing.T) {
	for _, tc := range valid {
		best, _ := Best(tc.number)
		if !best.CheckDigit {
			continue
		}
		b := []byte(schemas.NormalizeTrackingNumber(tc.number))
		last := checkDigitAt(best.Carrier, string(b))
		b[last] = '0' + (b[last]-'0'+1)%10
		found := false
		for _, m := range Detect(string(b)) {
			if m.Family != tc.family {
				continue
			}
			found = true
			if m.Valid || m.Problem != wrongCheckDigit {
				t.Errorf("%s with check digit changed (%s): %+v, want invalid for its check digit", tc.number, b, m)
			}
		}
		if !found {
			t.Errorf("%s with check digit changed (%s) is no longer of the %s shape", tc.number, b, tc.family)
		}
	}
}

// The carriers' published invalid examples, each with the family whose
// shape it has and what is wrong with it.
func TestDetectInvalid(t *testing.T) {
	tests := []struct{ number, family, problem string }{
		{"1001901781990001000300617767839438", "FedEx Express 34", wrongCheckDigit},
		{"9622001560001234567100794808390595", "FedEx Ground GSN", wrongCheckDigit},
		{"9622001560001234567100794808390597", "FedEx Ground GSN", wrongCheckDigit},
		{"9600000000000000000001", "FedEx Ground 96", wrongCheckDigit},
		{"000000000000000001", "FedEx Ground SSCC-18", wrongCheckDigit},
		{"00000000000000000001", "FedEx Ground SSCC-18", wrongCheckDigit},
		{"996578788855", "FedEx Express", wrongCheckDigit},
		{"3318810010", "DHL Express", wrongCheckDigit},
		{"3318810034", "DHL Express", wrongCheckDigit},
		{"73891051147", "DHL Express", wrongCheckDigit},
		{"RB123456786US", "UPU S10", wrongCheckDigit},
		{"RB123456785XX", "UPU S10", unknownCountry},
	}
	for _, tc := range tests {
		found := false
		for _, m := range Detect(tc.number) {
			if m.Family != tc.family {
				continue
			}
			found = true
			if m.Valid || m.Problem != tc.problem {
				t.Errorf("%s as %s: valid %v, problem %q; want invalid, %q", tc.number, tc.family, m.Valid, m.Problem, tc.problem)
			}
		}
		if !found {
			t.Errorf("%s: no %s match in %+v", tc.number, tc.family, Detect(tc.number))
		}
	}
}

// A FedEx 34-digit barcode ends with the tracking number FedEx tracks it
// by, a valid FedEx Express number of its own; the Express barcode also
// carries the destination ZIP.
func TestFedEx34Number(t *testing.T) {
	tests := []struct{ barcode, number, zip string }{
		{"1001921334250001000300779017972697", "779017972697", "10003"},
		{"1002297871540001000300790695517286", "790695517286", "10003"},
		{"9622001900000000000000776632517510", "776632517510", ""},
		{"9632001560123456789900794808390594", "794808390594", ""},
	}
	for _, tc := range tests {
		best, ok := Best(tc.barcode)
		if !ok || best.Number != tc.number || best.DestinationZIP != tc.zip {
			t.Errorf("Best(%s) = %+v, %v; want number %s, ZIP %q", tc.barcode, best, ok, tc.number, tc.zip)
		}
		if inner, ok := Best(tc.number); !ok || inner.Family != "FedEx Express" {
			t.Errorf("the tracking number %s inside %s is not a valid FedEx Express number: %+v", tc.number, tc.barcode, Detect(tc.number))
		}
	}
	if m := Detect("420221539101026837331000039521"); m[0].DestinationZIP != "22153" {
		t.Errorf("IMpb routing ZIP = %q, want 22153", m[0].DestinationZIP)
	}
}

func TestDetectCandidates(t *testing.T) {
	tests := []struct {
		in   string
		want []string // families in order
	}{
		{"", nil},
		{"HELLO", nil},
		{"12345", nil},
		// 20 digits: USPS legacy and FedEx SmartPost share the shape.
		{"03071790000523483741", []string{"USPS 20", "FedEx SmartPost 20"}},
		// A 22-digit 92… is both an IMpb and a FedEx SmartPost barcode.
		{"9261292700768711948021", []string{"USPS IMpb", "FedEx SmartPost"}},
		{"RB123456785GB", []string{"UPU S10"}},
		// 34 digits: FedEx's barcodes start 100 (Express) or 96 (Ground
		// GSN), USPS IMpb's 420 (ZIP+4 routing and a 22-digit barcode, or
		// ZIP5 and a 26-digit one); each is its own carrier's alone.
		{"1001921334250001000300779017972697", []string{"FedEx Express 34"}},
		{"9622001900000000000000776632517510", []string{"FedEx Ground GSN"}},
		{"4202215312349400111201080805483016", []string{"USPS IMpb"}},
		{"4202215392748931507708513018050063", []string{"USPS IMpb"}},
		// 22 digits starting 96 are the older FedEx Ground barcode, not a GSN.
		{"9611020987654312345672", []string{"FedEx Ground 96"}},
		// 18 digits are an SSCC-18 alone; after its AI 00 (20 digits) it
		// is also of the USPS 20 shape, valid there too as both are GS1
		// mod 10, and of the FedEx SmartPost 20 one.
		{"000123450000000027", []string{"FedEx Ground SSCC-18"}},
		{"00000123450000000027", []string{"FedEx Ground SSCC-18", "USPS 20", "FedEx SmartPost 20"}},
		// 11 digits are a DHL Express waybill only; 10 and 12 as before.
		{"73891051146", []string{"DHL Express"}},
		{"3318810025", []string{"DHL Express"}},
		{"986578788855", []string{"FedEx Express"}},
	}
	for _, tc := range tests {
		got := Detect(tc.in)
		var fams []string
		for _, m := range got {
			fams = append(fams, m.Family)
		}
		if len(fams) != len(tc.want) {
			t.Errorf("Detect(%q) = %v, want %v", tc.in, fams, tc.want)
			continue
		}
		for i := range fams {
			if fams[i] != tc.want[i] {
				t.Errorf("Detect(%q) = %v, want %v", tc.in, fams, tc.want)
				break
			}
		}
	}
	if m := Detect("RB123456785GB"); m[0].Country != "GB" {
		t.Errorf("S10 country = %q, want GB", m[0].Country)
	}
	if m := Detect("420221539101026837331000039521"); m[0].Number != "9101026837331000039521" {
		t.Errorf("IMpb number without routing prefix = %q", m[0].Number)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		carrier, number string
		ok              bool
	}{
		{"lasership", "LX12345678", true},    // no rules for the carrier: shape only
		{"lasership", "LX-1", false},         // too short for any carrier
		{"ups", "1Z879E930346834441", false}, // wrong check digit
		{"", "1Z879E930346834441", false},    // distinctive family, wrong digit
		{"ups", "ABCDEFGH1234", true},        // fits no UPS family: accepted
		{"fedex", "986578788856", false},     // FedEx Express, wrong digit
		{"", "986578788856", true},           // 12 digits could be anyone's
		{"", "RB123456784GB", false},         // S10 with a wrong check digit
		{"", "RB123456785XX", false},         // S10 from no country
		{"s10", "RB123456785XX", false},      // with its carrier too
		{"", "hello world!", false},          // not a tracking number
	}
	for _, tc := range tests {
		err := Check(tc.carrier, tc.number)
		if (err == nil) != tc.ok {
			t.Errorf("Check(%q, %q) = %v, want ok=%v", tc.carrier, tc.number, err, tc.ok)
		}
	}
}

// An S10 number's last two letters are the ISO 3166-1 alpha-2 code of the
// issuing post's country: a code assigned today, not any two letters.
func TestS10Country(t *testing.T) {
	tests := []struct {
		code string
		ok   bool
		why  string
	}{
		{"GB", true, ""},
		{"US", true, ""},
		{"CN", true, ""},
		{"CV", true, ""},
		{"CF", true, ""},
		{"HK", true, "a territory with its own post"},
		{"JE", true, "a Crown dependency"},
		{"CW", true, "assigned 2010, after the Netherlands Antilles"},
		{"SS", true, "assigned 2011"},
		{"XX", false, "user-assigned"},
		{"ZZ", false, "user-assigned"},
		{"XK", false, "user-assigned, though CLDR names it Kosovo"},
		{"AA", false, "user-assigned"},
		{"QO", false, "user-assigned, a CLDR group"},
		{"UK", false, "exceptionally reserved; Royal Mail writes GB"},
		{"EU", false, "exceptionally reserved, a group"},
		{"UN", false, "exceptionally reserved, a group"},
		{"AC", false, "exceptionally reserved"},
		{"IC", false, "exceptionally reserved"},
		{"AN", false, "withdrawn 2010"},
		{"YU", false, "withdrawn 2003"},
		{"SU", false, "withdrawn 1992"},
		{"CS", false, "withdrawn 2006"},
		{"ZR", false, "withdrawn 1997, now CD"},
		{"TP", false, "withdrawn 2002, now TL"},
		{"OO", false, "never assigned"},
	}
	for _, tc := range tests {
		n := "RB123456785" + tc.code
		m := Detect(n)
		if len(m) != 1 || m[0].Family != "UPU S10" {
			t.Fatalf("Detect(%s) = %+v, want one UPU S10 match", n, m)
		}
		if m[0].Valid != tc.ok {
			t.Errorf("%s: valid = %v, want %v (%s)", n, m[0].Valid, tc.ok, tc.why)
		}
		if !tc.ok && m[0].Problem != unknownCountry {
			t.Errorf("%s: problem %q, want %q", n, m[0].Problem, unknownCountry)
		}
		if err := Check("", n); (err == nil) != tc.ok {
			t.Errorf("Check(%s) = %v, want ok=%v", n, err, tc.ok)
		}
	}
	// The check digit is tested first: a number wrong in both says so.
	if m := Detect("RB123456784XX"); m[0].Problem != wrongCheckDigit {
		t.Errorf("RB123456784XX: problem %q, want %q", m[0].Problem, wrongCheckDigit)
	}
}

// Of the 676 two-letter codes, isISOCountry accepts the 249 ISO 3166-1
// assigns today. A golang.org/x/text upgrade that changes the count needs a
// look: a new ISO assignment is right, a CLDR-only region is not.
func TestISOCountryCount(t *testing.T) {
	n := 0
	for a := byte('A'); a <= 'Z'; a++ {
		for b := byte('A'); b <= 'Z'; b++ {
			if isISOCountry(string([]byte{a, b})) {
				n++
			}
		}
	}
	if n != 249 {
		t.Errorf("isISOCountry accepts %d codes, want the 249 of ISO 3166-1", n)
	}
}

func TestComplete(t *testing.T) {
	for _, tc := range valid {
		best, _ := Best(tc.number)
		if !best.CheckDigit {
			continue
		}
		n := schemas.NormalizeTrackingNumber(tc.number)
		b := []byte(n)
		b[checkDigitAt(best.Carrier, n)] = '0'
		got, ok := Complete(tc.family, string(b))
		if !ok || got != n {
			t.Errorf("Complete(%s, %s) = %q, %v; want %s", tc.family, b, got, ok, n)
		}
	}
	if _, ok := Complete("UPS 1Z", "ABC"); ok {
		t.Error("Complete accepted a number that fits no family")
	}
}

// Check runs once per ingested payload: on a valid, normalized number of
// any family, its carrier's check allocates nothing.
func TestCheckAllocatesNothing(t *testing.T) {
	for _, tc := range valid {
		n := schemas.NormalizeTrackingNumber(tc.number)
		if a := testing.AllocsPerRun(100, func() { _ = Check(tc.carrier, n) }); a != 0 {
			t.Errorf("Check(%q, %q) allocates %v times", tc.carrier, n, a)
		}
	}
}

func FuzzDetect(f *testing.F) {
	for _, tc := range valid {
		f.Add(tc.number)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range Detect(s) {
			if m.Number == "" || m.Carrier == "" {
				t.Fatalf("empty match %+v for %q", m, s)
			}
		}
		checkAgreesWithDetect(t, s)
	})
}

// checkByDetect is Check for a carrier read off Detect's ranked
// candidates: the definition checkCarrier must agree with.
func checkByDetect(carrier, s string) error {
	n := schemas.NormalizeTrackingNumber(s)
	if err := schemas.CheckTrackingNumber(n); err != nil {
		return err
	}
	for _, m := range Detect(n) {
		if m.Carrier != carrier {
			continue
		}
		if m.Valid {
			return nil
		}
		return badNumber(m.Family, m.Problem)
	}
	return nil
}

func checkAgreesWithDetect(t *testing.T, s string) {
	t.Helper()
	for _, carrier := range []string{"ups", "fedex", "usps", "dhl", "ontrac", "amazon", "s10", "lasership"} {
		got, want := fmt.Sprint(Check(carrier, s)), fmt.Sprint(checkByDetect(carrier, s))
		if got != want {
			t.Errorf("Check(%q, %q) = %s, Detect's ranking gives %s", carrier, s, got, want)
		}
	}
}

// Check for a carrier agrees with Detect's ranking on every known number,
// and on each with its last character changed (most then fail their check
// digit, in families of several carriers).
func TestCheckAgreesWithDetect(t *testing.T) {
	for _, tc := range valid {
		checkAgreesWithDetect(t, tc.number)
		last := tc.number[len(tc.number)-1]
		for _, c := range "0123456789X" {
			if byte(c) != last {
				checkAgreesWithDetect(t, tc.number[:len(tc.number)-1]+string(c))
			}
		}
	}
}
