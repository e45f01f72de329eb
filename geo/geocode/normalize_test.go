package geocode

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"guichet/data/opendatatest"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"case", "VOIRON", "voiron"},
		{"accents", "Saint-Étienne Périgueux Allée Noël Œuvre", "saint etienne perigueux allee noel oeuvre"},
		{"combining accents", "Cafe\u0301", "cafe"},
		{"hyphens", "Bourg-en-Bresse", "bourg en bresse"},
		{"apostrophe", "l'abergement", "l abergement"},
		{"typographic apostrophe", "L’Abergement", "l abergement"},
		{"punctuation", "12, av. J. Jaurès.", "12 avenue j jaures"},
		{"bd", "bd Gambetta", "boulevard gambetta"},
		{"av", "av Foch", "avenue foch"},
		{"ave", "ave Foch", "avenue foch"},
		{"r", "3 r de la Paix", "3 rue de la paix"},
		{"pl", "pl du Marche", "place du marche"},
		{"chem", "chem des Vignes", "chemin des vignes"},
		{"imp", "imp des Ormes", "impasse des ormes"},
		{"fg", "fg Saint Antoine", "faubourg saint antoine"},
		{"fbg", "Fbg St-Denis", "faubourg saint denis"},
		{"rte", "rte de Lyon", "route de lyon"},
		{"all", "all des Tilleuls", "allee des tilleuls"},
		{"sq", "sq Monge", "square monge"},
		{"qu", "qu de la Loire", "quai de la loire"},
		{"multiword expansion", "ld Les Granges", "lieu dit les granges"},
		{"qua is quartier", "qua des Arts", "quartier des arts"},
		{"st", "st etienne", "saint etienne"},
		{"ste", "Ste-Foy-lès-Lyon", "sainte foy les lyon"},
		{"ordinal 1er", "Place du 1er Mai", "place du 1er mai"},
		{"ordinal 1ere", "1ère Armée", "1er armee"},
		{"ordinal eme", "Rue du 2ème Zouave", "rue du 2e zouave"},
		{"ordinal e", "2e Régiment", "2e regiment"},
		{"bis spaced", "12 bis rue X", "12bis rue x"},
		{"bis glued", "12bis rue X", "12bis rue x"},
		{"ter", "3 TER av Y", "3ter avenue y"},
		{"letter spaced", "12 b rue X", "12b rue x"},
		{"letter glued", "12B rue X", "12b rue x"},
		{"r is not a suffix", "12 r Victor Hugo", "12 rue victor hugo"},
		{"letter only after leading number", "rue du 8 a b", "rue du 8 a b"},
		{"BP", "BP 123 38500 Voiron", "38500 voiron"},
		{"CS", "CS 12345 Voiron", "voiron"},
		{"CEDEX", "VOIRON CEDEX", "voiron"},
		{"CEDEX number", "Lyon CEDEX 09", "lyon"},
		{"batiment", "Bat A 5 rue X", "5 rue x"},
		{"batiment word", "batiment C2 rue X", "rue x"},
		{"etage number", "etage 3 rue X", "rue x"},
		{"ordinal etage", "3e étage rue X", "rue x"},
		{"ordinal etage then number", "3e étage 10 rue X", "10 rue x"},
		{"appartement", "appt 12 rue X", "rue x"},
		{"escalier", "esc B rue X", "rue x"},
		{"flat number with letter", "appt 12b rue X", "rue x"},
		{"commune Apt", "Apt", "apt"},
		{"commune Apt after its postcode", "84400 Apt", "84400 apt"},
		{"street named after Apt", "Route d'Apt 84400 Apt", "route d apt 84400 apt"},
		{"word after a building marker is kept", "batiment les tilleuls", "batiment les tilleuls"},
		{"numero sign", "n° 7 rue X", "7 rue x"},
		{"spaces", "  rue   X  ", "rue x"},
		{"empty", "", ""},
		{"only noise", "CEDEX", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestAbbreviationsAgreeWithBAN checks our expansions against the BAN
// abbreviation list: every abbreviation we expand that the list also
// knows must expand to one of the list's long forms for it.
func TestAbbreviationsAgreeWithBAN(t *testing.T) {
	dir := opendatatest.Dir(t)
	f, err := os.Open(filepath.Join(dir, "adresses", "etalab-ban-data-abbreviations.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	longs := map[string][]string{}
	for _, r := range rows[1:] {
		if strings.ContainsAny(r[0], "(|") {
			continue // regex rows
		}
		abbr := strings.ToLower(r[1])
		longs[abbr] = append(longs[abbr], strings.Join(strings.Fields(fold(r[0])), " "))
	}
	known := 0
	for abbr, long := range abbreviations {
		want, ok := longs[abbr]
		if !ok {
			continue
		}
		known++
		agree := false
		for _, w := range want {
			agree = agree || w == long || strings.HasSuffix(w, " "+long)
		}
		if !agree {
			t.Errorf("abbreviation %q expands to %q, BAN list says one of %q", abbr, long, want)
		}
	}
	for _, abbr := range []string{"all", "av", "bd", "che", "imp", "pl", "rte", "sq", "fg", "qua", "crs", "st", "ste"} {
		if _, ok := longs[abbr]; !ok {
			t.Errorf("BAN list lacks %q: the list or its parsing changed", abbr)
		}
	}
	t.Logf("%d of our %d abbreviations appear in the BAN list (%d entries)", known, len(abbreviations), len(longs))
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"12 bis av. J. Jaurès 38500 VOIRON CEDEX", "L'Abergement-de-Varey", "Place du Pese Lait",
		"CHEMIN DE LA FERM DE LA MONTAGNE", "BP 123 bat A 3e étage", "Saint-Étienne", "n° 7 r du 1er Mai",
		"Æ Œ ß İ ǅ", "12 b", "etage etage 3e",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if again := Normalize(n); again != n {
			t.Errorf("Normalize not idempotent: %q -> %q -> %q", s, n, again)
		}
		if strings.Contains(n, "  ") || strings.TrimSpace(n) != n {
			t.Errorf("Normalize(%q) = %q has stray spaces", s, n)
		}
		if strings.ToLower(n) != n {
			t.Errorf("Normalize(%q) = %q is not lower case", s, n)
		}
	})
}
