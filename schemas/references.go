package schemas

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxReferenceLen is the longest order or customer reference, in bytes.
const MaxReferenceLen = 128

// CheckReference checks an order or customer reference (ScanEvent.OrderRef,
// CustomerRef): at most MaxReferenceLen bytes of UTF-8, no control
// character, no space at either end. The empty reference is none.
func CheckReference(ref string) error {
	if len(ref) > MaxReferenceLen {
		return fmt.Errorf("longer than %d bytes", MaxReferenceLen)
	}
	if !utf8.ValidString(ref) {
		return errors.New("not UTF-8")
	}
	if strings.TrimSpace(ref) != ref {
		return errors.New("begins or ends with a space")
	}
	for _, r := range ref {
		if unicode.IsControl(r) {
			return fmt.Errorf("holds a control character (%U)", r)
		}
	}
	return nil
}
