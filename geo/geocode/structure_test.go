package geocode

import (
	"context"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// issueCommunes are the communes of the reported misses and the
// communes named in their streets, with their COG 2026 postcodes and
// populations: the larger namesakes won on the size prior.
func issueCommunes() []Municipality {
	return []Municipality{
		{Code: "53097", Name: "Évron", Postcodes: []string{"53150", "53600"}, Center: orb.Point{-0.40, 48.16}, Population: 8252},
		{Code: "97128", Name: "Sainte-Anne", Postcodes: []string{"97180"}, Center: orb.Point{-61.38, 16.23}, Population: 23973},
		{Code: "97226", Name: "Sainte-Anne", Postcodes: []string{"97227"}, Center: orb.Point{-60.88, 14.44}, Population: 4306},
		{Code: "70279", Name: "Gray", Postcodes: []string{"70100"}, Center: orb.Point{5.59, 47.45}, Population: 5365},
		{Code: "70026", Name: "Arc-lès-Gray", Postcodes: []string{"70100"}, Center: orb.Point{5.58, 47.46}, Population: 2393},
		{Code: "95574", Name: "Saint-Prix", Postcodes: []string{"95390"}, Center: orb.Point{2.26, 49.01}, Population: 7612},
		{Code: "03257", Name: "Saint-Prix", Postcodes: []string{"03120"}, Center: orb.Point{3.64, 46.27}, Population: 776},
		{Code: "64123", Name: "Bidache", Postcodes: []string{"64520"}, Center: orb.Point{-1.14, 43.48}, Population: 1338},
		{Code: "64493", Name: "Saint-Palais", Postcodes: []string{"64120"}, Center: orb.Point{-1.03, 43.33}, Population: 2204},
		{Code: "18229", Name: "Saint-Palais", Postcodes: []string{"18110"}, Center: orb.Point{2.42, 47.24}, Population: 610},
		{Code: "84069", Name: "Malaucène", Postcodes: []string{"84340"}, Center: orb.Point{5.13, 44.17}, Population: 2758},
		{Code: "84137", Name: "Vaison-la-Romaine", Postcodes: []string{"84110"}, Center: orb.Point{5.07, 44.24}, Population: 6058},
		{Code: "70418", Name: "La Romaine", Postcodes: []string{"70130"}, Center: orb.Point{5.91, 47.55}, Population: 520},
		{Code: "13055", Name: "Marseille", Postcodes: []string{"13001", "13008", "13013"}, Center: orb.Point{5.37, 43.29}, Population: 886040},
		{Code: "13201", Name: "Marseille 1er Arrondissement", Postcodes: []string{"13001"}, Center: orb.Point{5.38, 43.30}, Population: 37599, Parent: "13055", District: true},
		{Code: "13208", Name: "Marseille 8e Arrondissement", Postcodes: []string{"13008"}, Center: orb.Point{5.38, 43.25}, Population: 84683, Parent: "13055", District: true},
		{Code: "13213", Name: "Marseille 13e Arrondissement", Postcodes: []string{"13013"}, Center: orb.Point{5.43, 43.35}, Population: 92000, Parent: "13055", District: true},
		{Code: "60387", Name: "Marseille-en-Beauvaisis", Postcodes: []string{"60690"}, Center: orb.Point{1.95, 49.58}, Population: 1400},
		{Code: "53206", Name: "Saint-Charles-la-Forêt", Postcodes: []string{"53170"}, Center: orb.Point{-0.55, 47.93}, Population: 231},
		{Code: "75056", Name: "Paris", Postcodes: []string{"75001", "75009"}, Center: orb.Point{2.35, 48.86}, Population: 2100000},
		{Code: "75101", Name: "Paris 1er Arrondissement", Postcodes: []string{"75001"}, Center: orb.Point{2.34, 48.86}, Population: 16000, Parent: "75056", District: true},
		{Code: "75109", Name: "Paris 9e Arrondissement", Postcodes: []string{"75009"}, Center: orb.Point{2.34, 48.88}, Population: 59000, Parent: "75056", District: true},
	}
}

func issueIndex() *Index {
	b := NewBuilder()
	for _, m := range issueCommunes() {
		b.AddMunicipality(m)
	}
	return b.Build()
}

// TestStreetNamedAfterAnotherCommune holds the reported misses: the
// commune named in the street won over the address's postcode and city.
func TestStreetNamedAfterAnotherCommune(t *testing.T) {
	ix := issueIndex()
	for _, tt := range []struct{ text, want string }{
		{"14 Boulevard Sainte-Anne 53600 EVRON", "53097"},
		{"58 Rue de Saint-Prix 70100 GRAY", "70279"},
		{"195 Route de Saint-Palais 64520 BIDACHE", "64123"},
		{"Route de Vaison-la-Romaine 84340 MALAUCENE", "84069"},
		// The batch geocoder joins the columns adresse and ville with a comma.
		{"gare Saint-Charles, Marseile", "13055"},
		// The same shapes without postcode.
		{"14 Boulevard Sainte-Anne Evron", "53097"},
		{"58 rue de saint prix gray", "70279"},
		{"route de Vaison-la-Romaine, Malaucène", "84069"},
		{"ROUTE DE SAINT PALAIS BIDACHE", "64123"},
	} {
		for _, typ := range []Type{0, TypeMunicipality} {
			got, err := ix.Geocode(context.Background(), Query{Text: tt.text, Type: typ})
			if err != nil || got[0].Citycode != tt.want {
				t.Errorf("Geocode(%q, type %q) = %v, %v; want %s first", tt.text, typ, got, err, tt.want)
				continue
			}
			if got[0].Ambiguous {
				t.Errorf("Geocode(%q) is ambiguous, want a settled answer: %v", tt.text, got)
			}
		}
	}
}

// TestPostcodeOutranksText checks that a place whose commune lacks the
// query's valid postcode never comes before one that has it, even when
// the text names it exactly, and that an unknown postcode constrains
// nothing.
func TestPostcodeOutranksText(t *testing.T) {
	ix := issueIndex()
	got, err := ix.Geocode(context.Background(), Query{Text: "Saint-Prix 70100", Limit: 5})
	if err != nil || got[0].Citycode != "70279" && got[0].Citycode != "70026" {
		t.Fatalf("Geocode(Saint-Prix 70100) = %v, %v; want a commune of 70100 first", got, err)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Score > got[i-1].Score {
			t.Errorf("scores increase down the list: %v", got)
		}
	}
	got, err = ix.Geocode(context.Background(), Query{Text: "Saint-Prix 99999"})
	if err != nil || got[0].Citycode != "95574" {
		t.Errorf("Geocode(Saint-Prix 99999) = %v, %v; want 95574: an unknown postcode decides nothing", got, err)
	}
}

func TestAmbiguousCommune(t *testing.T) {
	ix := issueIndex()
	for _, text := range []string{"Saint-Prix", "12 rue de la gare, Sainte-Anne", "Sainte Anne"} {
		got, err := ix.Geocode(context.Background(), Query{Text: text})
		if err != nil || !got[0].Ambiguous {
			t.Errorf("Geocode(%q) = %v, %v; want an ambiguous answer", text, got, err)
			continue
		}
		if got[0].Score > ambiguousScore {
			t.Errorf("Geocode(%q) score %.3f, want at most %.2f when ambiguous", text, got[0].Score, ambiguousScore)
		}
	}
	// A city and its own arrondissements are one commune.
	for _, text := range []string{"Marseille", "Saint-Prix 95390", "Sainte-Anne 97180"} {
		got, err := ix.Geocode(context.Background(), Query{Text: text})
		if err != nil || got[0].Ambiguous {
			t.Errorf("Geocode(%q) = %v, %v; want a settled answer", text, got, err)
		}
	}
}

func TestArrondissementFromPostcode(t *testing.T) {
	ix := issueIndex()
	for _, tt := range []struct{ text, postcode, want, parent string }{
		{"3 rue Laffitte 75009 Paris", "", "75109", "75056"},
		{"Paris", "75009", "75109", "75056"},
		{"13008 Marseille", "", "13208", "13055"},
		{"rue de Rome, 13001 MARSEILLE", "", "13201", "13055"},
	} {
		got, err := ix.Geocode(context.Background(), Query{Text: tt.text, Postcode: tt.postcode})
		if err != nil {
			t.Errorf("Geocode(%q) = %v", tt.text, err)
			continue
		}
		m := got[0]
		pc := tt.postcode
		if pc == "" {
			pc = "750" + tt.want[3:]
			if tt.parent == "13055" {
				pc = "130" + tt.want[3:]
			}
		}
		if m.Citycode != tt.want || m.ParentCitycode != tt.parent || m.Postcode != pc {
			t.Errorf("Geocode(%q, postcode %q) = citycode %s parent %s postcode %s, want %s %s %s", tt.text, tt.postcode, m.Citycode, m.ParentCitycode, m.Postcode, tt.want, tt.parent, pc)
		}
		if i := slices.IndexFunc(got[1:], func(o Match) bool { return o.Citycode == m.Citycode && o.Type == m.Type }); i >= 0 {
			t.Errorf("Geocode(%q) lists %s twice: %v", tt.text, m.Citycode, got)
		}
	}
}

func TestAssignRoles(t *testing.T) {
	ix := issueIndex()
	for _, tt := range []struct {
		text  string
		roles string // one letter a word: f free, s street, c city, t tail
	}{
		{"58 rue de saint prix 70100 gray", "ssssc"},
		{"route de vaison la romaine malaucene", "sssttt"},
		{"gare saint charles, marseille", "sssc"},
		{"Marseille, rue de Rome", "fsss"},
		{"saint etienne", "ff"},
		{"le passage 47520", "ff"},
		{"2 rue Danton 38500", "ss"},
		{"38500 rue Danton", "ss"},
	} {
		s := search{ix: ix, q: &Query{}}
		toks, segs := tokenizeSegments(tt.text)
		s.parse(toks, segs)
		got := ""
		for _, w := range s.words {
			got += string("fsct"[w.role])
		}
		if got != tt.roles {
			t.Errorf("roles of %q = %s, want %s", tt.text, got, tt.roles)
		}
	}
}

// FuzzGeocodeStructure checks, for any text, that scores lie in [0, 1]
// and never increase down the list, and that a valid postcode written
// in the text is one of the first match's commune.
func FuzzGeocodeStructure(f *testing.F) {
	for _, s := range []string{"14 Boulevard Sainte-Anne 53600 EVRON", "gare Saint-Charles, Marseile", "Route de Vaison-la-Romaine MALAUCENE",
		"Marseille, rue de Rome", "75009", "rue ; , 13008 ; saint prix", "le passage 47520"} {
		f.Add(s)
	}
	ix := issueIndex()
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 200 {
			return
		}
		got, err := ix.Geocode(context.Background(), Query{Text: text})
		if err != nil {
			return
		}
		for i, m := range got {
			if m.Score < 0 || m.Score > 1 || i > 0 && m.Score > got[i-1].Score {
				t.Fatalf("Geocode(%q) scores out of order or range: %v", text, got)
			}
		}
		toks, _ := tokenizeSegments(text)
		for _, tok := range toks {
			if len(tok) == 5 && isDigits(tok) {
				if len(ix.byPostcode[tok]) > 0 {
					if i := ix.byCode[got[0].Citycode]; !slices.Contains(ix.munis[i].Postcodes, tok) {
						t.Fatalf("Geocode(%q)[0] = %s, without the valid postcode %s", text, got[0].Citycode, tok)
					}
				}
				break
			}
		}
	})
}

