package data

import (
	"context"
	"fmt"
	"math/rand"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"guichet/geo/geocode"
	"guichet/geo/geotest"
)

// evalCase is one generated or real address with the commune it is in.
type evalCase struct {
	shape, text string
	want        *Commune
}

// evalTally counts the first matches in the expected commune, by shape.
type evalTally struct {
	ok, total map[string]int
	misses    map[string][]string
}

func newEvalTally() *evalTally {
	return &evalTally{ok: map[string]int{}, total: map[string]int{}, misses: map[string][]string{}}
}

func (e *evalTally) add(shape string, ok bool, miss string) {
	e.total[shape]++
	if ok {
		e.ok[shape]++
	} else {
		e.misses[shape] = append(e.misses[shape], miss)
	}
}

// rate is the share found over the shapes given, all shapes when none.
func (e *evalTally) rate(shapes ...string) (ok, total int) {
	for s, n := range e.total {
		if len(shapes) == 0 || slices.Contains(shapes, s) {
			ok, total = ok+e.ok[s], total+n
		}
	}
	return ok, total
}

func (e *evalTally) log(t *testing.T, set string) {
	t.Helper()
	shapes := make([]string, 0, len(e.total))
	for s := range e.total {
		shapes = append(shapes, s)
	}
	sort.Strings(shapes)
	for _, s := range shapes {
		m := e.misses[s]
		t.Logf("%s, %s: %d/%d (%.2f %%) in the expected commune; misses e.g. %s", set, s, e.ok[s], e.total[s],
			100*float64(e.ok[s])/float64(e.total[s]), strings.Join(m[:min(len(m), 4)], "; "))
	}
}

// sameCommune reports whether match m is in commune want: the commune
// itself, one of its arrondissements, or, when the query cannot tell
// them apart, a homonym (sharing the postcode, when one is given).
func sameCommune(m *GeoMatch, want *Commune, pc string) bool {
	got := m.Commune
	switch {
	case got == nil:
		return false
	case got == want || got.City == want.Code:
		return true
	}
	name := foldName(want.Name)
	return (foldName(got.Name) == name || foldName(m.OldCity) == name) && (pc == "" || slices.Contains(got.Postcodes, pc))
}

// evalStreetTypes are written as people write them, abbreviated or not.
var evalStreetTypes = []string{"Rue de", "Route de", "Avenue de", "Chemin de", "Boulevard de", "Impasse de",
	"Allée de", "Place de", "Rte de", "Av.", "Bd", "Chem. de", "Lieu-dit", "Faubourg de", "Quai de", "Voie de"}

// adversarialCases generates, for n random communes A, addresses whose
// street is named after another commune B, of the same département or of
// another region, in five shapes and three cases, expecting A.
func adversarialCases(rng *rand.Rand, communes []*Commune, n int) []evalCase {
	var pool []*Commune
	byDep := map[string][]*Commune{}
	for _, c := range communes {
		if c.City == "" && len(c.Postcodes) > 0 {
			pool = append(pool, c)
			byDep[c.Departement] = append(byDep[c.Departement], c)
		}
	}
	var out []evalCase
	for len(out) < n {
		a := pool[rng.Intn(len(pool))]
		var b *Commune
		near := rng.Intn(2) == 0
		if near {
			dep := byDep[a.Departement]
			b = dep[rng.Intn(len(dep))]
		} else {
			b = pool[rng.Intn(len(pool))]
			if b.Region == a.Region {
				continue
			}
		}
		fa, fb := foldName(a.Name), foldName(b.Name)
		if b == a || fa == fb || strings.Contains(fa, fb) || strings.Contains(fb, fa) {
			continue
		}
		street := evalStreetTypes[rng.Intn(len(evalStreetTypes))] + " " + b.Name
		num := strconv.Itoa(1 + rng.Intn(200))
		pc := a.Postcodes[rng.Intn(len(a.Postcodes))]
		city := a.Name
		var shape, text string
		switch rng.Intn(5) {
		case 0:
			shape, text = "number street postcode city", num+" "+street+" "+pc+" "+city
		case 1:
			shape, text = "street postcode city", street+" "+pc+" "+city
		case 2:
			shape, text = "number street city", num+" "+street+" "+city
		case 3:
			shape, text = "street, city", street+", "+city
		case 4:
			shape, text = "number street city postcode", num+" "+street+" "+city+" "+pc
		}
		switch rng.Intn(3) {
		case 1:
			text, shape = strings.ToUpper(text), shape+" (upper case)"
		case 2:
			text, shape = strings.ToLower(text), shape+" (lower case)"
		}
		if near {
			shape += ", same département"
		} else {
			shape += ", far"
		}
		out = append(out, evalCase{shape: shape, text: text, want: a})
	}
	return out
}

