package batch

import (
	"strings"

	"guichet/geo/geocode"
)

// batchSampleRows is how many rows are read ahead to tell numeric-only
// columns apart, when no header names a part of an address.
const batchSampleRows = 50

// addressHeaderWords are the words of a header that names a part of an
// address, as users name them: "adresse", "n° voie", "code_postal",
// "Ville", "commune", "address", "zip"…
var addressHeaderWords = map[string]bool{
	"adresse": true, "adresses": true, "addresse": true, "adr": true, "adress": true,
	"address": true, "addr": true, "rue": true, "voie": true, "street": true,
	"numero": true, "num": true, "housenumber": true, "complement": true,
	"cp": true, "postal": true, "codepostal": true, "postcode": true, "zip": true, "zipcode": true,
	"ville": true, "commune": true, "city": true, "town": true, "localite": true,
	"lieu": true, "lieudit": true, "municipality": true,
}

// idHeaderWords mark a column that is not part of the address even when
// another of its words is: "id_adresse", "reference", "num_plainte",
// "code_commune" (an INSEE code, which the citycode option takes).
var idHeaderWords = map[string]bool{
	"id": true, "ids": true, "identifiant": true, "ident": true, "uuid": true,
	"ref": true, "reference": true, "siret": true, "siren": true, "insee": true,
	"citycode": true, "plainte": true, "dossier": true, "tel": true, "telephone": true,
	"phone": true, "mail": true, "email": true, "courriel": true, "date": true,
	"lat": true, "lon": true, "lng": true, "latitude": true, "longitude": true,
}

// headerWords folds a header into its words, with "code" and the next
// word also glued ("code postal" → "codepostal").
func headerWords(h string) []string {
	words := strings.Fields(geocode.Normalize(h))
	for i := 0; i+1 < len(words); i++ {
		if words[i] == "code" {
			words = append(words, "code"+words[i+1])
		}
	}
	return words
}

// isIDHeader reports whether a header names an identifier, a reference
// or a code rather than a part of an address.
func isIDHeader(h string) bool {
	words := headerWords(h)
	for i, w := range words {
		if idHeaderWords[w] || w == "code" && i+1 < len(words) && (words[i+1] == "commune" || words[i+1] == "insee") {
			return true
		}
	}
	return false
}

// isAddressHeader reports whether a header names a part of an address.
func isAddressHeader(h string) bool {
	if isIDHeader(h) {
		return false
	}
	for _, w := range headerWords(h) {
		if addressHeaderWords[w] {
			return true
		}
	}
	return false
}

// defaultQueryColumns chooses the columns joined into the query when the
// user names none: those whose header names a part of an address, in
// header order; failing any, every column that is neither named like an
// identifier nor numeric-only in the sample rows.
func defaultQueryColumns(header []string, sample [][]string) []int {
	var cols []int
	for i, h := range header {
		if isAddressHeader(h) {
			cols = append(cols, i)
		}
	}
	if len(cols) > 0 {
		return cols
	}
	for i, h := range header {
		if !isIDHeader(h) && !numericOnly(sample, i) {
			cols = append(cols, i)
		}
	}
	return cols
}

// numericOnly reports whether every non-empty value of column i in the
// sample is made of digits and punctuation only, as identifiers are.
func numericOnly(sample [][]string, i int) bool {
	seen := false
	for _, rec := range sample {
		if i >= len(rec) || strings.TrimSpace(rec[i]) == "" {
			continue
		}
		seen = true
		if strings.IndexFunc(rec[i], func(r rune) bool { return r > 0x7f || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) >= 0 {
			return false
		}
	}
	return seen
}
