package load

import (
	"context"
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/paulmach/orb"

	"guichet/data"
	"guichet/data/hours"
	"guichet/data/opendatatest"
	"guichet/geo/geocode"
)

func mustLoad(tb testing.TB, dir string) *data.Dataset {
	tb.Helper()
	ds, err := Dir(dir, Options{})
	if err != nil {
		tb.Fatalf("Dir(%s) = %v", dir, err)
	}
	return ds
}

func TestLoadFixtures(t *testing.T) {
	ds := mustLoad(t, "../testdata/stations")
	rep := ds.Report()

	wantFiles := map[string]struct {
		format, encoding string
		rows, kept       int
	}{
		"datagouv-gn-latin1.csv": {FormatDatagouvCSV, "latin-1", 3, 2},
		"datagouv-pn-bom.csv":    {FormatDatagouvCSV, "utf-8-bom", 2, 2},
		"referential-gn.csv":     {FormatReferentialCSV, "utf-8", 9, 4},
		"referential-pn.csv":     {FormatReferentialCSV, "utf-8", 2, 2},
		"stations.geojson":       {FormatStationsJSON, "utf-8", 4, 2},
	}
	if len(rep.Files) != len(wantFiles) {
		t.Fatalf("loaded %d files, want %d: %+v", len(rep.Files), len(wantFiles), rep.Files)
	}
	for _, f := range rep.Files {
		w, ok := wantFiles[f.File]
		if !ok {
			t.Errorf("unexpected file %s in report", f.File)
			continue
		}
		if f.Format != w.format || f.Encoding != w.encoding || f.Rows != w.rows || f.Kept != w.kept {
			t.Errorf("%s: format %s encoding %s rows %d kept %d, want %s %s %d %d",
				f.File, f.Format, f.Encoding, f.Rows, f.Kept, w.format, w.encoding, w.rows, w.kept)
		}
		if f.Rows != f.Kept+len(f.Rejections) {
			t.Errorf("%s: rows %d != kept %d + rejected %d: a row went missing", f.File, f.Rows, f.Kept, len(f.Rejections))
		}
	}
	skipped := map[string]string{}
	for _, s := range rep.Skipped {
		skipped[s.File] = s.Reason
	}
	if skipped["notes.txt"] != "format not recognised" || skipped["empty.csv"] != "empty file" {
		t.Errorf("skipped = %v, want notes.txt unrecognised and empty.csv empty", skipped)
	}

	type key struct {
		file   string
		line   int
		reason string
	}
	var got []key
	for _, r := range rep.Rejections() {
		got = append(got, key{r.File, r.Line, r.Reason})
	}
	want := []key{
		{"datagouv-gn-latin1.csv", 4, data.ReasonOutsideTerritory},
		{"referential-gn.csv", 4, data.ReasonZeroCoordinates},
		{"referential-gn.csv", 6, data.ReasonOutsideTerritory},
		{"referential-gn.csv", 7, data.ReasonBadField},
		{"referential-gn.csv", 8, data.ReasonDuplicateID},
		{"referential-gn.csv", 10, data.ReasonBadField},
		{"stations.geojson", 4, data.ReasonBadField},
		{"stations.geojson", 5, data.ReasonBadField},
	}
	if len(got) != len(want) {
		t.Fatalf("rejections = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rejection %d = %v, want %v", i, got[i], want[i])
		}
	}
	if n := ds.Len(); n != 12 {
		t.Errorf("Len() = %d, want 12", n)
	}
}

