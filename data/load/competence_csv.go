package load

import (
	"guichet/data"
	"io"
	"strings"
)

// isCompetenceCSV recognises the ministry's competence_securite_publique
// table: id_commune, id_service, competence (0 gendarmerie, 1 police),
// id_service_gn.
func isCompetenceCSV(h head) bool {
	return h.hasFields("id_commune", "id_service", "competence")
}

// isCompetenceANFSI recognises data.gouv.fr's "Compétence territoriale
// gendarmerie et police nationales": code_commune, libelle_commune,
// institution, id_service, service, code_postal, codes_postaux.
func isCompetenceANFSI(h head) bool {
	return h.hasFields("code_commune", "institution", "id_service")
}

// isCommuneUnitCSV recognises pwb_ref_insee_unite.csv (commune → GN unit).
func isCommuneUnitCSV(h head) bool {
	return h.hasFields("commune_code_insee", "unite_cu")
}

// skipCommuneUnitCSV declines the commune → gendarmerie unit table: the
// competence table names the same units (id_service_gn) and also says
// where the police, not the gendarmerie, has jurisdiction, which this
// table cannot.
func skipCommuneUnitCSV(*builder, *data.FileReport, io.Reader, head) error {
	return &skipFile{"commune → gendarmerie unit table: superseded by the competence table, which also gives police zones"}
}

func loadCompetenceCSV(text string, sep rune, fr *data.FileReport, b *builder) error {
	return eachCSVRow(text, sep, fr, func(r row) {
		code := r.get("id_commune")
		if !data.IsCommuneCode(code) {
			fr.Reject(r.line, data.ReasonBadField, "id_commune %s is not an INSEE commune code", quote(code))
			return
		}
		var force data.Force
		switch r.get("competence") {
		case "0":
			force = data.Gendarmerie
		case "1":
			force = data.Police
		default:
			fr.Reject(r.line, data.ReasonBadField, "%s: competence %s is not 0 (gendarmerie) or 1 (police)", code, quote(r.get("competence")))
			return
		}
		if gn := r.get("id_service_gn"); gn != "" && !digitsOnly.MatchString(gn) {
			fr.Reject(r.line, data.ReasonBadField, "%s: id_service_gn %s is not a service number", code, quote(gn))
			return
		}
		addServiceRow(b, fr, r, code, force)
	})
}

func loadCompetenceANFSI(text string, sep rune, fr *data.FileReport, b *builder) error {
	return eachCSVRow(text, sep, fr, func(r row) {
		code := r.get("code_commune")
		if !data.IsCommuneCode(code) {
			fr.Reject(r.line, data.ReasonBadField, "code_commune %s is not an INSEE commune code", quote(code))
			return
		}
		force, ok := institutionForce(r.get("institution"))
		if !ok {
			fr.Reject(r.line, data.ReasonBadField, "%s: institution %s is neither gendarmerie nor police", code, quote(r.get("institution")))
			return
		}
		addServiceRow(b, fr, r, code, force)
	})
}

// addServiceRow adds the id_service of r as competent for code.
func addServiceRow(b *builder, fr *data.FileReport, r row, code string, force data.Force) {
	id := r.get("id_service")
	if !digitsOnly.MatchString(id) {
		fr.Reject(r.line, data.ReasonBadField, "%s: id_service %s is not a service number", code, quote(id))
		return
	}
	b.communes.addCompetence(fr, code, data.CompetenceRow{ServiceID: id, Force: force, File: fr.File, Line: r.line})
}

// institutionForce reads the institution column: "Gendarmerie nationale",
// "Police nationale", or their GN / PN abbreviations.
func institutionForce(s string) (data.Force, bool) {
	f := data.FoldName(s)
	switch {
	case f == "gn" || strings.HasPrefix(f, "gendarmerie"):
		return data.Gendarmerie, true
	case f == "pn" || strings.HasPrefix(f, "police"):
		return data.Police, true
	}
	return data.AnyForce, false
}
