package geocode

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"guichet/geo"
	"guichet/geo/geotest"
)

// mustFixture builds an Index from testdata/ban-fixture.csv plus the
// given communes.
func mustFixture(tb testing.TB, munis ...Municipality) *Index {
	tb.Helper()
	f, err := os.Open("testdata/ban-fixture.csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	b := NewBuilder()
	for _, m := range munis {
		b.AddMunicipality(m)
	}
	readTestAddresses(tb, f, b.AddAddress)
	return b.Build()
}

func TestGeocodeFixture(t *testing.T) {
	ix := mustFixture(t)
	if ix.Len() != 58 {
		t.Fatalf("Len() = %d, want the 58 fixture rows", ix.Len())
	}
	tests := []struct {
		name, text string
		wantType   Type
		wantID     string // of the first match
	}{
		{"full address", "12 rue de la Paix 38500 Voiron", TypeHousenumber, "38563_013f_00012"},
		{"bis glued", "12bis rue de la paix voiron", TypeHousenumber, "38563_013f_00012_bis"},
		{"bis spaced", "12 bis rue de la paix voiron", TypeHousenumber, "38563_013f_00012_bis"},
		{"ter", "12 TER RUE DE LA PAIX VOIRON", TypeHousenumber, "38563_013f_00012_ter"},
		{"letter suffix", "8B allée des Tilleuls Voiron", TypeHousenumber, "38563_0169_00008_b"},
		{"letter suffix spaced", "8 b all des tilleuls voiron", TypeHousenumber, "38563_0169_00008_b"},
		{"same street other commune", "3 rue de la paix coublevie", TypeHousenumber, "38133_0121_00003"},
		{"abbreviation bd", "5 bd Edgar Kofler Voiron", TypeHousenumber, "38563_0146_00005"},
		{"abbreviation av", "4 av. Jules Ravat", TypeHousenumber, "38563_014d_00004"},
		{"abbreviation fg", "7 r du fg Sermorens", TypeHousenumber, "38563_015b_00007"},
		{"saint abbreviation", "pl st bruno voiron", TypeStreet, "38563_0154"},
		{"typo 1 edit", "6 avenue jules ravta voiron", TypeHousenumber, "38563_014d_00006"},
		{"typo 2 edits in long word", "9 rue du faubourg sermmorrens", TypeHousenumber, "38563_015b_00009"},
		{"typo in commune", "rue hector berlioz st etiene de st geoirs", TypeStreet, "38384_015b"},
		{"token order", "voiron kofler edgar boulevard 3", TypeHousenumber, "38563_0146_00003"},
		{"missing number falls back to street", "99 impasse des ormes voiron", TypeStreet, "38563_0162"},
		{"number in street name", "rue du 8 mai 1945 voiron", TypeStreet, "38563_0170"},
		{"noise", "Bat A, 3e étage, 10 route de Voiron BP 12 38500 COUBLEVIE CEDEX", TypeHousenumber, "38133_0128_00010"},
		{"commune only", "voiron", TypeMunicipality, "38563"},
		{"postcode and commune", "38500 Voiron", TypeMunicipality, "38563"},
		{"cedex", "VOIRON CEDEX", TypeMunicipality, "38563"},
		{"apostrophe commune", "l'abergement de varey", TypeMunicipality, "01002"},
		{"commune without number", "boucle du closet abergement", TypeStreet, "01002_0109"},
		{"accents", "Square des Maréchaux Saint-Étienne-de-Saint-Geoirs", TypeStreet, "38384_0162"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ix.Geocode(context.Background(), Query{Text: tt.text})
			if err != nil {
				t.Fatalf("Geocode(%q) error %v", tt.text, err)
			}
			if got[0].ID != tt.wantID || got[0].Type != tt.wantType {
				t.Errorf("Geocode(%q)[0] = %s %q (%q, %.3f), want %s %q", tt.text, got[0].Type, got[0].ID, got[0].Label, got[0].Score, tt.wantType, tt.wantID)
			}
			for i, m := range got {
				if m.Score < 0 || m.Score > 1 || i > 0 && m.Score > got[i-1].Score {
					t.Errorf("Geocode(%q)[%d].Score = %v, want in [0,1] and non-increasing", tt.text, i, m.Score)
				}
			}
		})
	}
}