func TestLoadedStationFields(t *testing.T) {
	ds := mustLoad(t, "../testdata/stations")
	tests := []struct {
		id   string
		want data.Station
	}{
		{"gn-1004321", data.Station{Force: data.Gendarmerie, Name: "Brigade de proximité de Voiron", Departement: "38",
			Address: data.Address{Street: "2 Rue Danton", Postcode: "38500", City: "VOIRON"}, ServiceCode: "2739",
			Email: "bp.voiron@gendarmerie.interieur.gouv.fr", Phone: "04 76 05 01 83", PhoneE164: "+33476050183", Location: orb.Point{5.58963, 45.36421}}},
		{"gn-1004333", data.Station{Force: data.Gendarmerie, Name: "Brigade territoriale autonome de Rives", Departement: "38",
			Address: data.Address{Street: "12 Avenue Jean Jaurès", Postcode: "38140", City: "RIVES"}, ServiceCode: "2741",
			Phone: "04 76 65 01 10", PhoneE164: "+33476650110", Location: orb.Point{5.50212, 45.35261}}},
		{"pn-68809", data.Station{Force: data.Police, Name: "Commissariat de police de Nîmes", Departement: "30",
			Address: data.Address{Street: "245 Avenue Pierre Gamel", Postcode: "30000", City: "NIMES"}, ServiceCode: "68809",
			Email: "ddsp30-csp-nimes-ppel@interieur.gouv.fr", Phone: "04 66 27 30 00", PhoneE164: "+33466273000", Location: orb.Point{4.3614607, 43.826187}}},
		{"gn-1008620", data.Station{Force: data.Gendarmerie, Name: "Gendarmerie - Brigade d'Ornex", Departement: "01",
			Address: data.Address{Street: "124 Rue de Béjoud", Postcode: "01210", City: "Ornex", Citycode: "01281"},
			Phone:   "+33 4 50 40 59 30", PhoneE164: "+33450405930", URL: "https://lannuaire.service-public.fr/auvergne-rhone-alpes/ain/gendarmerie-01281-01",
			Location: orb.Point{6.09523, 46.27591}}},
		{"gn-1007001", data.Station{Force: data.Gendarmerie, Name: "Brigade de Mata-Utu", Departement: "986",
			Address: data.Address{Street: "Route de Liku", Postcode: "98600", City: "Mata-Utu"}, Phone: "+681 72 20 17", PhoneE164: "+681722017",
			Location: orb.Point{-176.1745, -13.2825}}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			s, err := ds.Station(tt.id)
			if err != nil {
				t.Fatal(err)
			}
			got := *s
			got.ID, got.HoursText, got.HoursFormat, got.Source = "", "", "", ""
			got.Hours, got.Locale = nil, hours.Locale{}
			if got != tt.want {
				t.Errorf("Station(%s) =\n%+v\nwant\n%+v", tt.id, got, tt.want)
			}
		})
	}
	s, _ := ds.Station("gn-1008620")
	if !strings.HasPrefix(s.HoursText, "Lundi : 8h00-12h00 14h00-18h00 Mardi") || s.HoursFormat != HoursMinistryText {
		t.Errorf("Ornex hours = %q (%s), want the data.gouv text", s.HoursText, s.HoursFormat)
	}
	if _, err := ds.Station("gn-0"); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("Station(gn-0) error = %v, want ErrNotFound", err)
	}
}

