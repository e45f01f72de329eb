package geocode

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"guichet/data/opendatatest"
	"guichet/geo/geotest"
)

// nationalMunicipalities reads the COG communes (current communes and
// municipal arrondissements) with their BAN centres.
func nationalMunicipalities(tb testing.TB, dir string) []Municipality {
	tb.Helper()
	var cog []struct {
		Code, Nom, Type string
		CodesPostaux    []string
		Population      int
	}
	var centers map[string]struct{ Center orb.Point }
	for path, v := range map[string]any{
		filepath.Join(dir, "cog", "decoupage-administratif-6.0.0", "communes.json"): &cog,
		filepath.Join(dir, "geo", "ban-plateforme-communes-geo.json"):               &centers,
	} {
		data, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
	}
	var munis []Municipality
	for _, c := range cog {
		if c.Type != "commune-actuelle" && c.Type != "arrondissement-municipal" {
			continue
		}
		munis = append(munis, Municipality{Code: c.Code, Name: c.Nom, Postcodes: c.CodesPostaux, Center: centers[c.Code].Center, Population: c.Population})
	}
	return munis
}

func TestNationalMunicipalities(t *testing.T) {
	munis := nationalMunicipalities(t, opendatatest.Dir(t))
	b := NewBuilder()
	for _, m := range munis {
		b.AddMunicipality(m)
	}
	ix := b.Build()
	ctx := context.Background()
	for _, tt := range []struct{ text, want string }{
		{"38500 VOIRON", "38563"},
		{"voiron", "38563"},
		{"VOIRON CEDEX", "38563"},
		{"voirom", "38563"},
		{"Saint-Étienne", "42218"},
		{"st etienne", "42218"},
		{"L'Abergement-de-Varey", "01002"},
		{"l abergement de varey 01640", "01002"},
		{"marseile", "13055"},
		{"13001", "132"}, // a Marseille arrondissement
		{"75015", "751"}, // a Paris arrondissement
		{"lyon 3e arrondissement", "69383"},
	} {
		got, err := ix.Geocode(ctx, Query{Text: tt.text})
		if err != nil || !strings.HasPrefix(got[0].ID, tt.want) {
			t.Errorf("Geocode(%q) = %v, %v; want %s… first", tt.text, got, err, tt.want)
		}
	}

	// Typing the start of a name: the last word is a prefix, often of
	// hundreds of words ("et": étang, étables, …, étienne).
	for _, tt := range []struct{ text, want string }{
		{"Saint-Et", "42218"},
		{"saint eti", "42218"},
		{"Greno", "38185"},
		{"Voir", "38563"},
	} {
		got, err := ix.Geocode(ctx, Query{Text: tt.text, Autocomplete: true, Type: TypeMunicipality, Limit: 7})
		if err != nil || !slices.ContainsFunc(got, func(r Match) bool { return r.ID == tt.want }) {
			t.Errorf("Geocode(%q, autocomplete) = %v, %v; want %s among them", tt.text, got, err, tt.want)
		}
	}

	// Every commune is found by its name and postcode, unless another
	// commune has the same normalised name and shares the postcode.
	rng := geotest.Rand(t)
	for range 1000 {
		m := munis[rng.Intn(len(munis))]
		if len(m.Postcodes) == 0 {
			continue
		}
		pc := m.Postcodes[rng.Intn(len(m.Postcodes))]
		got, err := ix.Geocode(ctx, Query{Text: m.Name + " " + pc, Type: TypeMunicipality})
		if err != nil {
			t.Errorf("Geocode(%q) error %v", m.Name+" "+pc, err)
			continue
		}
		if g := ix.munis[ix.byCode[got[0].ID]]; g.Code != m.Code && (Normalize(g.Name) != Normalize(m.Name) || !slices.Contains(g.Postcodes, pc)) {
			t.Errorf("Geocode(%q)[0] = %s %q, want %s", m.Name+" "+pc, g.Code, g.Name, m.Code)
		}
	}
}
