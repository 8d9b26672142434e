package trackno

import "golang.org/x/text/language"

// UPU S10: two service letters, eight digits, a check digit and the
// ISO 3166-1 alpha-2 code of the issuing post's country (RB123456785GB).
func shapeS10(s string) (string, bool) {
	return s, len(s) == 13 && isLetters(s[:2]) && isDigits(s[2:11]) && isLetters(s[11:])
}

func checkS10(s string) string {
	if !s10CheckDigit(s) {
		return wrongCheckDigit
	}
	if !isISOCountry(s[11:]) {
		return unknownCountry
	}
	return ""
}

// s10CheckDigit: the eight serial digits weigh 8,6,4,2,3,5,9,7; the check
// digit is 11 − sum mod 11, with 10 written 0 and 11 written 5.
func s10CheckDigit(s string) bool {
	weights := [8]int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(s[2+i]-'0') * weights[i]
	}
	check := 11 - sum%11
	switch check {
	case 10:
		check = 0
	case 11:
		check = 5
	}
	return check == int(s[10]-'0')
}

// isISOCountry reports whether code is an ISO 3166-1 alpha-2 code assigned
// to a country or territory today, as S10 requires. The list is the CLDR
// region data golang.org/x/text carries, kept current with each release;
// from it are left out the regions that are no ISO 3166-1 country: groups
// (EU, UN), user-assigned codes (XK, AA, QM–QZ, XA–XZ, ZZ), the
// exceptionally reserved codes without a numeric code (AC, CP, DG, EA, IC,
// TA), the old codes CLDR maps to their successor (UK for GB, BU for MM,
// ZR for CD, …) and those withdrawn without one successor.
func isISOCountry(code string) bool {
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() || r.IsPrivateUse() || r.M49() == 0 || r.Canonicalize() != r {
		return false
	}
	switch code {
	case "AN", "CS", "NT", "SU", "YU": // split among several successors
		return false
	}
	return true
}
