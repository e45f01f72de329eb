package load

import (
	"io"
	"strings"

	"guichet/data"
)

// FormatLaPosteCSV is La Poste's "base officielle des codes postaux"
// (datanova), as named in load reports.
const FormatLaPosteCSV = "laposte-postcodes-csv"

// isLaPosteCSV recognises La Poste's postcode base: code_commune_insee,
// nom_de_la_commune, code_postal, libelle_d_acheminement and, in its
// recent exports, ligne_5.
func isLaPosteCSV(h head) bool {
	return h.hasFields("code_commune_insee", "code_postal", "libelle_d_acheminement")
}

// isLaPosteJSON recognises the codes-postaux package's JSON array
// (codePostal, codeCommune, nomCommune, libelleAcheminement).
func isLaPosteJSON(h head) bool {
	return h.jsonStart() == '[' && strings.Contains(h.text, `"codePostal"`) && strings.Contains(h.text, `"codeCommune"`) && strings.Contains(h.text, `"libelleAcheminement"`)
}

// skipLaPosteJSON declines the codes-postaux JSON: it is built from the
// same La Poste base as the CSV but drops the lignes 5, and it is one
// line, so a bad record could not be reported by line. Loading both would
// count every routing name twice.
func skipLaPosteJSON(*builder, *data.FileReport, io.Reader, head) error {
	return &skipFile{"La Poste postcodes (codes-postaux JSON): the La Poste CSV holds the same routing names and the lignes 5"}
}

func loadLaPosteCSV(text string, sep rune, fr *data.FileReport, b *builder) error {
	return eachCSVRow(text, sep, fr, func(r row) {
		code := r.get("code_commune_insee")
		if !data.IsCommuneCode(code) {
			fr.Reject(r.line, data.ReasonBadField, "code_commune_insee %s is not an INSEE commune code", quote(code))
			return
		}
		pc := r.get("code_postal")
		if len(pc) != 5 || !digitsOnly.MatchString(pc) {
			fr.Reject(r.line, data.ReasonBadField, "%s: code_postal %s is not a postcode", code, quote(pc))
			return
		}
		routing := r.get("libelle_d_acheminement")
		if data.FoldName(routing) == "" {
			fr.Reject(r.line, data.ReasonBadField, "%s: no libelle_d_acheminement", code)
			return
		}
		b.postal = append(b.postal, data.PostalName{
			Code: code, Postcode: pc, Routing: routing, Line5: r.get("ligne_5"),
			File: fr.File, Line: r.line,
		})
		fr.Kept++
	})
}