func TestSameUnitSameIDAcrossFormats(t *testing.T) {
	referential := `"unite_id","unite_cu","unite_nom","unite_adresse","unite_mail_actif","unite_tph","unite_dpt","unite_zpn","unite_cu_sup","mail_departement_actif","unite_id_anonym","horaire_ouverture","latitude_wgs84","longitude_wgs84"
"1","2590","Brigade de proximité d'Ornex","124 Rue de Béjoud 01210 ORNEX","NOMAIL","04 50 40 59 30","01","1","aucun","x","1008620","","46.27591","6.09523"
`
	datagouv := "service;identifiant_public_unite;adresse_geographique;telephone;departement;code_commune_insee;voie;code_postal;commune;geocodage_x_GPS;geocodage_y_GPS;horaires_accueil;url\n" +
		"Gendarmerie - Brigade d'Ornex;1008620;124 Rue de Béjoud 01210 ORNEX;+33 4 50 40 59 30;01;01281;124 Rue de Béjoud;01210;Ornex;6.09523;46.27591;;\n"
	geojson := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[6.09523,46.27591]},"properties":{"identifiant_public_unite":"1008620","service":"Brigade d'Ornex","departement":"01"}}]}`
	for name, content := range map[string]string{"a": referential, "b": datagouv, "c": geojson} {
		ds, err := FS(fstest.MapFS{name: {Data: []byte(content)}}, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := ds.Station("gn-1008620"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	both, err := FS(fstest.MapFS{"a.csv": {Data: []byte(referential)}, "b.csv": {Data: []byte(datagouv)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rej := both.Report().Rejections()
	if both.Len() != 1 || len(rej) != 1 || rej[0].Reason != data.ReasonDuplicateID || rej[0].File != "b.csv" {
		t.Errorf("loading one unit from two formats: %d stations, rejections %v; want 1 station and b.csv rejected as duplicate", both.Len(), rej)
	}
}

func TestLoadEmpty(t *testing.T) {
	ds, err := FS(fstest.MapFS{"x.txt": {Data: []byte("hello")}}, Options{})
	if !errors.Is(err, ErrNoStations) {
		t.Fatalf("Load(no data) error = %v, want ErrNoStations", err)
	}
	if len(ds.Report().Skipped) != 1 {
		t.Errorf("report skipped = %v, want x.txt", ds.Report().Skipped)
	}
	if _, err := Dir(filepath.Join(t.TempDir(), "missing"), Options{}); err == nil {
		t.Error("Dir(missing) succeeded")
	}
}

func TestVersionFollowsContent(t *testing.T) {
	a := mustLoad(t, "../testdata/stations")
	b := mustLoad(t, "../testdata/stations")
	if a.Version() != b.Version() {
		t.Errorf("same files gave versions %s and %s", a.Version(), b.Version())
	}
	c, _ := FS(fstest.MapFS{"x.csv": {Data: []byte("a,b\n1,2\n")}}, Options{})
	if c.Version() == a.Version() {
		t.Error("different files gave the same version")
	}
}

func TestNationalReferential(t *testing.T) {
	dir := filepath.Join(opendatatest.Dir(t), "forces-de-l-ordre", "pel-referentiels")
	ds := mustLoad(t, dir)
	byForce := ds.CountByForce()
	if byForce[data.Gendarmerie] != 3030 || byForce[data.Police] != 31 {
		t.Errorf("loaded %d gendarmerie and %d police stations, want 3030 and 31", byForce[data.Gendarmerie], byForce[data.Police])
	}
	var zero []data.Rejection
	for _, r := range ds.Report().Rejections() {
		if r.Reason == data.ReasonZeroCoordinates {
			zero = append(zero, r)
		} else {
			t.Errorf("unexpected rejection %v", r)
		}
	}
	sort.Slice(zero, func(i, j int) bool { return zero[i].Line < zero[j].Line })
	if len(zero) != 2 {
		t.Fatalf("zero-coordinate rejections = %v, want 2 (Fameck and Saint-Jean-de-Daye)", zero)
	}
	for _, r := range zero {
		if r.File != "pwb_ref_unite_gn.csv" || r.Line < 2 {
			t.Errorf("rejection %v does not name the national file and a data line", r)
		}
	}
}

func TestStationHoursAndZone(t *testing.T) {
	ds := mustLoad(t, "../testdata/stations")
	tests := []struct {
		id, zone, osm string
		unknown       bool
	}{
		{"gn-1004321", "Europe/Paris", "Mo-Sa 08:00-12:00,14:00-18:00; Su 09:00-12:00,15:00-18:00; PH 09:00-12:00,15:00-18:00", false},
		{"gn-1004333", "Europe/Paris", "We 08:00-12:00; PH off", false},
		{"gn-1002536", "Pacific/Noumea", "Mo 07:30-11:30,13:30-17:30; PH 08:30-11:30,14:30-17:30", false},
		{"gn-1009100", "Indian/Mayotte", "", true},
		{"gn-1007001", "Pacific/Wallis", "", true},
		{"gn-1007002", "Pacific/Tahiti", "Mo-Fr 08:00-17:00", false},
		{"pn-68809", "Europe/Paris", "24/7", false},
	}
	for _, tt := range tests {
		s, err := ds.Station(tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Locale.Location.String(); got != tt.zone {
			t.Errorf("%s zone = %s, want %s", tt.id, got, tt.zone)
		}
		if got := s.Hours.OSM(); got != tt.osm || s.Hours.Unknown() != tt.unknown {
			t.Errorf("%s hours = %q (unknown %v), want %q (unknown %v)", tt.id, got, s.Hours.Unknown(), tt.osm, tt.unknown)
		}
	}
}

func TestUnparsableHoursKeepStation(t *testing.T) {
	csv := "service;identifiant_public_unite;departement;geocodage_x_GPS;geocodage_y_GPS;horaires_accueil;adresse_geographique\n" +
		"Brigade de Voiron;1004321;38;5.58963;45.36421;Lundi : 25h00-26h00;2 Rue Danton 38500 VOIRON\n"
	ds, err := FS(fstest.MapFS{"gn.csv": {Data: []byte(csv)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ds.Station("gn-1004321")
	if err != nil {
		t.Fatal(err)
	}
	w := ds.Report().Warnings()
	if !s.Hours.Unknown() || len(w) != 1 || w[0].Reason != data.ReasonBadHours || w[0].Line != 2 {
		t.Errorf("unknown=%v warnings=%v, want unknown hours and one warning on line 2", s.Hours.Unknown(), w)
	}
}

func TestNearestOpenAt(t *testing.T) {
	ds := mustLoad(t, "../testdata/stations")
	paris := hours.LocaleFor("38").Location
	rives := orb.Point{5.50212, 45.35261}
	tests := []struct {
		at   time.Time
		want string
	}{
		// Wednesday 9:00: Rives, the nearest, is open.
		{time.Date(2026, 12, 2, 9, 0, 0, 0, paris), "gn-1004333"},
		// Thursday 9:00: Rives is closed, Voiron is the nearest open one.
		{time.Date(2026, 12, 3, 9, 0, 0, 0, paris), "gn-1004321"},
		// Wednesday 21:00: only the 24/7 Nîmes commissariat is open.
		{time.Date(2026, 12, 2, 21, 0, 0, 0, paris), "pn-68809"},
		// Armistice Day is a Wednesday in 2026: Rives is closed on public
		// holidays, Voiron opens.
		{time.Date(2026, 11, 11, 10, 0, 0, 0, paris), "gn-1004321"},
	}
	for _, tt := range tests {
		hits, _, err := ds.Nearest(data.NearestQuery{Point: rives, Limit: 1, OpenAt: tt.at}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].Station.ID != tt.want {
			t.Errorf("Nearest(open at %v) = %v, want %s", tt.at, hits, tt.want)
		}
	}
}
func TestBANLoaderPlainAndGzip(t *testing.T) {
	for _, f := range []string{"ban/adresses-38-fixture.csv", "ban-gz/adresses-38-fixture.csv.gz"} {
		t.Run(f, func(t *testing.T) {
			ds, err := Dir(copyFixtures(t, f), Options{})
			if !errors.Is(err, ErrNoStations) {
				t.Fatalf("load.Dir = %v, want ErrNoStations (addresses only)", err)
			}
			if len(ds.Report().Files) != 1 {
				t.Fatalf("files %+v, skipped %+v", ds.Report().Files, ds.Report().Skipped)
			}
			fr := ds.Report().Files[0]
			if fr.Format != FormatBANCSV || fr.Rows != 8 || fr.Kept != 5 {
				t.Errorf("report format %q rows %d kept %d, want %q 8 5", fr.Format, fr.Rows, fr.Kept, FormatBANCSV)
			}
			lines := map[int]string{}
			for _, r := range fr.Rejections {
				lines[r.Line] = r.Reason
			}
			want := map[int]string{6: data.ReasonBadField, 7: data.ReasonBadField, 8: data.ReasonMalformedRow}
			for l, reason := range want {
				if lines[l] != reason {
					t.Errorf("line %d rejected as %q, want %q (all: %+v)", l, lines[l], reason, fr.Rejections)
				}
			}
			if got := ds.Geocoder().Len(); got != 5 {
				t.Errorf("geocoder holds %d addresses, want 5", got)
			}
			ms, err := ds.Geocode(context.Background(), geocode.Query{Text: "4 bis rue Danton Voiron"})
			if err != nil || len(ms) == 0 {
				t.Fatalf("Geocode = %v, %v", ms, err)
			}
			if m := ms[0]; m.ID != "38563_0420_00004_bis" || m.HouseNumber != "4bis" {
				t.Errorf("first match %s %q, want 38563_0420_00004_bis 4bis", m.ID, m.HouseNumber)
			}
		})
	}
}

func TestVerifyBANFile(t *testing.T) {
	n, err := VerifyFile(filepath.Join("../testdata", "ban-gz", "adresses-38-fixture.csv.gz"), "ban-csv-gz")
	if err != nil || n != 5 {
		t.Errorf("VerifyFile = %d, %v; want 5 rows kept", n, err)
	}
}