func TestGeocodeMatchFields(t *testing.T) {
	ix := mustFixture(t)
	got, err := ix.Geocode(context.Background(), Query{Text: "12bis rue de la paix voiron", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := Match{
		ID: "38563_013f_00012_bis", Type: TypeHousenumber, Label: "12bis Rue de la Paix 38500 Voiron",
		HouseNumber: "12bis", Street: "Rue de la Paix", Postcode: "38500", City: "Voiron", Citycode: "38563",
	}
	g := got[0]
	g.Score, g.Point = 0, orb.Point{}
	if len(got) != 1 || g != want {
		t.Errorf("Geocode = %+v, want one %+v", got, want)
	}
	if p := got[0].Point; math.Abs(p[0]-5.5878) > 0.02 || math.Abs(p[1]-45.36) > 0.02 {
		t.Errorf("Geocode point = %v, want near Voiron", p)
	}
}

func TestGeocodeFilters(t *testing.T) {
	ix := mustFixture(t)
	ctx := context.Background()
	ids := func(ms []Match) []string {
		var s []string
		for _, m := range ms {
			s = append(s, m.ID)
		}
		return s
	}
	t.Run("citycode", func(t *testing.T) {
		got, err := ix.Geocode(ctx, Query{Text: "rue de la paix", Citycode: "38133"})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range got {
			if m.Citycode != "38133" {
				t.Errorf("Citycode filter returned %q in %s", m.ID, m.Citycode)
			}
		}
	})
	t.Run("postcode", func(t *testing.T) {
		got, err := ix.Geocode(ctx, Query{Text: "place", Postcode: "38590", Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range got {
			if m.Postcode != "38590" {
				t.Errorf("Postcode filter returned %q in %s", m.ID, m.Postcode)
			}
		}
		if len(got) != 1 || got[0].ID != "38384_0154" {
			t.Errorf("Geocode(place, 38590) = %v, want the one place of 38590", ids(got))
		}
	})
	t.Run("type", func(t *testing.T) {
		for _, typ := range []Type{TypeHousenumber, TypeStreet, TypeMunicipality} {
			got, err := ix.Geocode(ctx, Query{Text: "1 rue de la paix voiron", Type: typ, Limit: 50})
			if err != nil {
				t.Fatalf("type %s: %v", typ, err)
			}
			for _, m := range got {
				if m.Type != typ {
					t.Errorf("Type %s filter returned %s %q", typ, m.Type, m.ID)
				}
			}
		}
	})
	t.Run("limit", func(t *testing.T) {
		got, err := ix.Geocode(ctx, Query{Text: "rue", Limit: 2})
		if err != nil || len(got) != 2 {
			t.Errorf("Geocode(rue, limit 2) = %d matches, %v; want 2", len(got), err)
		}
	})
	t.Run("bias", func(t *testing.T) {
		// Both communes have a Rue de la Paix; the bias picks.
		coublevie := orb.Point{5.613, 45.358}
		for _, p := range []orb.Point{coublevie, {5.5875, 45.3584}} {
			got, err := ix.Geocode(ctx, Query{Text: "rue de la paix", Bias: &p, Type: TypeStreet})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range got[1:] {
				if m.DistanceM < got[0].DistanceM {
					t.Errorf("bias %v: first match %q at %.0f m, %q closer at %.0f m", p, got[0].ID, got[0].DistanceM, m.ID, m.DistanceM)
				}
			}
		}
	})
	t.Run("autocomplete", func(t *testing.T) {
		got, err := ix.Geocode(ctx, Query{Text: "boulevard edgar kof", Autocomplete: true})
		if err != nil || got[0].ID != "38563_0146" {
			t.Errorf("Geocode(autocomplete kof) = %v, %v; want 38563_0146 first", ids(got), err)
		}
		// Without autocomplete "kof" is an unknown word: the street still
		// matches on the other words, with a lower score.
		plain, err := ix.Geocode(ctx, Query{Text: "boulevard edgar kof"})
		if err != nil || plain[0].ID != got[0].ID || plain[0].Score >= got[0].Score {
			t.Errorf("Geocode(kof) = %v, %v; want %s scored below %.3f", ids(plain), err, got[0].ID, got[0].Score)
		}
	})
	t.Run("limit does not change the ranking", func(t *testing.T) {
		for _, text := range []string{"rue", "rue de la paix", "38500", "place", "1 voiron"} {
			all, err := ix.Geocode(ctx, Query{Text: text, Limit: MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			for limit := 1; limit <= len(all); limit++ {
				got, _ := ix.Geocode(ctx, Query{Text: text, Limit: limit})
				if !slices.Equal(ids(got), ids(all[:limit])) {
					t.Errorf("Geocode(%q, limit %d) = %v, want %v", text, limit, ids(got), ids(all[:limit]))
				}
			}
		}
	})
}

func TestGeocodeErrors(t *testing.T) {
	ix := mustFixture(t)
	ctx := context.Background()
	bad := orb.Point{200, 0}
	for name, q := range map[string]Query{
		"empty":       {Text: "  "},
		"only noise":  {Text: "CEDEX"},
		"limit < 0":   {Text: "voiron", Limit: -1},
		"limit > max": {Text: "voiron", Limit: MaxLimit + 1},
		"type":        {Text: "voiron", Type: 9},
		"bias":        {Text: "voiron", Bias: &bad},
	} {
		if _, err := ix.Geocode(ctx, q); !errors.Is(err, ErrBadQuery) {
			t.Errorf("%s: Geocode(%+v) error = %v, want ErrBadQuery", name, q, err)
		}
	}
	for _, q := range []Query{{Text: "zzzz qqqq"}, {Text: "voiron", Citycode: "99999"}, {Text: "rue de la paix", Postcode: "75001"}} {
		if _, err := ix.Geocode(ctx, q); !errors.Is(err, ErrNoMatch) {
			t.Errorf("Geocode(%+v) error = %v, want ErrNoMatch", q, err)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	// Too few candidates to reach a cancellation check: the result is
	// still correct.
	if got, err := ix.Geocode(cancelled, Query{Text: "voiron"}); err != nil || got[0].ID != "38563" {
		t.Errorf("Geocode with cancelled context = %v, %v", got, err)
	}
}

func TestParseType(t *testing.T) {
	for _, typ := range []Type{0, TypeHousenumber, TypeStreet, TypeMunicipality} {
		if got, err := ParseType(typ.String()); got != typ || err != nil {
			t.Errorf("ParseType(%q) = %v, %v, want %v", typ.String(), got, err, typ)
		}
	}
	if _, err := ParseType("poi"); !errors.Is(err, ErrBadQuery) {
		t.Errorf("ParseType(poi) error = %v, want ErrBadQuery", err)
	}
}

func TestMunicipalityLevel(t *testing.T) {
	b := NewBuilder()
	for _, m := range []Municipality{
		{Code: "38563", Name: "Voiron", Postcodes: []string{"38500"}, Center: orb.Point{5.59, 45.36}, Population: 20000},
		{Code: "38133", Name: "Coublevie", Postcodes: []string{"38500"}, Center: orb.Point{5.61, 45.36}, Population: 4700},
		{Code: "42218", Name: "Saint-Étienne", Postcodes: []string{"42000", "42100"}, Center: orb.Point{4.39, 45.43}, Population: 173000},
		{Code: "76575", Name: "Saint-Étienne-du-Rouvray", Postcodes: []string{"76800"}, Center: orb.Point{1.1, 49.38}, Population: 28000},
		{Code: "13055", Name: "Marseille", Postcodes: []string{"13001", "13002", "13003"}, Center: orb.Point{5.37, 43.29}, Population: 870000},
		{Code: "13201", Name: "Marseille 1er Arrondissement", Postcodes: []string{"13001"}, Center: orb.Point{5.38, 43.30}, Population: 40000},
		{Code: "01002", Name: "L'Abergement-de-Varey", Postcodes: []string{"01640"}, Center: orb.Point{5.43, 46.0}, Population: 250},
		// The same words in two orders, one postcode: the larger commune
		// must not win a query naming the smaller one.
		{Code: "02096", Name: "Bois-lès-Pargny", Postcodes: []string{"02270"}, Center: orb.Point{3.65, 49.72}, Population: 250},
		{Code: "02591", Name: "Pargny-les-Bois", Postcodes: []string{"02270"}, Center: orb.Point{3.66, 49.7}, Population: 120},
	} {
		b.AddMunicipality(m)
	}
	ix := b.Build()
	for _, tt := range []struct{ text, want string }{
		{"38500 Voiron", "38563"},
		{"voiron", "38563"},
		{"VOIRON CEDEX", "38563"},
		{"38500", "38563"},
		{"38500 coublevie", "38133"},
		{"Saint-Étienne", "42218"},
		{"st etienne", "42218"},
		{"st etienne du rouvray", "76575"},
		{"13001", "13201"},
		{"marseille", "13055"},
		{"abergement de varey", "01002"},
		{"Pargny-les-Bois 02270", "02591"},
		{"pargny les bois", "02591"},
		{"Bois-lès-Pargny 02270", "02096"},
		{"voiorn", "38563"},
		{"coub", ""},
	} {
		got, err := ix.Geocode(context.Background(), Query{Text: tt.text})
		switch {
		case tt.want == "" && !errors.Is(err, ErrNoMatch):
			t.Errorf("Geocode(%q) = %v, %v, want ErrNoMatch", tt.text, got, err)
		case tt.want != "" && (err != nil || got[0].ID != tt.want || got[0].Type != TypeMunicipality):
			t.Errorf("Geocode(%q) = %v, %v, want municipality %s first", tt.text, got, err, tt.want)
		}
	}
	got, err := ix.Geocode(context.Background(), Query{Text: "coub", Autocomplete: true})
	if err != nil || got[0].ID != "38133" {
		t.Errorf("Geocode(coub, autocomplete) = %v, %v, want 38133", got, err)
	}
}

// A prefix shared by more words than a query word may expand to keeps the
// words found in the most names, not the alphabetically first.
func TestAutocompleteCrowdedPrefix(t *testing.T) {
	b := NewBuilder()
	b.AddMunicipality(Municipality{Code: "42218", Name: "Saint-Étienne", Postcodes: []string{"42000"}, Center: orb.Point{4.39, 45.43}, Population: 173000})
	b.AddMunicipality(Municipality{Code: "76575", Name: "Saint-Étienne-du-Rouvray", Postcodes: []string{"76800"}, Center: orb.Point{1.1, 49.38}, Population: 28000})
	// 2 × maxAlts words "etaa" … sorting before "etienne", each in one name.
	for i := range 2 * maxAlts {
		w := "Et" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		b.AddMunicipality(Municipality{Code: fmt.Sprintf("01%03d", i), Name: "Saint-" + w, Postcodes: []string{"01000"}, Center: orb.Point{5, 46}, Population: 100})
	}
	ix := b.Build()
	got, err := ix.Geocode(context.Background(), Query{Text: "Saint-Et", Autocomplete: true, Type: TypeMunicipality, Limit: 5})
	if err != nil || !slices.ContainsFunc(got, func(r Match) bool { return r.ID == "42218" }) {
		t.Errorf("Geocode(Saint-Et, autocomplete) = %v, %v; want Saint-Étienne among them", got, err)
	}
}

func TestReverseBruteForce(t *testing.T) {
	rng := geotest.Rand(t)
	b := NewBuilder()
	const n = 5000
	pts := make([]orb.Point, n)
	for i := range n {
		// Clusters and a uniform spread, across France and overseas.
		var p orb.Point
		if i%2 == 0 {
			p = orb.Point{-5 + 14*rng.Float64(), 41 + 10*rng.Float64()}
		} else {
			c := []orb.Point{{5.59, 45.36}, {55.45, -20.9}, {-61.5, 16.2}}[rng.Intn(3)]
			p = orb.Point{c[0] + rng.NormFloat64()*0.01, c[1] + rng.NormFloat64()*0.01}
		}
		pts[i] = p
		err := b.AddAddress(Address{ID: strconv.Itoa(i), Number: strconv.Itoa(1 + i%300), Street: "Rue " + strconv.Itoa(i/20), Citycode: strconv.Itoa(10000 + i/500), Postcode: "38500", City: "X", Point: p})
		if err != nil {
			t.Fatal(err)
		}
	}
	ix := b.Build()
	all := make([]float64, n)
	for q := range 300 {
		p := orb.Point{-6 + 16*rng.Float64(), 40 + 12*rng.Float64()}
		if q%3 == 0 {
			p = orb.Point{5.59 + rng.NormFloat64()*0.02, 45.36 + rng.NormFloat64()*0.02}
		}
		k := 1 + rng.Intn(12)
		maxM := 0.0
		if q%4 == 0 {
			maxM = 2000 * rng.Float64()
		}
		for i, a := range pts {
			// Indexed coordinates are rounded to micro-degrees.
			all[i] = distanceM(p, orb.Point{math.Round(a[0]*1e6) / 1e6, math.Round(a[1]*1e6) / 1e6})
		}
		want := slices.Clone(all)
		slices.Sort(want)
		if maxM > 0 {
			want = slices.DeleteFunc(want, func(d float64) bool { return d > maxM })
		}
		want = want[:min(k, len(want))]
		got := ix.Reverse(p, k, maxM)
		if len(got) != len(want) {
			t.Fatalf("Reverse(%v, %d, %.0f) = %d matches, want %d", p, k, maxM, len(got), len(want))
		}
		for i, m := range got {
			a, _ := strconv.Atoi(m.ID)
			if math.Abs(m.DistanceM-want[i]) > 1e-6 || math.Abs(all[a]-m.DistanceM) > 1e-6 {
				t.Fatalf("Reverse(%v, %d)[%d] = %s at %.3f m, want %.3f m", p, k, i, m.ID, m.DistanceM, want[i])
			}
		}
	}
}

func TestReverseFixture(t *testing.T) {
	ix := mustFixture(t)
	// The exact position of 12bis rue de la Paix.
	m, err := ix.Geocode(context.Background(), Query{Text: "12bis rue de la paix voiron", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := ix.Reverse(m[0].Point, 1, 50)
	if len(got) != 1 || got[0].ID != m[0].ID || got[0].DistanceM > 0.5 || got[0].Label != m[0].Label {
		t.Errorf("Reverse(%v) = %+v, want %q at 0 m", m[0].Point, got, m[0].ID)
	}
	if got := ix.Reverse(orb.Point{2.35, 48.85}, 3, 1000); len(got) != 0 {
		t.Errorf("Reverse(Paris, 1 km) = %d matches, want none", len(got))
	}
	if got := ix.Reverse(orb.Point{2.35, 48.85}, 0, 0); len(got) != DefaultLimit {
		t.Errorf("Reverse(limit 0) = %d matches, want %d", len(got), DefaultLimit)
	}
}

func TestBuilderRejects(t *testing.T) {
	b := NewBuilder()
	ok := Address{ID: "a", Number: "1", Street: "Rue X", Citycode: "38563", Point: orb.Point{5, 45}}
	for name, mod := range map[string]func(*Address){
		"number":      func(a *Address) { a.Number = "x1" },
		"empty":       func(a *Address) { a.Number = "" },
		"double rep":  func(a *Address) { a.Number, a.Rep = "1bis", "ter" },
		"lon":         func(a *Address) { a.Point[0] = 181 },
		"nan":         func(a *Address) { a.Point[1] = math.NaN() },
		"street":      func(a *Address) { a.Street = "" },
		"no citycode": func(a *Address) { a.Citycode = "" },
	} {
		a := ok
		mod(&a)
		if err := b.AddAddress(a); !errors.Is(err, ErrBadAddress) {
			t.Errorf("%s: AddAddress(%+v) = %v, want ErrBadAddress", name, a, err)
		}
	}
	a := ok
	a.Number = "12Bis"
	if err := b.AddAddress(a); err != nil {
		t.Fatal(err)
	}
	ix := b.Build()
	if got := ix.Reverse(orb.Point{5, 45}, 1, 0); len(got) != 1 || got[0].HouseNumber != "12bis" {
		t.Errorf("number 12Bis indexed as %+v, want house number 12bis", got)
	}
	if !strings.Contains(ix.Reverse(orb.Point{5, 45}, 1, 0)[0].Label, "Rue X") {
		t.Error("label lacks the street")
	}
}

// TestWithinOneEdit checks the one-edit fast path against the full
// table on random short words over a small alphabet, so that edits
// collide often.
func TestWithinOneEdit(t *testing.T) {
	rng := geotest.Rand(t)
	word := func() string {
		b := make([]byte, rng.Intn(7))
		for i := range b {
			b[i] = "abc"[rng.Intn(3)]
		}
		return string(b)
	}
	for range 20000 {
		a, b := word(), word()
		if got, want := withinOneEdit(a, b), min(editDistance(a, b, 2), 2); got != want && (len(a)-len(b))*(len(a)-len(b)) <= 1 {
			t.Fatalf("withinOneEdit(%q, %q) = %d, want %d", a, b, got, want)
		}
	}
}

// TestBoxDistanceLowerBound checks that boxDistanceM never exceeds the
// distance to a point inside the box; Reverse's brute-force test checks
// that it is tight enough to find the true nearest addresses.
func TestBoxDistanceLowerBound(t *testing.T) {
	rng := geotest.Rand(t)
	for range 2000 {
		lo := [2]float32{float32(-10 + 20*rng.Float64()), float32(-60 + 110*rng.Float64())}
		hi := [2]float32{lo[0] + float32(rng.Float64()), lo[1] + float32(rng.Float64())}
		p := orb.Point{-30 + 60*rng.Float64(), -70 + 140*rng.Float64()}
		bb := geo.NewBoxBound(p)
		bound := boxDistanceM(&bb, lo, hi)
		nearest := math.Inf(1)
		for range 200 {
			q := orb.Point{
				float64(lo[0]) + rng.Float64()*float64(hi[0]-lo[0]),
				float64(lo[1]) + rng.Float64()*float64(hi[1]-lo[1]),
			}
			nearest = min(nearest, distanceM(p, q))
		}
		if bound > nearest+1e-6 {
			t.Fatalf("boxDistanceM(%v, %v, %v) = %f, above %f to a point inside", p, lo, hi, bound, nearest)
		}
	}
}
