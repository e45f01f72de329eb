package data

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"guichet/data/opendatatest"
	"guichet/geo/geocode"
)

// copyFixtures copies testdata files into one fresh directory, since Load
// reads a whole directory.
func copyFixtures(tb testing.TB, files ...string) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func TestGeocoderEmptyWithoutCommunes(t *testing.T) {
	ds, _ := loadDir(copyFixtures(t, "stations/referential-gn.csv"))
	if ds.Geocoder() == nil || ds.Geocoder().Len() != 0 {
		t.Fatal("Geocoder() must be an empty index, never nil")
	}
	ms, err := ds.Geocode(context.Background(), geocode.Query{Text: "Voiron"})
	if err != nil || len(ms) != 0 {
		t.Errorf("Geocode on an empty index = %v, %v; want no match and no error", ms, err)
	}
}

func TestGeocoderCommunes(t *testing.T) {
	dir := copyFixtures(t, "jurisdiction/cog-communes.json", "jurisdiction/communes-geo.json",
		"jurisdiction/communes-38-fixture.geojson", "jurisdiction/units-gn.csv", "jurisdiction/competence_securite_publique.csv")
	ds := mustLoad(t, dir)
	ctx := context.Background()
	tests := []struct {
		name, text   string
		wantCode     string
		wantOldCode  string
		wantPostcode string
	}{
		{"current commune", "Alpha", "38001", "", "38500"},
		{"former commune resolves to the current one", "Gamma", "38002", "38099", "38500"},
		{"arrondissement", "Paris 2e Arrondissement", "75102", "", "75002"},
		{"postcode picks the commune's postcode", "38140 Bêta les Bains", "38002", "", "38140"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := ds.Geocode(ctx, geocode.Query{Text: tt.text, Type: geocode.TypeMunicipality})
			if err != nil || len(ms) == 0 {
				t.Fatalf("Geocode(%q) = %v, %v", tt.text, ms, err)
			}
			m := ms[0]
			if m.Citycode != tt.wantCode || m.OldCitycode != tt.wantOldCode || m.Postcode != tt.wantPostcode {
				t.Errorf("Geocode(%q) = citycode %s old %q postcode %s, want %s %q %s", tt.text, m.Citycode, m.OldCitycode, m.Postcode, tt.wantCode, tt.wantOldCode, tt.wantPostcode)
			}
			if m.Commune == nil || m.Commune.Code != tt.wantCode {
				t.Errorf("Geocode(%q).Commune = %v, want %s", tt.text, m.Commune, tt.wantCode)
			}
			if m.Point == (orb.Point{}) {
				t.Errorf("Geocode(%q) has no coordinates", tt.text)
			}
		})
	}
	if _, err := ds.Geocode(ctx, geocode.Query{Text: "x", Limit: 500}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Geocode with limit 500 = %v, want ErrInvalid", err)
	}
}

func TestReverseGeocodeFallsBackToCommune(t *testing.T) {
	dir := copyFixtures(t, "jurisdiction/cog-communes.json", "jurisdiction/communes-geo.json",
		"jurisdiction/communes-38-fixture.geojson", "jurisdiction/units-gn.csv")
	ds := mustLoad(t, dir)
	shape := ds.communes.get().shapes[0]
	p := shape.bound.Center()
	j, err := ds.Locate(p, 0)
	if err != nil {
		t.Skipf("fixture centre not in its commune: %v", err)
	}
	ms, err := ds.ReverseGeocode(p, 1)
	if err != nil || len(ms) != 1 {
		t.Fatalf("ReverseGeocode = %v, %v", ms, err)
	}
	if ms[0].Type != geocode.TypeMunicipality || ms[0].Commune != j.Commune {
		t.Errorf("ReverseGeocode without addresses = %s %s, want municipality %s", ms[0].Type, ms[0].Citycode, j.Commune.Code)
	}
	if _, err := ds.ReverseGeocode(orb.Point{0, 91}, 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("ReverseGeocode at lat 91 = %v, want ErrInvalid", err)
	}
}

