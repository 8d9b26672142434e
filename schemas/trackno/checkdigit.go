package trackno

// checkUPS checks a 1Z number: the UPS mod-10 digit over the characters
// after "1Z".
func checkUPS(s string) bool { return upsStyle(s[2:]) }

// upsStyle checks the UPS/OnTrac mod-10 digit: letters count as
// (code-63) mod 10 (A=2, B=3, …), characters at odd 1-based positions
// weigh 1 and at even positions 2; the last character is the check digit.
func upsStyle(s string) bool {
	sum := 0
	for i := 0; i < len(s)-1; i++ {
		c := s[i]
		var v int
		if c >= '0' && c <= '9' {
			v = int(c - '0')
		} else {
			v = (int(c) - 63) % 10
		}
		if i%2 == 1 {
			v *= 2
		}
		sum += v
	}
	return (10-sum%10)%10 == int(s[len(s)-1]-'0')
}

// gs1 checks a GS1 (UCC/EAN) mod-10 check digit: from the right, the
// digits before the check digit weigh 3, 1, 3, …
func gs1(s string) bool {
	if !isDigits(s) || len(s) < 2 {
		return false
	}
	sum := 0
	w := 3
	for i := len(s) - 2; i >= 0; i-- {
		sum += int(s[i]-'0') * w
		w = 4 - w
	}
	return (10-sum%10)%10 == int(s[len(s)-1]-'0')
}

// FedEx Express 12-digit: weights 3,1,7 repeating from the left over the
// first eleven digits, sum mod 11 mod 10.
func checkFedExExpress(s string) bool {
	weights := [3]int{3, 1, 7}
	sum := 0
	for i := 0; i < 11; i++ {
		sum += int(s[i]-'0') * weights[i%3]
	}
	return sum%11%10 == int(s[11]-'0')
}

// fedexMod11 checks the check digit of FedEx's 34-digit barcodes over the
// tracking number they end with: from the right, the digits before the
// check digit weigh 1, 3, 7, 1, 3, 7, …; the sum mod 11 mod 10 is the
// check digit. On twelve digits it is checkFedExExpress, read from the
// right.
func fedexMod11(s string) bool {
	weights := [3]int{1, 3, 7}
	sum := 0
	for i, j := len(s)-2, 0; i >= 0; i, j = i-1, j+1 {
		sum += int(s[i]-'0') * weights[j%3]
	}
	return sum%11%10 == int(s[len(s)-1]-'0')
}

// The older 20-digit USPS numbers are a GS1 mod-10 either as they stand
// or with the "91" application identifier they were printed without.
func checkUSPS20(s string) bool { return gs1(s) || gs1("91"+s) }

// DHL Express waybills: the number without its last digit, mod 7, is the
// last digit.
func checkMod7(s string) bool {
	v := 0
	for i := 0; i < len(s)-1; i++ {
		v = (v*10 + int(s[i]-'0')) % 7
	}
	return v == int(s[len(s)-1]-'0')
}