var evalPostcode = regexp.MustCompile(`\b\d{5}\b`)

// realUnitCases are the gendarmerie units' postal addresses, expecting
// the commune at their published position, with noisy variants for one
// unit in every.
func realUnitCases(t *testing.T, ds *Dataset, rng *rand.Rand, every int) []evalCase {
	units, skipped := unitAddresses(t, ds)
	abbr := strings.NewReplacer("Rue ", "r ", "Avenue ", "av ", "Boulevard ", "bd ", "Route ", "rte ", "Chemin ", "ch ", "Place ", "pl ", "Saint-", "St-", "SAINT ", "ST ")
	var out []evalCase
	for _, u := range units {
		addr, j := u.Address, u.At
		want := j.Commune
		out = append(out, evalCase{"as published", addr, want})
		if rng.Intn(every) != 0 {
			continue
		}
		out = append(out,
			evalCase{"lower case", strings.ToLower(addr), want},
			evalCase{"abbreviated", abbr.Replace(addr), want},
			evalCase{"no postcode", strings.Join(strings.Fields(evalPostcode.ReplaceAllString(addr, "")), " "), want},
			evalCase{"typo in the city", typoInLastWord(rng, addr), want})
	}
	t.Logf("real addresses: %d cases, skipped %v", len(out), skipped)
	return out
}

// typoInLastWord swaps two adjacent letters of the last word of at least
// five letters.
func typoInLastWord(rng *rand.Rand, s string) string {
	words := strings.Fields(s)
	for i := len(words) - 1; i >= 0; i-- {
		r := []rune(words[i])
		if len(r) < 5 || !regexp.MustCompile(`^\pL+$`).MatchString(words[i]) {
			continue
		}
		j := 1 + rng.Intn(len(r)-2)
		r[j], r[j+1] = r[j+1], r[j]
		words[i] = string(r)
		break
	}
	return strings.Join(words, " ")
}

// addressNamesOtherCommune reports whether the address ends with the
// postcode and exact name of a commune other than the one at the unit's
// position: the unit then sits outside the commune of its own address
// (its position was taken elsewhere), which no geocoder can follow.
func addressNamesOtherCommune(ds *Dataset, addr string, at *Commune) (*Commune, bool) {
	loc := evalPostcode.FindAllStringIndex(addr, -1)
	if len(loc) == 0 {
		return nil, false
	}
	last := loc[len(loc)-1]
	pc, city := addr[last[0]:last[1]], geocode.Normalize(addr[last[1]:])
	for _, c := range ds.communes.byPostcode[pc] {
		if geocode.Normalize(c.Name) == city && c != at && c.Code != at.City {
			return c, true
		}
	}
	return nil, false
}

