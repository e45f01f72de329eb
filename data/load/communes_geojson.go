package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"guichet/data"
)

// skipFile is returned by a loader that recognised a file it must not
// load, such as a département layer: the file is reported as skipped with
// the reason instead of as a load.
type skipFile struct{ reason string }

func (e *skipFile) Error() string { return e.reason }

// isPolygonGeoJSON recognises a FeatureCollection whose first geometry is a
// Polygon or MultiPolygon. Whether it holds communes is decided from its
// first feature's properties, which may lie beyond the head.
func isPolygonGeoJSON(h head) bool {
	if h.jsonStart() != '{' || !strings.Contains(h.text, `"FeatureCollection"`) {
		return false
	}
	i := strings.Index(h.text, `"geometry"`)
	if i < 0 {
		return false
	}
	rest := h.text[i+len(`"geometry"`):]
	j := strings.Index(rest, `"type"`)
	if j < 0 {
		return false
	}
	rest = strings.TrimLeft(rest[j+len(`"type"`):], " \t\r\n:")
	return strings.HasPrefix(rest, `"Polygon"`) || strings.HasPrefix(rest, `"MultiPolygon"`)
}

// newlineIndex records where the newlines of a stream are, so that a byte
// offset can be turned into a line number without keeping the text.
type newlineIndex struct {
	r   io.Reader
	off int64
	nls []int64
}

func (n *newlineIndex) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	for i, c := range p[:k] {
		if c == '\n' {
			n.nls = append(n.nls, n.off+int64(i))
		}
	}
	n.off += int64(k)
	return k, err
}

// lineAt returns the 1-based line holding byte offset off.
func (n *newlineIndex) lineAt(off int64) int {
	return 1 + sort.Search(len(n.nls), func(i int) bool { return n.nls[i] >= off })
}

type polygonFeature struct {
	Geometry *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// streamFeatures decodes the features of a FeatureCollection one at a
// time from r, giving each its line and rank.
func streamFeatures(r io.Reader, fn func(line, rank int, dec *json.Decoder) error) error {
	nl := &newlineIndex{r: r}
	dec := json.NewDecoder(nl)
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("GeoJSON must be an object")
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		if key != "features" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
			continue
		}
		if tok, err := dec.Token(); err != nil {
			return err
		} else if d, ok := tok.(json.Delim); !ok || d != '[' {
			return errors.New("GeoJSON features must be an array")
		}
		for rank := 1; dec.More(); rank++ {
			if err := fn(nl.lineAt(valueStart(dec)), rank, dec); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	}
	return nil
}

// valueStart returns the offset of the next value of dec: InputOffset is
// just past the previous token, before the separating comma and spaces.
func valueStart(dec *json.Decoder) int64 {
	off := dec.InputOffset()
	br, ok := dec.Buffered().(io.ByteReader)
	if !ok {
		return off
	}
	for {
		c, err := br.ReadByte()
		if err != nil {
			return off
		}
		switch c {
		case ',', ' ', '\t', '\r', '\n':
			off++
		default:
			return off
		}
	}
}

// propString returns the first non-empty property among keys, as text.
func propString(props map[string]any, keys ...string) string {
	for _, k := range keys {
		switch v := props[k].(type) {
		case string:
			if s := strings.TrimSpace(v); s != "" {
				return s
			}
		case float64:
			return fmt.Sprintf("%.0f", v)
		}
	}
	return ""
}

var (
	communeCodeKeys = []string{"code", "insee", "code_insee", "codgeo", "insee_com", "INSEE_COM"}
	communeNameKeys = []string{"nom", "name", "nom_com", "NOM_COM", "libelle"}
)

// loadCommunesGeoJSON streams a commune boundary layer: the
// france-geojson layout (properties code, nom) or etalab's contours
// administratifs (code, nom, departement, region, epci…). Features are
// decoded one at a time. A layer whose first feature is not a commune,
// such as départements (2 or 3 character codes), is skipped.
func loadCommunesGeoJSON(b *builder, fr *data.FileReport, r io.Reader, _ head) error {
	fr.Encoding = "utf-8"
	first := true
	return streamFeatures(r, func(line, rank int, dec *json.Decoder) error {
		var f polygonFeature
		if err := dec.Decode(&f); err != nil {
			// A syntax error leaves the decoder unusable: abandon the file
			// with what was kept so far.
			fr.Rows++
			fr.Reject(line, data.ReasonMalformedRow, "feature %d: %v", rank, err)
			return errAbandoned
		}
		code := propString(f.Properties, communeCodeKeys...)
		if first {
			first = false
			if !data.IsCommuneCode(code) {
				what := "a polygon layer without commune codes"
				if n := len(code); n == 2 || n == 3 {
					what = fmt.Sprintf("a département or region layer (first code %q)", code)
				}
				return &skipFile{"not communes: " + what}
			}
		}
		fr.Rows++
		if !data.IsCommuneCode(code) {
			fr.Reject(line, data.ReasonBadField, "feature %d: commune code %q is not an INSEE code", rank, code)
			return nil
		}
		if f.Geometry == nil {
			fr.Reject(line, data.ReasonBadField, "feature %d (%s): no geometry", rank, code)
			return nil
		}
		mp, err := parsePolygonal(f.Geometry.Type, f.Geometry.Coordinates)
		if err != nil {
			fr.Reject(line, data.ReasonBadField, "feature %d (%s): %v", rank, code, err)
			return nil
		}
		if reason := checkMultiPolygon(mp); reason != "" {
			fr.Reject(line, data.ReasonBadField, "feature %d (%s): %s", rank, code, reason)
			return nil
		}
		b.communes.addShape(fr, line, data.CommuneShape{
			Code:  code,
			Name:  propString(f.Properties, communeNameKeys...),
			Geom:  mp,
			Bound: mp.Bound(),
		})
		return nil
	})
}

// errAbandoned stops a loader after it has recorded why.
var errAbandoned = errors.New("rest of file not read after a syntax error")

// checkMultiPolygon returns why mp cannot be indexed, or "".
func checkMultiPolygon(mp orb.MultiPolygon) string {
	if len(mp) == 0 {
		return "empty geometry"
	}
	for _, poly := range mp {
		if len(poly) == 0 {
			return "polygon without rings"
		}
		for _, ring := range poly {
			if len(ring) < 4 {
				return "ring with fewer than 4 positions"
			}
			for _, p := range ring {
				if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
					return fmt.Sprintf("position %v is not a WGS84 lon/lat", p)
				}
			}
		}
	}
	return ""
}
