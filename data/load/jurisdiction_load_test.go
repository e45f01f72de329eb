package load

import (
	"guichet/data"
	"testing"
)

func TestLoadJurisdictionFixtures(t *testing.T) {
	ds := mustLoad(t, "../testdata/jurisdiction")
	rep := ds.Report()
	want := map[string]struct {
		format     string
		rows, kept int
	}{
		"communes-38-fixture.geojson":      {FormatCommunesGeoJSON, 7, 4},
		"contours-communes.geojson.gz":     {FormatCommunesGeoJSON, 3, 2},
		"cog-communes.json":                {FormatCOGCommunesJSON, 10, 8},
		"communes-geo.json":                {FormatCommunesGeoIndex, 6, 4},
		"competence_securite_publique.csv": {FormatCompetenceCSV, 9, 6},
		"competence-territoriale.csv":      {FormatCompetenceANFSI, 3, 2},
		"units-gn.csv":                     {FormatReferentialCSV, 2, 2},
		"units-pn.csv":                     {FormatReferentialCSV, 1, 1},
	}
	got := map[string]bool{}
	for _, f := range rep.Files {
		got[f.File] = true
		w, ok := want[f.File]
		if !ok {
			t.Errorf("unexpected file %s in report", f.File)
			continue
		}
		if f.Format != w.format || f.Rows != w.rows || f.Kept != w.kept {
			t.Errorf("%s: format %s rows %d kept %d, want %s %d %d (rejections %v)", f.File, f.Format, f.Rows, f.Kept, w.format, w.rows, w.kept, f.Rejections)
		}
		if f.Rows != f.Kept+len(f.Rejections) {
			t.Errorf("%s: rows %d != kept %d + rejected %d", f.File, f.Rows, f.Kept, len(f.Rejections))
		}
		for _, r := range f.Rejections {
			if r.Line < 1 || r.Reason == "" || r.Detail == "" {
				t.Errorf("%s: rejection without line or reason: %+v", f.File, r)
			}
		}
	}
	for f := range want {
		if !got[f] {
			t.Errorf("%s was not loaded", f)
		}
	}
	for _, r := range rep.Rejections() {
		if r.File == "contours-communes.geojson.gz" && (r.Line != 4 || r.Reason != data.ReasonBadField) {
			t.Errorf("rejection %v, want line 4 (the third feature, one per line) with reason %s", r, data.ReasonBadField)
		}
	}
	skipped := map[string]string{}
	for _, s := range rep.Skipped {
		skipped[s.File] = s.Reason
	}
	for _, f := range []string{"departements.geojson", "pwb_ref_insee_unite.csv"} {
		if skipped[f] == "" {
			t.Errorf("%s not skipped with a reason; skipped: %v", f, skipped)
		}
	}
}
