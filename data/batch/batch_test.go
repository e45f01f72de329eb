package batch

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"guichet/data"
	"guichet/data/opendatatest"
	"guichet/geo/geocode"
)

// batchDataset has the fixture communes and the BAN fixture of Voiron.
func batchDataset(tb testing.TB) *data.Dataset {
	tb.Helper()
	return mustLoad(tb, copyFixtures(tb, "jurisdiction/cog-communes.json", "jurisdiction/communes-geo.json",
		"jurisdiction/communes-38-fixture.geojson", "jurisdiction/units-gn.csv",
		"jurisdiction/competence_securite_publique.csv", "ban/adresses-38-fixture.csv"))
}

// runBatch geocodes input and returns the output records.
func runBatch(tb testing.TB, ds *data.Dataset, input string, opts Options) ([][]string, Stats) {
	tb.Helper()
	var out bytes.Buffer
	stats, err := GeocodeCSV(context.Background(), ds, strings.NewReader(input), &out, opts, nil)
	if err != nil {
		tb.Fatalf("GeocodeCSV = %v", err)
	}
	cr := csv.NewReader(&out)
	cr.Comma = stats.Delimiter
	recs, err := cr.ReadAll()
	if err != nil {
		tb.Fatalf("output is not CSV: %v\n%s", err, out.String())
	}
	return recs, stats
}

// field returns column name of output record rec.
func field(tb testing.TB, recs [][]string, rec int, name string) string {
	tb.Helper()
	for i, h := range recs[0] {
		if h == name {
			return recs[rec][i]
		}
	}
	tb.Fatalf("no output column %q in %v", name, recs[0])
	return ""
}

func TestGeocodeCSVRows(t *testing.T) {
	ds := batchDataset(t)
	input := "nom;adresse;cp\n" +
		"Brigade;2 rue Danton;38500\n" +
		"Mairie;Gamma;\n" +
		"Vide;;\n" +
		"Trop;a;b;c\n" +
		"Rien;zzzzqqqq;\n" +
		"Fin;4 bis rue Danton Voiron;38500\n"
	recs, stats := runBatch(t, ds, input, Options{Columns: []string{"adresse"}, Postcode: "cp"})
	if stats.Delimiter != ';' || stats.Rows != 6 || len(recs) != 7 {
		t.Fatalf("delimiter %q rows %d records %d, want ';' 6 7", stats.Delimiter, stats.Rows, len(recs))
	}
	if want := append([]string{"nom", "adresse", "cp"}, ResultColumns...); strings.Join(recs[0], ",") != strings.Join(want, ",") {
		t.Errorf("header %v, want %v", recs[0], want)
	}
	tests := []struct {
		rec                     int
		status, id, citycode    string
		errorContains, statusOf string
	}{
		{1, StatusOK, "38563_0420_00002", "38563", "", "Brigade"},
		{2, StatusOK, "38099", "38002", "", "Mairie"},
		{3, StatusSkipped, "", "", "empty query", "Vide"},
		{4, StatusError, "", "", "4 fields, the header has 3", "Trop"},
		{5, StatusNotFound, "", "", "", "Rien"},
		{6, StatusOK, "38563_0420_00004_bis", "38563", "", "Fin"},
	}
	for _, tt := range tests {
		if got := recs[tt.rec][0]; got != tt.statusOf {
			t.Errorf("row %d is %q, want %q: output out of order", tt.rec, got, tt.statusOf)
		}
		if got := field(t, recs, tt.rec, "result_status"); got != tt.status {
			t.Errorf("row %s: result_status %q, want %q (%v)", tt.statusOf, got, tt.status, recs[tt.rec])
		}
		if got := field(t, recs, tt.rec, "result_id"); got != tt.id {
			t.Errorf("row %s: result_id %q, want %q", tt.statusOf, got, tt.id)
		}
		if got := field(t, recs, tt.rec, "result_citycode"); got != tt.citycode {
			t.Errorf("row %s: result_citycode %q, want %q", tt.statusOf, got, tt.citycode)
		}
		if got := field(t, recs, tt.rec, "result_error"); !strings.Contains(got, tt.errorContains) || tt.errorContains == "" && got != "" {
			t.Errorf("row %s: result_error %q, want %q", tt.statusOf, got, tt.errorContains)
		}
	}
	if field(t, recs, 1, "latitude") == "" || field(t, recs, 1, "result_type") != "housenumber" {
		t.Errorf("row 1 lacks coordinates or type: %v", recs[1])
	}
}

func TestGeocodeCSVOfficialExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(opendatatest.Dir(t), "adresses", "exemple-geocodage-search.csv"))
	if err != nil {
		t.Fatal(err)
	}
	ds := nationalDataset(t)
	recs, stats := runBatch(t, ds, string(b), Options{Columns: []string{"adresse", "postcode", "city"}, Postcode: "postcode"})
	if stats.Rows != 4 || stats.Delimiter != ',' || stats.Encoding != "utf-8" {
		t.Fatalf("stats %+v, want 4 rows, ',' and utf-8", stats)
	}
	// Without BAN addresses of Meurthe-et-Moselle the answer is the commune.
	want := []string{"54578", "54547", "54257", "54115"}
	for i, code := range want {
		if got := field(t, recs, i+1, "result_citycode"); got != code || field(t, recs, i+1, "result_status") != StatusOK {
			t.Errorf("row %d (%s): citycode %q status %q, want %s ok", i+1, recs[i+1][3], got, field(t, recs, i+1, "result_status"), code)
		}
		if field(t, recs, i+1, "result_force") == "" {
			t.Errorf("row %d: no force", i+1)
		}
	}
}

func TestGeocodeCSVEncodingsAndDelimiters(t *testing.T) {
	ds := batchDataset(t)
	latin1 := "adresse|ville\n2 rue Danton|Voiron\nr\xe9sidence|B\xeata-les-Bains\n"
	tests := []struct {
		name, input string
		enc         string
		sep         rune
	}{
		{"latin-1 and pipe", latin1, "latin-1", '|'},
		{"BOM and tab", "\ufeffadresse\tville\n2 rue Danton\tVoiron\n", "utf-8-bom", '\t'},
		{"single column", "adresse\n2 rue Danton Voiron\n", "utf-8", ','},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, stats := runBatch(t, ds, tt.input, Options{})
			if stats.Encoding != tt.enc || stats.Delimiter != tt.sep {
				t.Errorf("encoding %q delimiter %q, want %q %q", stats.Encoding, stats.Delimiter, tt.enc, tt.sep)
			}
			if recs[0][0] != "adresse" || field(t, recs, 1, "result_status") != StatusOK {
				t.Errorf("output %v", recs)
			}
			if tt.enc == "latin-1" && recs[2][1] != "Bêta-les-Bains" {
				t.Errorf("latin-1 field decoded as %q", recs[2][1])
			}
		})
	}
}

