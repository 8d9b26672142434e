package schemas

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
)

// maxAddressField bounds each field of an address, in characters.
const maxAddressField = 200

// addressRules checks country codes (ISO 3166-1 alpha-2), subdivision
// codes (ISO 3166-2) and postal codes by country from the validator's
// maintained tables, built on first use.
var addressRules = sync.OnceValue(func() *validator.Validate { return validator.New() })

// NormalizeAddress trims the fields and upper-cases the country, the
// region and the postal code, as Check reads them.
func NormalizeAddress(a Address) Address {
	a.Name, a.Line1, a.Line2, a.City = strings.TrimSpace(a.Name), strings.TrimSpace(a.Line1), strings.TrimSpace(a.Line2), strings.TrimSpace(a.City)
	a.Region = strings.ToUpper(strings.TrimSpace(a.Region))
	a.PostalCode = strings.ToUpper(strings.TrimSpace(a.PostalCode))
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	return a
}

// CheckAddress refuses an address (normalized by NormalizeAddress) a
// carrier could not deliver to: a first line, a city and a known country
// are needed, the postal code must have the country's format (a country
// without a known format is refused), and a region, when given, must be
// one of the country's subdivisions. Every problem is in the error.
func CheckAddress(a Address) error {
	v := addressRules()
	var errs []error
	for _, f := range []struct{ name, value string }{{"name", a.Name}, {"line1", a.Line1}, {"line2", a.Line2}, {"city", a.City}, {"region", a.Region}, {"postal_code", a.PostalCode}, {"country", a.Country}} {
		switch {
		case !utf8.ValidString(f.value):
			errs = append(errs, fmt.Errorf("%s is not valid UTF-8", f.name))
		case utf8.RuneCountInString(f.value) > maxAddressField:
			errs = append(errs, fmt.Errorf("%s is over %d characters", f.name, maxAddressField))
		case strings.ContainsFunc(f.value, func(r rune) bool { return r < ' ' || r == 0x7f }):
			errs = append(errs, fmt.Errorf("%s has control characters", f.name))
		}
	}
	if strings.TrimSpace(a.Line1) == "" {
		errs = append(errs, errors.New("line1 is required"))
	}
	if strings.TrimSpace(a.City) == "" {
		errs = append(errs, errors.New("city is required"))
	}
	if v.Var(a.Country, "required,iso3166_1_alpha2") != nil {
		errs = append(errs, fmt.Errorf("country %q is not an ISO 3166-1 alpha-2 code", a.Country))
		return errors.Join(errs...)
	}
	if v.Var(a.PostalCode, "required,postcode_iso3166_alpha2="+a.Country) != nil {
		errs = append(errs, fmt.Errorf("postal code %q is not of the format of %s", a.PostalCode, a.Country))
	}
	if a.Region != "" && v.Var(a.Country+"-"+a.Region, "iso3166_2") != nil {
		errs = append(errs, fmt.Errorf("region %q is not a subdivision of %s", a.Region, a.Country))
	}
	return errors.Join(errs...)
}
