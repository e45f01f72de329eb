package load

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"guichet/data"
)

// FuzzLaPosteCSV feeds arbitrary bytes to the La Poste postcode loader.
// Whatever the input, it must not panic, every row must be kept or
// rejected, and every name kept must have a commune code, a postcode and
// a routing name.
func FuzzLaPosteCSV(f *testing.F) {
	seed, err := os.ReadFile("../testdata/postal/laposte-base-codes-postaux.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("code_commune_insee;nom_de_la_commune;code_postal;libelle_d_acheminement;ligne_5\n" +
		"2A004;AJACCIO;20000;AJACCIO;\n2B033;BASTIA;20200;BASTIA;\n97411;ST DENIS;97490;ST DENIS;STE CLOTILDE\n"))
	f.Add([]byte("\ufeff\"code_commune_insee\",\"nom_de_la_commune\",\"code_postal\",\"libelle_d_acheminement\"\n\"75101\",\"PARIS 01\",\"75001\",\"PARIS\"\n"))
	if dir := os.Getenv("GUICHET_OPENDATA"); dir != "" {
		if files, _ := filepath.Glob(filepath.Join(dir, "postal", "laposte-base-codes-postaux-*.csv")); len(files) > 0 {
			if head, err := headLines(files[0], 12); err == nil {
				f.Add([]byte(head))
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h := sniffHead(b[:min(len(b), sniffSize)])
		if !isLaPosteCSV(h) {
			return
		}
		bl := newBuilder()
		fr := data.FileReport{File: "input"}
		load := textLoader(func(b *builder, fr *data.FileReport, text string, h head) error {
			return loadLaPosteCSV(text, h.sep, fr, b)
		})
		if err := load(bl, &fr, bytes.NewReader(b), h); err != nil {
			// A header that cannot be read abandons the file; no row is kept.
			if fr.Kept != 0 || len(bl.postal) != 0 {
				t.Fatalf("file abandoned (%v) after keeping %d rows", err, fr.Kept)
			}
			return
		}
		if fr.Rows != fr.Kept+len(fr.Rejections) || fr.Kept != len(bl.postal) {
			t.Fatalf("%d rows, %d kept, %d rejected, %d names: a row went missing", fr.Rows, fr.Kept, len(fr.Rejections), len(bl.postal))
		}
		for _, p := range bl.postal {
			if !data.IsCommuneCode(p.Code) || len(p.Postcode) != 5 || !digitsOnly.MatchString(p.Postcode) || data.FoldName(p.Routing) == "" || p.Line < 2 {
				t.Fatalf("kept %+v", p)
			}
		}
	})
}
