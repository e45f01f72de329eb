package data

import "regexp"

// communeCode is an INSEE commune code: two digits, 2A or 2B, then three
// digits; overseas codes are 97 followed by three digits.
var communeCode = regexp.MustCompile(`^(\d{2}|2[AB])\d{3}$`)

// IsCommuneCode reports whether s is written as an INSEE commune code. It
// is the one rule for every reader of commune codes: the source loaders,
// the batch geocoder's citycode column and the queries.
func IsCommuneCode(s string) bool { return communeCode.MatchString(s) }

// IsPostcode reports whether s is written as a French postcode: five digits.
func IsPostcode(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
