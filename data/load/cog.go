package load

import (
	"encoding/json"
	"errors"
	"guichet/data"
	"io"
	"strings"
)

// isCOGCommunesJSON recognises the communes.json array of
// @etalab/decoupage-administratif: its départements and regions files
// have none of the commune record types.
func isCOGCommunesJSON(h head) bool {
	if h.jsonStart() != '[' || !strings.Contains(h.text, `"code"`) {
		return false
	}
	for _, t := range []string{data.COGCurrent, data.COGDelegated, data.COGAssociated, data.COGArrondissement} {
		if strings.Contains(h.text, `"`+t+`"`) {
			return true
		}
	}
	return false
}

// cogRecord is one record of communes.json, a COGRecord as spelled there.
type cogRecord struct {
	Code         string   `json:"code"`
	Nom          string   `json:"nom"`
	Type         string   `json:"type"`
	Departement  string   `json:"departement"`
	Region       string   `json:"region"`
	CodesPostaux []string `json:"codesPostaux"`
	Population   int      `json:"population"`
	AnciensCodes []string `json:"anciensCodes"`
	// ChefLieu is the current commune of a delegated or associated one.
	ChefLieu string `json:"chefLieu"`
	// Commune is the city of a municipal arrondissement.
	Commune string `json:"commune"`
}

// loadCOGCommunes streams communes.json record by record.
func loadCOGCommunes(b *builder, fr *data.FileReport, r io.Reader, _ head) error {
	fr.Encoding = "utf-8"
	nl := &newlineIndex{r: r}
	dec := json.NewDecoder(nl)
	if tok, err := dec.Token(); err != nil {
		return err
	} else if d, ok := tok.(json.Delim); !ok || d != '[' {
		return errors.New("COG communes must be a JSON array")
	}
	for dec.More() {
		line := nl.lineAt(dec.InputOffset() + 1)
		fr.Rows++
		var rec cogRecord
		if err := dec.Decode(&rec); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				// The value was consumed: go on with the next record.
				fr.Reject(line, data.ReasonBadField, "record: %v", err)
				continue
			}
			fr.Reject(line, data.ReasonMalformedRow, "record: %v", err)
			return errAbandoned
		}
		if reason := checkCOGRecord(&rec); reason != "" {
			fr.Reject(line, data.ReasonBadField, "%s", reason)
			continue
		}
		b.communes.addCOG(fr, line, data.COGRecord(rec))
	}
	_, err := dec.Token()
	return err
}

// checkCOGRecord returns why rec cannot be used, or "".
func checkCOGRecord(rec *cogRecord) string {
	if !data.IsCommuneCode(rec.Code) {
		return "code " + quote(rec.Code) + " is not an INSEE commune code"
	}
	if strings.TrimSpace(rec.Nom) == "" {
		return rec.Code + ": no name"
	}
	switch rec.Type {
	case data.COGCurrent, data.COGCurrentFallback:
	case data.COGDelegated, data.COGAssociated:
		if !data.IsCommuneCode(rec.ChefLieu) {
			return rec.Code + ": " + rec.Type + " without a valid chefLieu"
		}
	case data.COGArrondissement:
		if !data.IsCommuneCode(rec.Commune) {
			return rec.Code + ": arrondissement without a valid commune"
		}
	default:
		return rec.Code + ": unknown type " + quote(rec.Type)
	}
	for _, c := range rec.AnciensCodes {
		if !data.IsCommuneCode(c) {
			return rec.Code + ": old code " + quote(c) + " is not an INSEE commune code"
		}
	}
	for _, pc := range rec.CodesPostaux {
		if !data.IsPostcode(pc) {
			return rec.Code + ": postcode " + quote(pc) + " is not 5 digits"
		}
	}
	if rec.Population < 0 {
		return rec.Code + ": negative population"
	}
	return ""
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
