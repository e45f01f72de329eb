package load

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"guichet/data"
	"guichet/data/fetch"
	"guichet/data/hours"
)

// directoryFS holds the police and gendarmerie fixtures of the other
// sources and the directory export, named so that the directory is read
// first or last.
func directoryFS(tb testing.TB, directoryName string) fstest.MapFS {
	tb.Helper()
	fsys := fstest.MapFS{}
	for name, path := range map[string]string{
		directoryName: "../testdata/servicepublic/annuaire-police.json",
		"m-pn.csv":    "../testdata/stations/datagouv-pn-bom.csv",
		"m-gn.csv":    "../testdata/stations/referential-gn.csv",
	} {
		b, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: b}
	}
	return fsys
}

func TestLoadServicePublicDirectory(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	wednesday10 := time.Date(2026, 12, 2, 10, 0, 0, 0, paris)
	sunday10 := time.Date(2026, 12, 6, 10, 0, 0, 0, paris)
	// Whatever the order of the files, the directory completes the
	// stations of the other sources.
	for _, name := range []string{"a-annuaire.json", "z-annuaire.json"} {
		t.Run(name, func(t *testing.T) {
			ds, err := FS(directoryFS(t, name), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var fr *data.FileReport
			for i := range ds.Report().Files {
				if f := &ds.Report().Files[i]; f.File == name {
					fr = f
				}
			}
			if fr == nil || fr.Format != FormatServicePublicJSON {
				t.Fatalf("%s not read as %s: %+v", name, FormatServicePublicJSON, ds.Report())
			}
			// 7 records: a town hall ignored; Vienne without coordinates
			// and a gendarmerie unit matching none rejected; Bourg-en-Bresse
			// and Rives merged; Voiron and Lyon added.
			if fr.Rows != 6 || fr.Kept != 4 || fr.Merged != 2 || fr.Ignored != 1 || len(fr.Rejections) != 2 || len(fr.Warnings) != 1 {
				t.Errorf("report %+v, want 6 rows, 4 kept, 2 merged, 1 ignored, 2 rejected, 1 warning", *fr)
			}
			reasons := map[int]string{}
			for _, r := range fr.Rejections {
				reasons[r.Line] = r.Reason
			}
			if want := map[int]string{5: data.ReasonBadField, 7: data.ReasonMissingCoordinates}; !mapsEqual(reasons, want) {
				t.Errorf("rejections by line %v, want %v", reasons, want)
			}
			if w := fr.Warnings[0]; w.Line != 8 || w.Reason != data.ReasonBadHours {
				t.Errorf("warning %v, want line 8 %s", w, data.ReasonBadHours)
			}

			// Bourg-en-Bresse: one station, the data.gouv.fr one, with
			// the directory's hours and what it lacked.
			bourg := stationNamed(t, ds, "Commissariat de police de Bourg en Bresse")
			if n := countNamed(ds, "Bourg"); n != 1 {
				t.Errorf("%d stations at Bourg-en-Bresse, want 1", n)
			}
			if bourg.HoursFormat != HoursServicePublic || bourg.Hours.At(wednesday10, bourg.Locale).Status != hours.Open ||
				bourg.Hours.At(sunday10, bourg.Locale).Status != hours.Closed {
				t.Errorf("Bourg-en-Bresse hours %q (%s), want the directory's, open Wednesday 10:00 and closed Sunday", bourg.HoursText, bourg.HoursFormat)
			}
			if bourg.Phone != "+33 4 74 47 20 20" || bourg.Email != "ddsp01@interieur.gouv.fr" || bourg.URL == "" {
				t.Errorf("Bourg-en-Bresse phone %q email %q url %q: want its own phone, the directory's e-mail and page", bourg.Phone, bourg.Email, bourg.URL)
			}

			// Rives: a gendarmerie unit keeps the ministry's hours and
			// gains the e-mail its file did not give.
			rives, err := ds.Station("gn-1004333")
			if err != nil {
				t.Fatal(err)
			}
			if rives.HoursFormat != HoursMinistryText || rives.Email != "bta.rives@gendarmerie.interieur.gouv.fr" {
				t.Errorf("Rives hours %s, email %q: want the ministry's hours and the directory's e-mail", rives.HoursFormat, rives.Email)
			}

			// Voiron: a police station 100 m from a gendarmerie unit is a
			// station of its own, with hours.
			voiron := stationNamed(t, ds, "Commissariat de police - Voiron")
			if voiron.URL != "https://lannuaire.service-public.gouv.fr/auvergne-rhone-alpes/a1b2c3d4-0002" {
				t.Errorf("Voiron URL %q, want its directory page, having no site of its own", voiron.URL)
			}
			if voiron.Force != data.Police || voiron.ID != derivedPoliceID(voiron.Name, "38563") || voiron.Address.Citycode != "38563" ||
				voiron.Departement != "38" || voiron.Hours.At(wednesday10, voiron.Locale).Status != hours.Open {
				t.Errorf("Voiron %+v", voiron)
			}
			if unit, _ := ds.Station("gn-1004321"); unit == nil || unit.HoursFormat != HoursMinistryText {
				t.Errorf("the Voiron gendarmerie unit changed: %+v", unit)
			}

			// Lyon: kept, its unreadable hours unknown rather than closed.
			lyon := stationNamed(t, ds, "Commissariat de police - Lyon 2e arrondissement")
			if !lyon.Hours.Unknown() || lyon.Departement != "69" {
				t.Errorf("Lyon hours %q, département %q: want unknown hours in 69", lyon.HoursText, lyon.Departement)
			}
			if ds.Len() != 4+2+2 {
				t.Errorf("%d stations, want 4 gendarmerie units, 2 police stations of data.gouv.fr and 2 of the directory", ds.Len())
			}
		})
	}
}

func mapsEqual(a, b map[int]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func countNamed(ds *data.Dataset, part string) int {
	n := 0
	for _, s := range ds.Stations(data.StationFilter{}) {
		if strings.Contains(s.Name, part) {
			n++
		}
	}
	return n
}

// TestServicePublicShapes reads one record in each shape the directory
// publishes: its records endpoint, which encodes list fields as JSON
// strings, and the bulk export, which nests them.
func TestServicePublicShapes(t *testing.T) {
	const encoded = `{"id":"x1","nom":"Commissariat de police - Voiron","pivot":"[{\"type_service_local\":\"commissariat_police\"}]",` +
		`"adresse":"[{\"type_adresse\":\"Adresse\",\"numero_voie\":\"15 rue Mainssieux\",\"code_postal\":\"38500\",\"nom_commune\":\"Voiron\",\"latitude\":\"45.3650\",\"longitude\":\"5.5905\"}]",` +
		`"telephone":"[{\"valeur\":\"04 76 05 19 90\"}]","adresse_courriel":"commissariat.voiron@interieur.gouv.fr",` +
		`"plage_ouverture":"[{\"nom_jour_debut\":\"Lundi\",\"nom_jour_fin\":\"Vendredi\",\"valeur_heure_debut_1\":\"08:00:00\",\"valeur_heure_fin_1\":\"19:00:00\"}]",` +
		`"code_insee_commune":"38563"}`
	const nested = `{"id":"x1","nom":"Commissariat de police - Voiron","pivot":[{"type_service_local":"commissariat_police","code_insee_commune":["38563"]}],` +
		`"adresse":[{"type_adresse":"Adresse","numero_voie":"15 rue Mainssieux","code_postal":"38500","nom_commune":"Voiron","latitude":"45.3650","longitude":"5.5905"}],` +
		`"telephone":[{"valeur":"04 76 05 19 90"}],"adresse_courriel":["commissariat.voiron@interieur.gouv.fr"],` +
		`"plage_ouverture":[{"nom_jour_debut":"Lundi","nom_jour_fin":"Vendredi","valeur_heure_debut_1":"08:00:00","valeur_heure_fin_1":"19:00:00"}],` +
		`"code_insee_commune":"38563"}`
	for _, tt := range []struct{ name, text string }{
		{"export", "[" + encoded + "]"},
		{"records endpoint", `{"total_count": 1, "results": [` + encoded + `]}`},
		{"bulk export", `{"service": [` + nested + `]}`},
	} {
		ds, err := FS(fstest.MapFS{"d.json": {Data: []byte(tt.text)}}, Options{})
		if err != nil {
			t.Errorf("%s: %v (%+v)", tt.name, err, ds.Report())
			continue
		}
		s := stationNamed(t, ds, "Commissariat de police - Voiron")
		if s.Phone != "04 76 05 19 90" || s.Email != "commissariat.voiron@interieur.gouv.fr" || s.Address.Street != "15 rue Mainssieux" ||
			s.Address.Postcode != "38500" || s.Hours.OSM() != "Mo-Fr 08:00-19:00" {
			t.Errorf("%s: %+v, hours %q", tt.name, s, s.Hours.OSM())
		}
	}
	if _, err := FS(fstest.MapFS{"d.json": {Data: []byte(`{"pivot": "type_service_local", "rows": []}`)}}, Options{}); err == nil {
		t.Error("an object without results or service loaded")
	}
}

func TestVerifyServicePublic(t *testing.T) {
	n, err := VerifyFile("../testdata/servicepublic/annuaire-police.json", fetch.FormatServicePublicJSON)
	if err != nil || n != 5 {
		// Verification reads the file alone: nothing to merge with, so
		// the gendarmerie record that matches no unit still counts.
		t.Errorf("VerifyFile = %d, %v; want 5 rows kept", n, err)
	}
	if _, err := VerifyFile("../testdata/stations/datagouv-pn-bom.csv", fetch.FormatServicePublicJSON); err == nil {
		t.Error("a police CSV passed as a directory export")
	}
}

func FuzzServicePublicJSON(f *testing.F) {
	seed, err := os.ReadFile("../testdata/servicepublic/annuaire-police.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	var records []json.RawMessage
	if err := json.Unmarshal(seed, &records); err != nil {
		f.Fatal(err)
	}
	for _, r := range records {
		f.Add([]byte(`{"results":[` + string(r) + `]}`))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, _ := FS(fstest.MapFS{"d.json": {Data: b}}, Options{})
		if ds == nil {
			return
		}
		for _, fr := range ds.Report().Files {
			if fr.Format != FormatServicePublicJSON {
				continue
			}
			rejected := 0
			for _, r := range fr.Rejections {
				if r.Reason != data.ReasonUnreadableFile { // counts no row
					rejected++
				}
			}
			if fr.Kept > fr.Rows || fr.Merged > fr.Kept || fr.Kept+rejected > fr.Rows {
				t.Fatalf("inconsistent report %+v", fr)
			}
		}
		for _, s := range ds.Stations(data.StationFilter{}) {
			if s.Hours == nil || s.ID == "" || !slices.Contains([]data.Force{data.Police, data.Gendarmerie}, s.Force) {
				t.Fatalf("station %+v", s)
			}
		}
	})
}