func TestNationalAutocompleteVoiron(t *testing.T) {
	ds := nationalDataset(t)
	ms, err := ds.Geocode(context.Background(), geocode.Query{Text: "voir", Autocomplete: true, Type: geocode.TypeMunicipality, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Citycode == "38563" {
			if m.Point[0] < 5.5 || m.Point[0] > 5.7 || m.Point[1] < 45.3 || m.Point[1] > 45.45 {
				t.Errorf("Voiron at %v, want near 5.59,45.36", m.Point)
			}
			return
		}
	}
	t.Errorf("autocomplete 'voir' = %v, want Voiron (38563) among them", ms)
}

// TestNationalUnitAddressesCommune geocodes, at commune level, the postal
// address of every gendarmerie unit and compares the commune found with
// the commune containing the unit's published coordinates.
func TestNationalUnitAddressesCommune(t *testing.T) {
	ds := nationalDataset(t)
	units, excluded := unitAddresses(t, ds)
	names := readPostalNames(t, ds)
	ctx := context.Background()
	city := func(cm *Commune) string {
		if cm.City != "" {
			return cm.City
		}
		return cm.Code
	}
	var total, ok int
	causes := map[string][]string{}
	for _, u := range units {
		addr, j := u.Address, u.At
		total++
		ms, err := ds.Geocode(ctx, geocode.Query{Text: addr, Type: geocode.TypeMunicipality, Limit: 1})
		if err != nil {
			t.Fatalf("Geocode(%q) = %v", addr, err)
		}
		want := j.Commune
		var cause string
		switch {
		case len(ms) == 0:
			cause = "not found"
		case ms[0].Commune == want || ms[0].Commune != nil && city(ms[0].Commune) == city(want) && (want.City != "" || ms[0].Commune.City != ""):
			// Paris, Lyon and Marseille compare as cities: Locate picks
			// the arrondissement from boxes only.
			ok++
			continue
		case names.named(addr) != nil && names.named(addr) != want:
			cause = "the address names another commune than the position's"
		case strings.Contains(strings.ToUpper(addr), "CEDEX"):
			cause = "CEDEX"
		case ms[0].OldCitycode != "" || j.ShapeCode != want.Code:
			cause = "merged commune"
		case ms[0].Commune != nil && ms[0].Commune.Departement != want.Departement:
			cause = "other département"
		default:
			cause = "other commune"
		}
		got := "-"
		if len(ms) > 0 {
			got = ms[0].Citycode + " " + ms[0].City
		}
		causes[cause] = append(causes[cause], addr+" → "+got+", coordinates in "+want.Code+" "+want.Name)
	}
	rate := float64(ok) / float64(total)
	t.Logf("commune found by geocoding = commune at the coordinates for %d of %d units (%.2f%%); excluded %v", ok, total, 100*rate, excluded)
	for c, list := range causes {
		t.Logf("%s: %d, e.g. %s", c, len(list), strings.Join(list[:min(3, len(list))], "; "))
	}
	if rate < 0.98 {
		t.Errorf("agreement %.2f%% < 98%%", 100*rate)
	}
}

// TestNationalEveryCommuneSearchable searches every current commune by its
// name and first postcode, as a clerk would type it: every search must
// answer, and the commune searched must come first for nearly all.
func TestNationalEveryCommuneSearchable(t *testing.T) {
	ds := nationalDataset(t)
	raw, err := os.ReadFile(filepath.Join(opendatatest.Dir(t), "cog", "decoupage-administratif-6.0.0", "communes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cog []struct {
		Code, Nom, Type string
		CodesPostaux    []string `json:"codesPostaux"`
	}
	if err := json.Unmarshal(raw, &cog); err != nil {
		t.Fatal(err)
	}
	searched, first := 0, 0
	var misses []string
	for _, c := range cog {
		if c.Type != "commune-actuelle" || len(c.CodesPostaux) == 0 {
			continue
		}
		searched++
		q := c.Nom + " " + c.CodesPostaux[0]
		ms, err := ds.Geocode(context.Background(), geocode.Query{Text: q, Type: geocode.TypeMunicipality, Limit: 1})
		if err != nil || len(ms) == 0 {
			t.Errorf("Geocode(%q) = %v, %v: a commune that cannot be found", q, ms, err)
			continue
		}
		// A city's postcode that is an arrondissement's names it.
		if ms[0].Citycode == c.Code || ms[0].ParentCitycode == c.Code {
			first++
		} else if len(misses) < 10 {
			misses = append(misses, q+" → "+ms[0].Citycode+" "+ms[0].City)
		}
	}
	share := float64(first) / float64(searched)
	t.Logf("%d of %d communes come first when searched by name and postcode (%.2f %%); e.g. %v", first, searched, 100*share, misses)
	if searched < 34000 || share < 0.99 {
		t.Errorf("%d of %d communes found first, want at least 99 %%", first, searched)
	}
}

// unitAddress is a gendarmerie unit's published postal address and the
// jurisdiction at its published coordinates.
type unitAddress struct {
	Address string
	Point   orb.Point
	At      Jurisdiction
}

// unitAddresses reads the national gendarmerie referential: every unit
// whose coordinates fall in a commune, and how many were left out, by
// reason.
func unitAddresses(t *testing.T, ds *Dataset) ([]unitAddress, map[string]int) {
	t.Helper()
	f, err := os.Open(filepath.Join(opendatatest.Dir(t), "forces-de-l-ordre", "pel-referentiels", "pwb_ref_unite_gn.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var out []unitAddress
	excluded := map[string]int{}
	for _, r := range rows[1:] {
		lat, _ := strconv.ParseFloat(r[col["latitude_wgs84"]], 64)
		lon, _ := strconv.ParseFloat(r[col["longitude_wgs84"]], 64)
		if lat == 0 && lon == 0 {
			excluded["coordinates 0,0"]++
			continue
		}
		p := orb.Point{lon, lat}
		j, err := ds.Locate(p, 0)
		if err != nil {
			excluded["no commune boundary at the coordinates (COM)"]++
			continue
		}
		out = append(out, unitAddress{r[col["unite_adresse"]], p, j})
	}
	return out, excluded
}

// TestGeocoderPostalNames checks that a commune is found under La Poste's
// routing name and lignes 5 when the address has no postcode, that a name
// of two communes stays ambiguous, and that the official names still win.
func TestGeocoderPostalNames(t *testing.T) {
	dir := copyFixtures(t, "postal/cog-communes.json", "postal/communes-geo.json", "postal/laposte-base-codes-postaux.csv",
		"postal/codes-postaux.json", "postal/units-gn.csv")
	ds := mustLoad(t, dir)
	ctx := context.Background()
	tests := []struct {
		text, wantCode, wantPostcode string
		ambiguous                    bool
	}{
		{"12 Grande Rue MOUTIERS TARENTAISE", "73181", "73600", false},
		{"3 place de la mairie SEYNE LES ALPES", "04205", "04140", false},
		{"Rue des Écoles VALENCE D AGEN", "82186", "82400", false},
		{"1 rue du Stade CALLAC DE BRETAGNE", "22025", "22160", false},
		{"chemin du Moulin LES FRASSES", "04205", "04140", false},
		// The COG gives Callac no postcode; La Poste's is used.
		{"22160 Callac", "22025", "22160", false},
		// Official names outrank routing names.
		{"26000 Valence", "26362", "26000", false},
		{"Seyne", "04205", "04140", false},
		// A ligne 5 of Seyne and of Moûtiers names neither.
		{"LE VILLARD", "", "", true},
	}
	for _, tt := range tests {
		ms, err := ds.Geocode(ctx, geocode.Query{Text: tt.text})
		if err != nil || len(ms) == 0 {
			t.Errorf("Geocode(%q) = %v, %v", tt.text, ms, err)
			continue
		}
		m := ms[0]
		if tt.ambiguous {
			codes := []string{m.Citycode}
			if len(ms) > 1 {
				codes = append(codes, ms[1].Citycode)
			}
			if !m.Ambiguous || len(ms) < 2 || !(codes[0] == "04205" && codes[1] == "73181" || codes[0] == "73181" && codes[1] == "04205") {
				t.Errorf("Geocode(%q) = %v ambiguous %v, want Seyne and Moûtiers, ambiguous", tt.text, codes, m.Ambiguous)
			}
			continue
		}
		if m.Citycode != tt.wantCode || m.Postcode != tt.wantPostcode || m.Ambiguous {
			t.Errorf("Geocode(%q) = %s %s (%s) postcode %s ambiguous %v, want %s postcode %s", tt.text, m.Citycode, m.City, m.Label, m.Postcode, m.Ambiguous, tt.wantCode, tt.wantPostcode)
		}
		if m.Commune == nil || m.Commune.Code != tt.wantCode || m.City != m.Commune.Name || m.OldCitycode != "" {
			t.Errorf("Geocode(%q): commune %v city %q old %q, want the current commune %s", tt.text, m.Commune, m.City, m.OldCitycode, tt.wantCode)
		}
	}

	rep := ds.Report()
	var rejected []string
	for _, fr := range rep.Files {
		if fr.Format == "laposte-postcodes-csv" {
			if fr.Rows != 11 || fr.Kept != 9 {
				t.Errorf("La Poste CSV: %d rows, %d kept, want 11 and 9", fr.Rows, fr.Kept)
			}
			for _, r := range fr.Rejections {
				rejected = append(rejected, r.Error())
			}
		}
	}
	want := []string{
		`laposte-base-codes-postaux.csv:11: bad_field: code_commune_insee "8312X" is not an INSEE commune code`,
		`laposte-base-codes-postaux.csv:12: bad_field: 83126: code_postal "835" is not a postcode`,
	}
	if strings.Join(rejected, "\n") != strings.Join(want, "\n") {
		t.Errorf("La Poste CSV rejections:\n%s\nwant\n%s", strings.Join(rejected, "\n"), strings.Join(want, "\n"))
	}
	skipped := false
	for _, s := range rep.Skipped {
		skipped = skipped || s.File == "codes-postaux.json" && strings.Contains(s.Reason, "La Poste CSV")
	}
	if !skipped {
		t.Errorf("codes-postaux.json not skipped in favour of the CSV: %+v", rep.Skipped)
	}
}