func TestGeocodeCSVBadFiles(t *testing.T) {
	ds := batchDataset(t)
	tests := []struct {
		name, input string
		opts        Options
		want        string
	}{
		{"empty", "", Options{}, "empty"},
		{"blank", " \n\n", Options{}, "empty"},
		{"binary", "PK\x03\x04\x00\x00binary", Options{}, "binary"},
		{"gzip", "\x1f\x8b\x08\x00", Options{}, "gzip"},
		{"too many columns", strings.Repeat("c,", MaxColumns) + "c\n", Options{}, "columns"},
		{"unknown column", "a,b\n1,2\n", Options{Columns: []string{"adresse"}}, `columns: no column "adresse"`},
		{"unknown postcode column", "a,b\n1,2\n", Options{Postcode: "cp"}, `postcode: no column "cp"`},
		{"unterminated quote in header", "\"a,b\n", Options{}, "header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			_, err := GeocodeCSV(context.Background(), ds, strings.NewReader(tt.input), &out, tt.opts, nil)
			if !errors.Is(err, data.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("GeocodeCSV = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("wrote %q before refusing", out.String())
			}
			if _, _, err := ScanCSV(strings.NewReader(tt.input), tt.opts); !errors.Is(err, data.ErrInvalid) {
				t.Errorf("ScanCSV = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestGeocodeCSVMalformedQuoteContinues(t *testing.T) {
	ds := batchDataset(t)
	input := "adresse,ville\n2 rue \"Danton,Voiron\n4 rue Danton,Voiron\n"
	recs, stats := runBatch(t, ds, input, Options{})
	if stats.Errors != 1 || stats.OK != 1 || len(recs) != 3 {
		t.Fatalf("stats %+v, records %v; want one error then one ok", stats, recs)
	}
	if !strings.Contains(field(t, recs, 1, "result_error"), "malformed CSV") {
		t.Errorf("error row reason %q", field(t, recs, 1, "result_error"))
	}
	if n, _, err := ScanCSV(strings.NewReader(input), Options{}); n != 2 || err != nil {
		t.Errorf("ScanCSV = %d, %v; want 2 rows", n, err)
	}
}

func TestGeocodeCSVManyRowsInOrder(t *testing.T) {
	ds := batchDataset(t)
	var in strings.Builder
	in.WriteString("n,adresse\n")
	const rows = 3*batchChunk + 17
	for i := range rows {
		addr := "2 rue Danton Voiron"
		if i%3 == 1 {
			addr = "Gamma"
		}
		in.WriteString(strings.Repeat("x", i%5) + "," + addr + "\n")
	}
	var progressed int
	var out bytes.Buffer
	stats, err := GeocodeCSV(context.Background(), ds, strings.NewReader(in.String()), &out, Options{Columns: []string{"adresse"}, Workers: 4}, func(n int) { progressed = n })
	if err != nil || stats.Rows != rows || progressed != rows {
		t.Fatalf("GeocodeCSV = %+v, %v; progress %d; want %d rows", stats, err, progressed, rows)
	}
	recs, _ := csv.NewReader(&out).ReadAll()
	for i := 1; i < len(recs); i++ {
		want := "38563"
		if (i-1)%3 == 1 {
			want = "38002"
		}
		if recs[i][0] != strings.Repeat("x", (i-1)%5) || field(t, recs, i, "result_citycode") != want {
			t.Fatalf("row %d = %v, out of order", i, recs[i][:2])
		}
	}
}

func TestGeocodeCSVCancelled(t *testing.T) {
	ds := batchDataset(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	input := "adresse\n" + strings.Repeat("2 rue Danton Voiron\n", 2000)
	if _, err := GeocodeCSV(ctx, ds, strings.NewReader(input), &bytes.Buffer{}, Options{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("GeocodeCSV on a cancelled context = %v, want context.Canceled", err)
	}
}

// FuzzGeocodeCSV feeds arbitrary uploads to the sniffing and row parsing:
// the result is either a refusal wrapping ErrInvalid or one output record
// per counted row, and never a panic.
func FuzzGeocodeCSV(f *testing.F) {
	for _, s := range []string{
		"nom,adresse,postcode,city\nÉcole Claude Déruet,6 Rue Albert 1er,54600,Villers-lès-Nancy\n",
		"adresse;cp\n2 Rue Danton;38500\n\"bad\"quote;1\n",
		"adresse|ville\nr\xe9sidence|B\xeata\n",
		"\ufeffa\tb\n1\t2\t3\n",
		"\"a\nb\",c\n\"x\n",
		"a\n\x00\n",
	} {
		f.Add(s)
	}
	ds := batchDataset(f)
	f.Fuzz(func(t *testing.T, input string) {
		var out bytes.Buffer
		stats, err := GeocodeCSV(context.Background(), ds, strings.NewReader(input), &out, Options{Workers: 2}, nil)
		if err != nil {
			if !errors.Is(err, data.ErrInvalid) {
				t.Fatalf("GeocodeCSV(%q) = %v, want nil or ErrInvalid", input, err)
			}
			return
		}
		n, _, err := ScanCSV(strings.NewReader(input), Options{})
		if err != nil || n != stats.Rows {
			t.Fatalf("ScanCSV = %d, %v; GeocodeCSV wrote %d rows", n, err, stats.Rows)
		}
		cr := csv.NewReader(&out)
		cr.Comma = stats.Delimiter
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("output of %q is not CSV: %v", input, err)
		}
		if len(recs) != stats.Rows+1 {
			t.Fatalf("%d output records for %d rows", len(recs), stats.Rows)
		}
		for _, r := range recs[1:] {
			if len(r) != len(recs[0]) {
				t.Fatalf("output row of %d fields, header %d", len(r), len(recs[0]))
			}
		}
	})
}

func TestLatin1ReaderSmallBuffers(t *testing.T) {
	in := "r\xe9sidence B\xeata \xd6\xd6\xd6"
	for size := 1; size <= 5; size++ {
		r := &latin1Reader{r: strings.NewReader(in)}
		var got []byte
		p := make([]byte, size)
		for {
			n, err := r.Read(p)
			got = append(got, p[:n]...)
			if err != nil {
				break
			}
		}
		if string(got) != "résidence Bêta ÖÖÖ" {
			t.Errorf("read %d bytes at a time: %q", size, got)
		}
	}
}

func TestAddressHeaders(t *testing.T) {
	for _, h := range []string{"adresse", "Adresse postale", "address", "rue", "voie", "numero", "N° voie", "cp", "code_postal", "CodePostal", "ville", "Commune", "city", "lieu-dit", "complement_adresse"} {
		if !isAddressHeader(h) {
			t.Errorf("isAddressHeader(%q) = false, want true", h)
		}
	}
	for _, h := range []string{"id", "id_plainte", "reference", "code_commune", "code_insee", "id_adresse", "numero_plainte", "telephone", "nom", "commentaire", "latitude"} {
		if isAddressHeader(h) {
			t.Errorf("isAddressHeader(%q) = true, want false", h)
		}
	}
}

func TestGeocodeCSVDefaultColumns(t *testing.T) {
	ds := batchDataset(t)
	for _, tt := range []struct {
		name, input string
		want        []string
	}{
		{"address parts, identifiers left out", "id_plainte;reference;adresse;cp;ville;commentaire\n17;A-12;2 rue Danton;38500;Voiron;porte\n", []string{"adresse", "cp", "ville"}},
		{"no address header: neither identifiers nor numbers", "id;texte;montant\n5;2 rue Danton Voiron;12.50\n6;Voiron;3\n", []string{"texte"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs, stats := runBatch(t, ds, tt.input, Options{})
			if !slices.Equal(stats.Columns, tt.want) {
				t.Errorf("columns %v, want %v", stats.Columns, tt.want)
			}
			if _, cols, err := ScanCSV(strings.NewReader(tt.input), Options{}); err != nil || !slices.Equal(cols, tt.want) {
				t.Errorf("ScanCSV columns %v, %v; want %v", cols, err, tt.want)
			}
			for i := 1; i < len(recs); i++ {
				if got := field(t, recs, i, "result_citycode"); got != "38563" {
					t.Errorf("row %d: citycode %q, want 38563: %v", i, got, recs[i])
				}
			}
		})
	}
}

// TestNationalReportedAddresses holds the reported misses on the national
// data, the last as a batch with the columns adresse and ville, and the
// arrondissement a Paris postcode designates.
func TestNationalReportedAddresses(t *testing.T) {
	ds := nationalDataset(t)
	for _, tt := range []struct{ text, want string }{
		{"14 Boulevard Sainte-Anne 53600 EVRON", "53097"},
		{"58 Rue de Saint-Prix 70100 GRAY", "70279"},
		{"195 Route de Saint-Palais 64520 BIDACHE", "64123"},
		{"Route de Vaison-la-Romaine 84340 MALAUCENE", "84069"},
	} {
		ms, err := ds.Geocode(context.Background(), geocode.Query{Text: tt.text, Limit: 2})
		if err != nil || len(ms) == 0 || ms[0].Citycode != tt.want || ms[0].Ambiguous {
			t.Errorf("Geocode(%q) = %v, %v; want %s first, not ambiguous", tt.text, ms, err, tt.want)
		}
	}
	input := "id_plainte,adresse,ville\n1,gare Saint-Charles,Marseile\n"
	for _, opts := range []Options{{Columns: []string{"adresse", "ville"}}, {}} {
		recs, _ := runBatch(t, ds, input, opts)
		city, parent := field(t, recs, 1, "result_citycode"), field(t, recs, 1, "result_parent_citycode")
		if city != "13055" && parent != "13055" || field(t, recs, 1, "result_status") != StatusOK {
			t.Errorf("columns %v: citycode %s parent %s status %s, want Marseille (13055) ok", opts.Columns, city, parent, field(t, recs, 1, "result_status"))
		}
	}
	// Two communes named Sainte-Anne, no postcode: a guess, and said so.
	recs, _ := runBatch(t, ds, "adresse,ville\n12 rue de la Gare,Sainte-Anne\n", Options{})
	if st, score := field(t, recs, 1, "result_status"), field(t, recs, 1, "result_score"); st != StatusAmbiguous || score > "0.7" {
		t.Errorf("12 rue de la Gare, Sainte-Anne: status %s score %s, want ambiguous at most 0.7", st, score)
	}
	recs, _ = runBatch(t, ds, "adresse,cp,ville\n3 rue Laffitte,75009,PARIS\n", Options{})
	if got := []string{field(t, recs, 1, "result_citycode"), field(t, recs, 1, "result_parent_citycode"), field(t, recs, 1, "result_postcode")}; !slices.Equal(got, []string{"75109", "75056", "75009"}) {
		t.Errorf("3 rue Laffitte 75009 PARIS: citycode, parent, postcode = %v, want 75109 75056 75009", got)
	}
}

// The batch names, for each competent service, its station nearest to the
// geocoded place: the same link as nearest?competent=true.
func TestBatchCompetentStationByTerritory(t *testing.T) {
	ds := mustLoad(t, "../testdata/police-territory")
	recs, _ := runBatch(t, ds, "ville,cp\nRezé,44400\nSaint-Sébastien-sur-Loire,44230\n", Options{Columns: []string{"ville"}, Postcode: "cp"})
	if got := field(t, recs, 1, "result_citycode"); got != "44143" {
		t.Fatalf("row 1 geocoded to %s, want Rezé 44143", got)
	}
	sud := stationNamed(t, ds, "Commissariat de police de Nantes - Secteur Sud").ID
	if got := field(t, recs, 1, "result_competent_station_id"); got != sud {
		t.Errorf("Rezé: competent station %q, want the sector office of Rezé %s", got, sud)
	}
	if got := field(t, recs, 2, "result_competent_service") + "/" + field(t, recs, 2, "result_competent_station_id"); got != "63500/" {
		t.Errorf("Saint-Sébastien: competent service/station %q, want 63500 with no station", got)
	}
}
