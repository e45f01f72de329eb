// Package geocode is an in-memory geocoder for French addresses.
//
// An Index is built once from BAN rows (Address) and communes
// (Municipality) with a Builder, and is then read-only: it is safe for
// concurrent use by multiple goroutines. Queries are normalised with
// Normalize (case, accents, street-type abbreviations, saint/sainte,
// ordinals, house-number suffixes, postal noise such as CEDEX or BP),
// matched token by token with typo tolerance, and ranked by a relative
// score in [0, 1]. Reverse finds the nearest addresses to a point.
//
// # The structure of an address decides the commune
//
// French addresses name the next town in their streets ("Route de
// Saint-Palais 64520 Bidache", "Rue de Saint-Prix 70100 Gray"), so a
// commune whose name matches words of the street must not win over the
// commune the address gives. addok, the BAN's engine, indexes the
// postcode and the city as tokens like the street's words and boosts the
// results whose postcode token matches: the boost is a weight, so a
// commune matching many street words can still outrank the postcode's
// commune, and a street word explains a city as well as a city word
// does. Here the query is first parsed into parts, and each part is
// evidence of one thing:
//
//   - The commune slot is the text after the postcode ("<street> <cp>
//     <city>"), else the last comma- or semicolon-separated part (the
//     batch geocoder joins columns with commas, so the last column
//     holding a name is the commune), unless that part opens a street.
//     Every other word then describes the street or a place in the
//     commune.
//   - Without a slot, a way type followed by a name opens a street: the
//     way type (from the BAN abbreviation list, minus words that often
//     begin commune names such as val, mont or croix), its first proper
//     name and the stopwords between describe the street. The words
//     after it may still be the street's name or already the commune:
//     a commune explains them only as a run ending at the last word
//     ("Route de Vaison-la-Romaine Malaucène" is Malaucène, not Vaison).
//     An adjective French puts before the type ("Grande Rue", "Vieille
//     Route") is the street's whole name: the words after the type may
//     already be the commune ("26 Grande Rue Valdahon").
//   - A query with neither ("Saint-Étienne", "mairie Voiron") counts
//     every word for the commune, as before.
//
// A commune's query coverage counts the slot's words and the postcode
// fully, and the street's words only for streetEvidence (0.2): a commune
// matched only by words of the street gets little. The same holds the
// other way, for how much of the commune's own name the query covers: in
// "Rue de Minihy 22220 Tréguier" the street covers all of
// Minihy-Tréguier's name but for streetEvidence only, so Tréguier, fully
// covered by the city, wins even when the city is misspelt. A street's coverage
// counts its own name for the street words and the commune's name for
// the slot, each crossed match again only for streetEvidence. A commune
// found for a query that also describes a street scores streetUnfound
// (0.8) of its score, so that a street found there ranks first.
//
// Another name of a commune (Municipality.Alias: La Poste's routing
// names and lignes 5, often named like streets or hamlets) is evidence
// only from the commune part: street words give it nothing, it counts
// only if it explains the query's last word, and it ranks below an
// official commune explaining as much of the commune part and of its own
// name ("gare Saint-Charles, Marseile" is Marseille, not the ligne 5 ST
// CHARLES of Haucourt-Moulaine; "MOUTIERS TARENTAISE" is still Moûtiers).
//
// A word of the commune that matches the vocabulary exactly but no name
// of the postcode's communes is also looked up with typos in those
// names: a misspelt city often spells another commune ("73000
// CHAMBREY" is Chambéry, not Chambrey in Moselle; "17770 BUIRE" is
// Burie, not Buire in the Aisne). addok tries typos first on the words
// it does not know, and on known ones only when too few results remain,
// which a street word naming a commune of the postcode prevents: the
// street's commune then wins.
//
// A five-digit postcode of an indexed commune is a hard constraint, not
// a weight: a place whose commune does not have it scores half and ranks
// below every place whose commune has it, whatever their scores. The
// postcode's communes are always candidates, so the first match agrees
// with a valid postcode; only when the postcode is unknown does the text
// alone decide. A postcode of one arrondissement of Paris, Lyon or
// Marseille names that arrondissement (75009 is 75109, with
// Match.ParentCitycode 75056), and a commune match carries the query's
// postcode when it is one of the commune's.
//
// When the best places of two different communes (an arrondissement
// counting as its city, a former commune as the current one) rank within
// ambiguityGap (0.03) of each other, the query does not settle the
// commune: the first match is marked Ambiguous and every score is scaled
// by 0.7, so that neither a caller nor a batch reads it as a confident
// answer.
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
	// Alias marks another name of commune Parent, such as a La Poste
	// routing name or ligne 5: it is commune evidence only when the
	// commune part of the query names it, never from street words, and
	// ranks below a commune whose own name that part gives.
	Alias bool
}
