package data

import (
	"encoding/csv"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"guichet/data/opendatatest"
)

const (
	pilotPoliceFile = "forces-de-l-ordre/pel-referentiels/pwb_ref_unite_pn_exp.csv"
	competenceFile  = "forces-de-l-ordre/pel-referentiels/competence_securite_publique.csv"
)

// replacedFS is a directory with some files hidden and, optionally,
// another added at its root: the national data with the pilot police
// stations swapped for the same stations in another format.
type replacedFS struct {
	base      fs.FS
	hide      func(name string) bool
	extraName string
	extraPath string
}

func (r replacedFS) Open(name string) (fs.File, error) {
	switch {
	case r.hide(name):
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	case r.extraName != "" && name == r.extraName:
		return os.Open(r.extraPath)
	}
	return r.base.Open(name)
}

func (r replacedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(r.base, name)
	if err != nil {
		return nil, err
	}
	entries = slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return r.hide(path.Join(name, e.Name())) })
	if name == "." && r.extraName != "" {
		info, err := os.Stat(r.extraPath)
		if err != nil {
			return nil, err
		}
		entries = append(entries, fs.FileInfoToDirEntry(info))
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	}
	return entries, nil
}

// readCSV reads a whole comma-separated file of the national data.
func readCSV(t *testing.T, file string) []map[string]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