// TestExtraNameNeedsTheCity holds a regression of La Poste's extra names
// (lignes 5, routing names): the ligne 5 "ST CHARLES" of Haucourt-Moulaine
// (54860), matched by the street words of "gare Saint-Charles, Marseile",
// won over Marseille, which the city column names (misspelt).
func TestExtraNameNeedsTheCity(t *testing.T) {
	b := NewBuilder()
	for _, m := range issueCommunes() {
		b.AddMunicipality(m)
	}
	for _, m := range []Municipality{
		{Code: "54254", Name: "Haucourt-Moulaine", Postcodes: []string{"54860"}, Center: orb.Point{5.81, 49.50}, Population: 3400},
		{Code: "54254x", Name: "ST CHARLES", Postcodes: []string{"54860"}, Center: orb.Point{5.81, 49.50}, Parent: "54254", Alias: true},
		{Code: "73181", Name: "Moûtiers", Postcodes: []string{"73600"}, Center: orb.Point{6.53, 45.48}, Population: 3600},
		{Code: "73181x", Name: "MOUTIERS TARENTAISE", Postcodes: []string{"73600"}, Center: orb.Point{6.53, 45.48}, Parent: "73181", Alias: true},
		{Code: "39014", Name: "Moutiers", Postcodes: []string{"39100"}, Center: orb.Point{5.5, 47.1}, Population: 300},
	} {
		b.AddMunicipality(m)
	}
	ix := b.Build()
	for _, tt := range []struct{ text, want string }{
		{"gare Saint-Charles, Marseile", "13055"},
		{"gare Saint-Charles Marseille", "13055"},
		{"12 rue Saint-Charles 13001 Marseille", "13201"},
		// The extra name still counts when the city part gives it.
		{"5 rue de la Gare MOUTIERS TARENTAISE", "73181"},
		// The whole extra name beats part of an official one.
		{"ST CHARLES", "54254"},
		// The city explains more than the street's extra name.
		{"12 rue Saint-Charles Haucourt-Moulaine", "54254"},
	} {
		got, err := ix.Geocode(context.Background(), Query{Text: tt.text})
		if err != nil || got[0].Citycode != tt.want && got[0].Citycode != tt.want+"x" {
			t.Errorf("Geocode(%q) = %v, %v; want %s first", tt.text, got, err, tt.want)
			continue
		}
		if tt.want == "13055" && got[0].Ambiguous {
			t.Errorf("Geocode(%q) is ambiguous, want a settled answer: %v", tt.text, got)
		}
	}
}
