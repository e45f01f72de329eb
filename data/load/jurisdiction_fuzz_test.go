package load

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"guichet/data"
)

// fixture returns the content of a jurisdiction fixture, gunzipped.
func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("../testdata/jurisdiction/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			tb.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			tb.Fatal(err)
		}
	}
	return b
}

// checkLoad runs a loader on in and checks the report invariants: every
// row read is kept or rejected with a line and a reason, and a refusal of
// the whole file says why.
func checkLoad(t *testing.T, in []byte, load func(*builder, *data.FileReport, io.Reader, head) error) {
	b := newBuilder()
	fr := data.FileReport{File: "fuzz"}
	err := load(b, &fr, bytes.NewReader(in), sniffHead(in))
	var skip *skipFile
	if errors.As(err, &skip) {
		if skip.reason == "" || fr.Rows != 0 {
			t.Fatalf("skipped with reason %q after %d rows", skip.reason, fr.Rows)
		}
		return
	}
	if fr.Rows != fr.Kept+len(fr.Rejections) {
		t.Fatalf("rows %d != kept %d + rejected %d (err %v)", fr.Rows, fr.Kept, len(fr.Rejections), err)
	}
	for _, r := range fr.Rejections {
		if r.Line < 1 || r.Reason == "" || r.Detail == "" {
			t.Fatalf("rejection without line, reason or detail: %+v", r)
		}
	}
	// Whatever was kept must build into a dataset that answers.
	ds := data.New(b.sources(time.Time{}, "fuzz"))
	_ = ds.Communes(data.CommuneQuery{Name: "a"})
}

func FuzzCommunesGeoJSON(f *testing.F) {
	f.Add(fixture(f, "communes-38-fixture.geojson"))
	f.Add(fixture(f, "contours-communes.geojson.gz"))
	f.Add(fixture(f, "departements.geojson"))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[5,45],[5.1,45],[5.1,45.1],[5,45]]]},"properties":{"code":"2A004","nom":"Ajaccio"}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[5,45],[5.1,45],[5.1,45.1],[5,45]]]},"properties":{"code":"01001"}},{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[5,45],[5.1,45],[5.1,45.1],[5,45]]]},"properties":{"code":"01001"}}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		checkLoad(t, in, loadCommunesGeoJSON)
	})
}

func FuzzCOGCommunes(f *testing.F) {
	f.Add(fixture(f, "cog-communes.json"))
	f.Add([]byte(`[{"code":"01015","nom":"Arboys en Bugey","type":"commune-actuelle","departement":"01","region":"84","anciensCodes":["01340"],"codesPostaux":["01300"],"population":710},{"code":"01340","nom":"Arbignieu","type":"commune-deleguee","chefLieu":"01015"}]`))
	f.Add([]byte(`[{"code":1,"nom":["x"]},{"code":"01001","nom":"A","population":"many"}]`))
	f.Fuzz(func(t *testing.T, in []byte) {
		checkLoad(t, in, loadCOGCommunes)
	})
}

func FuzzCompetenceCSV(f *testing.F) {
	f.Add(fixture(f, "competence_securite_publique.csv"))
	f.Add(fixture(f, "competence-territoriale.csv"))
	f.Add([]byte("\"id_commune\",\"id_service\",\"competence\",\"id_service_gn\"\n\"13004\",\"60110\",\"1\",\"3002330\"\n\"13004\",\"3002330\",\"0\",\"3002330\"\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		h := sniffHead(in)
		switch {
		case isCompetenceCSV(h):
			checkLoad(t, in, textLoader(func(b *builder, fr *data.FileReport, text string, h head) error {
				return loadCompetenceCSV(text, h.sep, fr, b)
			}))
		case isCompetenceANFSI(h):
			checkLoad(t, in, textLoader(func(b *builder, fr *data.FileReport, text string, h head) error {
				return loadCompetenceANFSI(text, h.sep, fr, b)
			}))
		}
	})
}

func FuzzCommunesGeoIndex(f *testing.F) {
	f.Add(fixture(f, "communes-geo.json"))
	f.Fuzz(func(t *testing.T, in []byte) {
		checkLoad(t, in, loadCommunesGeoIndex)
	})
}

// FuzzParsePolygonal checks the coordinate reader against orb's GeoJSON
// decoder: whenever orb decodes a polygon, the reader gives the same one.
func FuzzParsePolygonal(f *testing.F) {
	f.Add("Polygon", `[[[5.54554,45.71359],[5.54673,45.71509],[5.54815,45.71419],[5.54554,45.71359]]]`)
	f.Add("MultiPolygon", `[[[[-61.79038,16.16682],[-61.79164,16.1671],[-61.79197,16.16791],[-61.79038,16.16682]]],[[[1,2],[3,4,5],[1e-3,-2E+1],[1,2]],[]]]`)
	f.Add("Polygon", ` [ [ [ 1 , 2 ] ] ] `)
	f.Add("Polygon", `[[[1,2],[3]]]`)
	f.Fuzz(func(t *testing.T, typ, coords string) {
		got, err := parsePolygonal(typ, []byte(coords))
		g, orbErr := geojson.UnmarshalGeometry([]byte(`{"type":` + quote(typ) + `,"coordinates":` + coords + `}`))
		if orbErr != nil || g.Coordinates == nil {
			return
		}
		var want orb.MultiPolygon
		switch c := g.Coordinates.(type) {
		case orb.Polygon:
			want = orb.MultiPolygon{c}
		case orb.MultiPolygon:
			want = c
		default:
			return
		}
		if err != nil {
			// orb pads short positions with zeros; a position needs 2 numbers here.
			if !errors.Is(err, errCoordinates) {
				t.Fatalf("parsePolygonal(%s, %s) = %v, orb decodes %v", typ, coords, err, want)
			}
			return
		}
		if !orb.Equal(normalise(got), normalise(want)) {
			t.Fatalf("parsePolygonal(%s, %s) = %v, orb decodes %v", typ, coords, got, want)
		}
	})
}

// normalise drops empty rings and polygons, which orb and the reader may
// represent as nil or empty.
func normalise(mp orb.MultiPolygon) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, poly := range mp {
		var p orb.Polygon
		for _, r := range poly {
			if len(r) > 0 {
				p = append(p, r)
			}
		}
		out = append(out, p)
	}
	return out
}
