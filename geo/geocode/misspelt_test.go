package geocode

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
)

// fixtureIndex indexes the communes of testdata/<dir>, written in the
// formats of the COG commune list (decoupage-administratif) and of the
// BAN's commune centres (ban-plateforme geo.json).
func fixtureIndex(t *testing.T, dir string) *Index {
	t.Helper()
	var cog []struct {
		Code, Nom, Type string
		CodesPostaux    []string
		Population      int
	}
	var centres map[string]struct {
		Center orb.Point
	}
	for name, v := range map[string]any{"cog-communes.json": &cog, "communes-geo.json": &centres} {
		raw, err := os.ReadFile(filepath.Join("testdata", dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	b := NewBuilder()
	for _, c := range cog {
		b.AddMunicipality(Municipality{Code: c.Code, Name: c.Nom, Postcodes: c.CodesPostaux, Population: c.Population, Center: centres[c.Code].Center})
	}
	return b.Build()
}

// TestMisspeltCity holds real addresses whose city is misspelt or whose
// street names a neighbour: the commune of the postcode that the city
// names must come first, settled.
func TestMisspeltCity(t *testing.T) {
	ix := fixtureIndex(t, "misspelt")
	for _, tt := range []struct{ why, text, want string }{
		// The misspelt city spells another commune exactly (Chambrey,
		// Moselle; Buire, Aisne; Orbeil, Puy-de-Dôme), which lacks the
		// postcode; the street names a commune that has it.
		{"misspelling is a commune", "Caserne Woehrlé 28 Rue de Sonnaz 73000 CHAMBREY", "73065"},
		{"misspelling is a commune", "23 Boulevard des Ecoliers 17770 BUIRE", "17072"},
		{"misspelling is a commune", "30 Route de Villalier 11600 CONQUES SUR ORBEIL", "11099"},
		// Spelt right, those communes still come first.
		{"misspelling is a commune", "12 Rue de Sonnaz 57170 CHAMBREY", "57126"},
		{"misspelling is a commune", "Chambrey", "57126"},
		// The street's words cover the whole name of Minihy-Tréguier
		// and Louvignies-Quesnoy; the city covers Tréguier's and Le
		// Quesnoy's, with a typo.
		{"street covers a commune name", "6 Rue de Minihy 22220 TRGEUIER", "22362"},
		{"street covers a commune name", "3 Route de Louvignies 59530 LE QUSENOY", "59481"},
		{"street covers a commune name", "6 Rue de Minihy 22220 TREGUIER", "22362"},
		// "Grande Rue" is the street's whole name: the word after it
		// is the commune, not the street's.
		{"grande rue", "26 Grande Rue VALDAHON", "25578"},
		{"grande rue", "2 Grand Rue HURIEL", "03128"},
		{"grande rue", "4 Grand'Rue Huriel", "03128"},
		{"grande rue", "Grande-Synthe", "59271"},
		{"grande rue", "Rue de la Gare GRAND", "88212"},
	} {
		got, err := ix.Geocode(context.Background(), Query{Text: tt.text})
		switch {
		case err != nil:
			t.Errorf("%s: Geocode(%q) = %v", tt.why, tt.text, err)
		case got[0].Citycode != tt.want || got[0].Ambiguous:
			t.Errorf("%s: Geocode(%q) = %s %s (ambiguous %v, score %.3f), want %s settled; all %v",
				tt.why, tt.text, got[0].Citycode, got[0].City, got[0].Ambiguous, got[0].Score, tt.want, got)
		}
	}
}
