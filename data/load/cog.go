package data

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// COG record types, as spelled by the decoupage-administratif package.
const (
	cogCurrent         = "commune-actuelle"
	cogDelegated       = "commune-deleguee"
	cogAssociated      = "commune-associee"
	cogArrondissement  = "arrondissement-municipal"
	cogCurrentFallback = "" // older exports omit the type of current communes
)

// isCOGCommunesJSON recognises the communes.json array of
// @etalab/decoupage-administratif: its départements and regions files
// have none of the commune record types.
func isCOGCommunesJSON(h head) bool {
	if h.jsonStart() != '[' || !strings.Contains(h.text, `"code"`) {
		return false
	}
	for _, t := range []string{cogCurrent, cogDelegated, cogAssociated, cogArrondissement} {
		if strings.Contains(h.text, `"`+t+`"`) {
			return true
		}
	}
	return false
}

// cogRecord is one record of communes.json.
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
func loadCOGCommunes(b *builder, fr *FileReport, r io.Reader, _ head) error {
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
				fr.reject(line, ReasonBadField, "record: %v", err)
				continue
			}
			fr.reject(line, ReasonMalformedRow, "record: %v", err)
			return errAbandoned
		}
		if reason := checkCOGRecord(&rec); reason != "" {
			fr.reject(line, ReasonBadField, "%s", reason)
			continue
		}
		b.communes.addCOG(fr, line, rec)
	}
	_, err := dec.Token()
	return err
}

// checkCOGRecord returns why rec cannot be used, or "".
func checkCOGRecord(rec *cogRecord) string {
	if !communeCode.MatchString(rec.Code) {
		return "code " + quote(rec.Code) + " is not an INSEE commune code"
	}
	if strings.TrimSpace(rec.Nom) == "" {
		return rec.Code + ": no name"
	}
	switch rec.Type {
	case cogCurrent, cogCurrentFallback:
	case cogDelegated, cogAssociated:
		if !communeCode.MatchString(rec.ChefLieu) {
			return rec.Code + ": " + rec.Type + " without a valid chefLieu"
		}
	case cogArrondissement:
		if !communeCode.MatchString(rec.Commune) {
			return rec.Code + ": arrondissement without a valid commune"
		}
	default:
		return rec.Code + ": unknown type " + quote(rec.Type)
	}
	for _, c := range rec.AnciensCodes {
		if !communeCode.MatchString(c) {
			return rec.Code + ": old code " + quote(c) + " is not an INSEE commune code"
		}
	}
	for _, pc := range rec.CodesPostaux {
		if len(pc) != 5 || !digitsOnly.MatchString(pc) {
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
