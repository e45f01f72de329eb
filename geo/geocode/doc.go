// Package geocode is an in-memory geocoder for French addresses.
//
// An Index is built once from BAN rows (Address) and communes
// (Municipality) with a Builder, and is then read-only: it is safe for
// concurrent use by multiple goroutines. Queries are normalised with
// Normalize (case, accents, street-type abbreviations, saint/sainte,
// ordinals, house-number suffixes, postal noise such as CEDEX or BP),
// matched token by token with typo tolerance, and ranked by a relative
// score in [0, 1]. Reverse finds the nearest addresses to a point.
package geocode

import (
	"context"
	"errors"

	"github.com/paulmach/orb"
)

var (
	// ErrNoMatch is returned by Geocode when nothing matches the query.
	ErrNoMatch = errors.New("geocode: no match")
	// ErrBadQuery is returned by Geocode for an invalid query: empty
	// text, a limit outside [0, MaxLimit], an unknown type or a bias
	// outside the valid lon/lat range.
	ErrBadQuery = errors.New("geocode: bad query")
	// ErrBadAddress is returned by Builder.AddAddress for a row that
	// cannot be indexed.
	ErrBadAddress = errors.New("geocode: bad address")
)

// Limits on Query.Limit.
const (
	DefaultLimit = 5
	MaxLimit     = 50
)

// Geocoder turns free-text French addresses into located matches.
type Geocoder interface {
	Geocode(ctx context.Context, q Query) ([]Match, error)
}

var _ Geocoder = (*Index)(nil)

// Type is the kind of place a Match designates.
type Type uint8

// The zero Type means "any" in a Query. The names carry a Type prefix
// because Municipality is also the commune record type.
const (
	TypeHousenumber Type = iota + 1
	TypeStreet
	TypeMunicipality
)

// String returns the BAN name of the type.
func (t Type) String() string {
	switch t {
	case TypeHousenumber:
		return "housenumber"
	case TypeStreet:
		return "street"
	case TypeMunicipality:
		return "municipality"
	}
	return ""
}

// ParseType returns the Type named s ("housenumber", "street",
// "municipality"); the empty string is the zero Type (any).
func ParseType(s string) (Type, error) {
	for t := Type(0); t <= TypeMunicipality; t++ {
		if t.String() == s {
			return t, nil
		}
	}
	return 0, ErrBadQuery
}

// Query is a geocoding request.
type Query struct {
	Text string
	// Limit is the maximum number of matches: 0 means DefaultLimit.
	Limit int
	// Postcode and Citycode (INSEE code), when set, restrict matches.
	Postcode, Citycode string
	// Type, when not zero, restricts matches to one kind.
	Type Type
	// Bias, when set, ranks matches closer to it higher and fills
	// Match.DistanceM.
	Bias *orb.Point
	// Autocomplete also matches the last word of Text as a prefix.
	Autocomplete bool
}

// Match is one geocoding result.
type Match struct {
	ID    string
	Type  Type
	Label string
	// Score ranks matches of one query against each other; it lies in
	// [0, 1] but is not a probability and is not comparable across
	// queries.
	Score float64

	HouseNumber, Street, Postcode, City, Citycode string
	// ParentCitycode is the code of the city of an arrondissement of
	// Paris, Lyon or Marseille (75056 for 75109); empty elsewhere.
	ParentCitycode string
	// Ambiguous reports, on the first match only, that the best place
	// of another commune is about as plausible: the query does not
	// settle the commune. Scores are then lowered.
	Ambiguous bool
	Point     orb.Point
	// DistanceM is the distance in metres to the reverse point or to
	// Query.Bias; zero otherwise.
	DistanceM float64
}

// Address is one BAN row.
type Address struct {
	ID string
	// Number is the house number; a suffix written into it ("12bis")
	// is split into Rep when Rep is empty.
	Number   string
	Rep      string
	Street   string
	Postcode string
	Citycode string
	City     string
	Point    orb.Point
}

// Municipality is a commune (or a municipal arrondissement).
type Municipality struct {
	Code, Name string
	Postcodes  []string
	Center     orb.Point
	Population int
	// Parent is the code of the commune this one is part of: the city
	// of a municipal arrondissement, the current commune of a former
	// one. Places of a commune and of its parent are one commune when
	// telling whether an answer is ambiguous.
	Parent string
	// District marks a municipal arrondissement: the postcode of only
	// one of its city's arrondissements designates it.
	District bool
}
