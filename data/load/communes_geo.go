package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"

	"github.com/paulmach/orb"
	"guichet/data"
)

// geoIndexHead matches the start of an object keyed by commune code whose
// values carry a bbox, as in ban-plateforme's geo.json.
var (
	geoIndexHead = regexp.MustCompile(`^\s*\{\s*"(\d{2}|2[AB])\d{3}"\s*:\s*\{`)
	bboxKey      = regexp.MustCompile(`"bbox"\s*:`)
)

func isCommunesGeoIndex(h head) bool {
	return geoIndexHead.MatchString(h.text) && bboxKey.MatchString(h.text)
}

type geoIndexEntry struct {
	Center []float64 `json:"center"`
	BBox   []float64 `json:"bbox"`
	Nom    string    `json:"nom"`
}

// loadCommunesGeoIndex streams ban-plateforme's geo.json: centre and bbox
// per commune code, arrondissements of Paris, Lyon and Marseille included.
func loadCommunesGeoIndex(b *builder, fr *data.FileReport, r io.Reader, _ head) error {
	fr.Encoding = "utf-8"
	nl := &newlineIndex{r: r}
	dec := json.NewDecoder(nl)
	if tok, err := dec.Token(); err != nil {
		return err
	} else if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("commune geo index must be a JSON object")
	}
	for dec.More() {
		line := nl.lineAt(dec.InputOffset() + 1)
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		code, _ := tok.(string)
		fr.Rows++
		var e geoIndexEntry
		if err := dec.Decode(&e); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				fr.Reject(line, data.ReasonBadField, "%s: %v", code, err)
				continue
			}
			fr.Reject(line, data.ReasonMalformedRow, "%s: %v", code, err)
			return errAbandoned
		}
		if !data.IsCommuneCode(code) {
			fr.Reject(line, data.ReasonBadField, "key %s is not an INSEE commune code", quote(code))
			continue
		}
		g, reason := checkGeoIndexEntry(e)
		if reason != "" {
			fr.Reject(line, data.ReasonBadField, "%s: %s", code, reason)
			continue
		}
		b.communes.addGeo(fr, line, code, g)
	}
	_, err := dec.Token()
	return err
}

func checkGeoIndexEntry(e geoIndexEntry) (data.CommuneGeo, string) {
	if len(e.Center) != 2 || len(e.BBox) != 4 {
		return data.CommuneGeo{}, "center must be [lon, lat] and bbox [minLon, minLat, maxLon, maxLat]"
	}
	c := orb.Point{e.Center[0], e.Center[1]}
	bd := orb.Bound{Min: orb.Point{e.BBox[0], e.BBox[1]}, Max: orb.Point{e.BBox[2], e.BBox[3]}}
	for _, p := range []orb.Point{c, bd.Min, bd.Max} {
		if data.ValidatePoint(p) != nil {
			return data.CommuneGeo{}, fmt.Sprintf("%v is not a WGS84 lon/lat", p)
		}
	}
	if bd.Min[0] > bd.Max[0] || bd.Min[1] > bd.Max[1] {
		return data.CommuneGeo{}, "bbox min exceeds max"
	}
	return data.CommuneGeo{Center: c, Bound: bd}, ""
}
