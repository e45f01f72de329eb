package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"

	"github.com/paulmach/orb"
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

// communeGeo is the centre and bounding box of a commune or arrondissement.
type communeGeo struct {
	center orb.Point
	bound  orb.Bound
}

// loadCommunesGeoIndex streams ban-plateforme's geo.json: centre and bbox
// per commune code, arrondissements of Paris, Lyon and Marseille included.
func loadCommunesGeoIndex(b *builder, fr *FileReport, r io.Reader, _ head) error {
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
				fr.reject(line, ReasonBadField, "%s: %v", code, err)
				continue
			}
			fr.reject(line, ReasonMalformedRow, "%s: %v", code, err)
			return errAbandoned
		}
		if !communeCode.MatchString(code) {
			fr.reject(line, ReasonBadField, "key %s is not an INSEE commune code", quote(code))
			continue
		}
		g, reason := checkGeoIndexEntry(e)
		if reason != "" {
			fr.reject(line, ReasonBadField, "%s: %s", code, reason)
			continue
		}
		b.communes.addGeo(fr, line, code, g)
	}
	_, err := dec.Token()
	return err
}

func checkGeoIndexEntry(e geoIndexEntry) (communeGeo, string) {
	if len(e.Center) != 2 || len(e.BBox) != 4 {
		return communeGeo{}, "center must be [lon, lat] and bbox [minLon, minLat, maxLon, maxLat]"
	}
	c := orb.Point{e.Center[0], e.Center[1]}
	bd := orb.Bound{Min: orb.Point{e.BBox[0], e.BBox[1]}, Max: orb.Point{e.BBox[2], e.BBox[3]}}
	for _, p := range []orb.Point{c, bd.Min, bd.Max} {
		if validatePoint(p) != nil {
			return communeGeo{}, fmt.Sprintf("%v is not a WGS84 lon/lat", p)
		}
	}
	if bd.Min[0] > bd.Max[0] || bd.Min[1] > bd.Max[1] {
		return communeGeo{}, "bbox min exceeds max"
	}
	return communeGeo{center: c, bound: bd}, ""
}