// writePilotAsDatagouv writes the pilot police stations in the layout of
// the data.gouv.fr police list, which has no service code and no commune
// code: only names, addresses and positions.
func writePilotAsDatagouv(t *testing.T, pilot []map[string]string) string {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Comma = ';'
	w.Write([]string{"service", "adresse_geographique", "telephone", "departement", "code_commune_insee", "voie", "code_postal", "commune", "geocodage_epsg", "geocodage_x", "geocodage_y", "geocodage_x_GPS", "geocodage_y_GPS"})
	for _, r := range pilot {
		w.Write([]string{r["unite_nom"], r["unite_adresse"], r["unite_tph"], r["unite_dpt"], "", "", "", "", "", "", "", r["longitude_wgs84"], r["latitude_wgs84"]})
	}
	w.Flush()
	file := filepath.Join(t.TempDir(), "services-police-datagouv.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// communePolygons reads the 2018 commune boundaries of the pilot
// départements straight from their files, as an oracle independent of the
// dataset's polygon index.
func communePolygons(t *testing.T, dir string, deps []string) map[string]orb.Geometry {
	t.Helper()
	out := map[string]orb.Geometry{}
	files, err := filepath.Glob(filepath.Join(dir, "geo", "france-geojson-2018", "communes", "communes-*.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		if !slices.ContainsFunc(deps, func(d string) bool { return strings.HasPrefix(filepath.Base(file), "communes-"+d+"-") }) {
			continue
		}
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		fc, err := geojson.UnmarshalFeatureCollection(raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fc.Features {
			out[f.Properties.MustString("code")] = f.Geometry
		}
	}
	return out
}

func geometryContains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

// TestPilotPoliceLinkedByTerritory loads the national data with the 31
// pilot police stations given without their codes, as the data.gouv.fr
// police list gives every station. Every commune that the competence table
// gives to a service of theirs must get, as competent, a commissariat
// inside that service's territory, checked by point-in-polygon on the raw
// boundary files. Loaded again with the codes, the territorial link must
// agree with the code link.
func TestPilotPoliceLinkedByTerritory(t *testing.T) {
	dir := opendatatest.Dir(t)
	pilot := readCSV(t, filepath.Join(dir, pilotPoliceFile))
	pilotCodes := map[string]string{} // service code → station name
	var deps []string
	for _, r := range pilot {
		pilotCodes[r["unite_cu"]] = r["unite_nom"]
		if !slices.Contains(deps, r["unite_dpt"]) {
			deps = append(deps, r["unite_dpt"])
		}
	}
	territory := map[string][]string{} // pilot service → its communes
	for _, r := range readCSV(t, filepath.Join(dir, competenceFile)) {
		if _, ok := pilotCodes[r["id_service"]]; ok && r["competence"] == "1" {
			territory[r["id_service"]] = append(territory[r["id_service"]], r["id_commune"])
		}
	}
	if len(territory) == 0 {
		t.Fatal("no pilot service in the competence table")
	}

	codeless, err := loadFS(replacedFS{
		base:      os.DirFS(dir),
		hide:      func(name string) bool { return name == pilotPoliceFile },
		extraName: "services-police-datagouv.csv",
		extraPath: writePilotAsDatagouv(t, pilot),
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := codeless.CountByForce()[Police]; n != len(pilot) {
		t.Fatalf("%d police stations loaded, want the %d pilot ones", n, len(pilot))
	}
	polygons := communePolygons(t, dir, deps)
	// inTerritory tells, from the raw boundaries, whether st lies in a
	// commune of the service; 2018 codes are mapped to current communes.
	containing := map[*Station][]string{}
	inTerritory := func(service string, st *Station) bool {
		codes, ok := containing[st]
		if !ok {
			for code, g := range polygons {
				if geometryContains(g, st.Location) {
					codes = append(codes, code)
					if cm, err := codeless.Commune(code); err == nil {
						codes = append(codes, cm.Code)
					}
				}
			}
			containing[st] = codes
		}
		for _, c := range territory[service] {
			if slices.Contains(codes, c) {
				return true
			}
		}
		return false
	}

	services := make([]string, 0, len(territory))
	for s := range territory {
		services = append(services, s)
	}
	sort.Strings(services)
	communes, served := 0, 0
	linked := map[string][]string{} // service → names of its stations, codeless load
	for _, service := range services {
		for _, code := range territory[service] {
			communes++
			cm, err := codeless.Commune(code)
			if err != nil {
				t.Errorf("commune %s of service %s: %v", code, service, err)
				continue
			}
			u := unitOf(t, cm.Competence, service)
			if len(u.Stations) == 0 {
				t.Errorf("commune %s (%s), service %s: no commissariat", code, cm.Name, service)
				continue
			}
			ok := true
			for _, st := range u.Stations {
				if !inTerritory(service, st) {
					ok = false
					t.Errorf("commune %s, service %s: %s (%v) lies outside the service's territory", code, service, st.Name, st.Location)
				}
			}
			if ok {
				served++
			}
			if linked[service] == nil {
				main := "none named"
				if u.Station != nil {
					main = u.Station.Name
				}
				t.Logf("without codes, service %s: %d stations, main %s", service, len(u.Stations), main)
				for _, st := range u.Stations {
					linked[service] = append(linked[service], st.Name)
				}
			}
		}
	}
	linkedStations := map[string]bool{}
	for _, names := range linked {
		for _, n := range names {
			linkedStations[n] = true
		}
	}
	if len(linkedStations) != len(pilot) {
		t.Errorf("without codes, %d of the %d pilot stations are linked to a service", len(linkedStations), len(pilot))
	}
	t.Logf("without codes: %d of the %d communes of the %d pilot services in the competence table get a commissariat inside their service's territory", served, communes, len(territory))

	// With the codes: the national directory as it is, loaded once for
	// every national test of the package.
	coded := nationalDataset(t)
	for _, w := range coded.Report().Warnings() {
		if w.Reason == ReasonOutsideServiceTerritory {
			t.Errorf("with codes: %v", w)
		}
	}
	for _, service := range services {
		cm, err := coded.Commune(territory[service][0])
		if err != nil {
			t.Fatal(err)
		}
		u := unitOf(t, cm.Competence, service)
		if u.Station == nil || u.Station.Name != pilotCodes[service] || u.Station.ServiceCode != service {
			t.Errorf("service %s: main station %v, want %q, which bears its code", service, u.Station, pilotCodes[service])
		}
		var names, extra []string
		for _, st := range u.Stations {
			names = append(names, st.Name)
			if st.ServiceCode != service {
				extra = append(extra, st.Name+" (code "+st.ServiceCode+")")
			}
		}
		if !slices.Equal(sortedCopy(names), sortedCopy(linked[service])) {
			t.Errorf("service %s: stations with codes %v, without %v: the territorial link must not depend on the codes", service, names, linked[service])
		}
		if len(extra) > 0 {
			t.Logf("service %s: the code link names %q; the territory adds %d stations whose own code is not a service of the competence table (sector offices, or commissariats of the territory's other communes): %s",
				service, pilotCodes[service], len(extra), strings.Join(extra, "; "))
		}
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}
