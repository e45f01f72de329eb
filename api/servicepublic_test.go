package api

import (
	"encoding/json"
	"os"
	"testing"
	"testing/fstest"
)

// TestDirectoryOpensPoliceStations checks what the service-public.fr
// directory is loaded for: a police station whose own source gives no
// hours is unknown, so never "open now"; with the directory it is found
// open when it is.
func TestDirectoryOpensPoliceStations(t *testing.T) {
	files := fstest.MapFS{}
	for name, path := range map[string]string{
		"pn.csv":          "../data/testdata/stations/datagouv-pn-bom.csv",
		"annuaire.json":   "../data/testdata/servicepublic/annuaire-police.json",
		"referential.csv": "../data/testdata/stations/referential-gn.csv",
	} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = &fstest.MapFile{Data: b}
	}
	openPolice := func(fsys fstest.MapFS) []string {
		t.Helper()
		// Wednesday 10:00 in Bourg-en-Bresse: open by the directory.
		rec := get(t, New(DefaultConfig(), loadFS(t, fsys), nil).Handler(),
			"/v1/stations/nearest?lat=46.2067&lon=5.2251&force=police&radius=5000&open=2026-12-02T10:00:00%2B01:00")
		if rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		var body nearestJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range body.Stations {
			if s.Hours == nil || s.Hours.Status.State != "open" {
				t.Errorf("%s listed as open with hours %+v", s.ID, s.Hours)
			}
			names = append(names, s.Name)
		}
		return names
	}
	if got := openPolice(fstest.MapFS{"pn.csv": files["pn.csv"], "referential.csv": files["referential.csv"]}); len(got) != 0 {
		t.Errorf("without the directory, open police stations %q; want none, their hours are unknown", got)
	}
	if got := openPolice(files); len(got) != 1 || got[0] != "Commissariat de police de Bourg en Bresse" {
		t.Errorf("with the directory, open police stations %q; want Bourg-en-Bresse's", got)
	}
}