// TestNationalGeocodingAccuracy geocodes generated adversarial addresses
// (streets named after other communes) and the real gendarmerie
// addresses with noisy variants, and checks the first match's commune
// against the commune the address is in. It also checks, on every query
// with a valid postcode, that the first match's commune has it.
func TestNationalGeocodingAccuracy(t *testing.T) {
	ds := nationalDataset(t)
	rng := geotest.Rand(t)
	// Under the race detector (as CI runs it) a quarter of the generated
	// queries and of the real addresses' noisy variants; every published
	// address always.
	scale := 1
	if raceEnabled {
		scale = 4
		t.Logf("race detector on: generated sets and noisy variants cut to a quarter")
	}
	ctx := context.Background()
	pcViolations := 0
	checkPostcode := func(text string, m *GeoMatch) {
		pcs := evalPostcode.FindAllString(text, -1)
		if len(pcs) == 0 || !ds.knownPostcode(pcs[0]) || m.Commune == nil {
			return
		}
		if pc := pcs[0]; !slices.Contains(m.Commune.Postcodes, pc) {
			pcViolations++
			t.Errorf("Geocode(%q) = %s %s, whose postcodes %v exclude %s", text, m.Citycode, m.City, m.Commune.Postcodes, pc)
		}
	}
	run := func(cases []evalCase, tally *evalTally, explain func(evalCase, *GeoMatch) (string, bool)) {
		for _, c := range cases {
			ms, err := ds.Geocode(ctx, geocode.Query{Text: c.text, Limit: 2})
			if err != nil {
				t.Fatalf("Geocode(%q) = %v", c.text, err)
			}
			pc := ""
			if m := evalPostcode.FindString(c.text); m != "" {
				pc = m
			}
			if len(ms) == 0 {
				tally.add(c.shape, false, c.text+" → nothing")
				continue
			}
			checkPostcode(c.text, &ms[0])
			if sameCommune(&ms[0], c.want, pc) {
				tally.add(c.shape, true, "")
				continue
			}
			shape := c.shape
			if explain != nil {
				if why, ok := explain(c, &ms[0]); ok {
					shape += " [" + why + "]"
				}
			}
			tally.add(shape, false, fmt.Sprintf("%s → %s %s, want %s %s", c.text, ms[0].Citycode, ms[0].City, c.want.Code, c.want.Name))
		}
	}

	adv := newEvalTally()
	run(adversarialCases(rng, ds.communes.communes, 3000/scale), adv, nil)
	adv.log(t, "adversarial")
	ok, total := adv.rate()
	t.Logf("adversarial: %d/%d (%.2f %%)", ok, total, 100*float64(ok)/float64(total))
	if float64(ok) < 0.99*float64(total) {
		t.Errorf("adversarial: %d/%d in the expected commune, want at least 99 %%", ok, total)
	}

	real := newEvalTally()
	otherCommune := "address names another commune than the position's"
	run(realUnitCases(t, ds, rng, scale), real, func(c evalCase, m *GeoMatch) (string, bool) {
		if named, ok := addressNamesOtherCommune(ds, c.text, c.want); ok && m.Commune == named {
			return otherCommune, true
		}
		return "", false
	})
	real.log(t, "real")
	ok, total = real.rate("as published", "as published ["+otherCommune+"]")
	disagree := real.total["as published ["+otherCommune+"]"]
	t.Logf("real as published: %d/%d (%.2f %%); %d more give the commune their own address names, not the position's: %.2f %% of the rest",
		ok, total, 100*float64(ok)/float64(total), disagree, 100*float64(ok)/float64(total-disagree))
	if float64(ok) < 0.995*float64(total-disagree) {
		t.Errorf("real addresses: %d/%d in the expected commune (%d where the address names another), want at least 99.5 %%", ok, total, disagree)
	}
	for _, shape := range []string{"lower case", "abbreviated"} {
		ok, total := real.rate(shape, shape+" ["+otherCommune+"]")
		if float64(ok) < 0.995*float64(total-real.total[shape+" ["+otherCommune+"]"]) {
			t.Errorf("real addresses, %s: %d/%d, want at least 99.5 %% as published", shape, ok, total)
		}
	}
	// The property on its own: the text names commune A and a street
	// after B, the postcode is C's. C, which has the postcode, must come
	// first, whatever the text says.
	cases := adversarialCases(rng, ds.communes.communes, 2000/scale)
	var pool []*Commune
	for _, c := range ds.communes.communes {
		if len(c.Postcodes) > 0 {
			pool = append(pool, c)
		}
	}
	for _, c := range cases {
		other := pool[rng.Intn(len(pool))]
		pc := other.Postcodes[rng.Intn(len(other.Postcodes))]
		text := evalPostcode.ReplaceAllString(c.text, "")
		if rng.Intn(2) == 0 {
			text += " " + pc
		} else {
			text = pc + " " + text
		}
		ms, err := ds.Geocode(ctx, geocode.Query{Text: text, Limit: 1})
		if err != nil || len(ms) == 0 {
			t.Errorf("Geocode(%q) = %v, %v; want a commune of %s", text, ms, err, pc)
			continue
		}
		checkPostcode(text, &ms[0])
	}
	t.Logf("%d generated queries with the postcode of a third commune checked", len(cases))
	if pcViolations > 0 {
		t.Errorf("%d first matches contradict a valid postcode of their query", pcViolations)
	}
}
