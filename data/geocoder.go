package data

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"guichet/geo"
	"guichet/geo/geocode"
)

// maxReverseM bounds how far ReverseGeocode looks for an address before
// answering with the commune at the point: an address kilometres away
// describes another place.
const maxReverseM = 1000

// formerMark prefixes the geocoder key of a former (delegated or
// associated) commune. Such a commune often keeps its code as the code of
// the commune it merged into, and the geocoder keys communes by code; the
// mark keeps both names searchable and never leaves this package.
const formerMark = "former:"

// aliasMark prefixes the geocoder key of another name of a commune: a La
// Poste routing name or ligne 5. Like formerMark, it keeps the name a
// place of its own, so that a name two communes share stays ambiguous, and
// never leaves this package.
const aliasMark = "alias:"

// GeoMatch is one geocoding result joined with its commune.
type GeoMatch struct {
	geocode.Match
	// Commune is the current commune or arrondissement of the match; nil
	// when its code is unknown to the loaded communes.
	Commune *Commune
	// OldCitycode and OldCity name the former commune a municipality
	// match designates, when it has merged into Commune since.
	OldCitycode, OldCity string
}

// Competence returns the jurisdiction over the match's commune; the zero
// Competence when the commune is unknown.
func (m *GeoMatch) Competence() Competence {
	if m.Commune == nil {
		return Competence{}
	}
	return m.Commune.Competence
}

// Geocoder returns the address and commune index, built at load time or,
// for a restored dataset, on first use. It is never nil; it holds only communes when no BAN file was loaded, and
// nothing without commune files.
func (d *Dataset) Geocoder() *geocode.Index {
	if gx := d.geocoder.get(); gx != nil {
		return gx
	}
	return emptyGeocoder
}

var emptyGeocoder = geocode.NewBuilder().Build()

// Geocode resolves free text to places, best first. An invalid query
// wraps ErrInvalid; no match is an empty result, not an error.
//
// A commune-level query (type municipality, or any query while no address
// is loaded) whose text holds a known postcode is first restricted to
// that postcode: in "2 Rue Danton 38500 VOIRON" the street words also
// name communes elsewhere in France, and the postcode is what the writer
// meant to settle. Without a match there, the query runs unrestricted.
func (d *Dataset) Geocode(ctx context.Context, q geocode.Query) ([]GeoMatch, error) {
	ix := d.Geocoder()
	var ms []geocode.Match
	var err error
	if pc := textPostcode(q.Text); pc != "" && q.Postcode == "" && q.Citycode == "" &&
		(q.Type == geocode.TypeMunicipality || ix.Len() == 0) && d.knownPostcode(pc) {
		restricted := q
		restricted.Postcode = pc
		ms, err = ix.Geocode(ctx, restricted)
	}
	if len(ms) == 0 && (err == nil || errors.Is(err, geocode.ErrNoMatch)) {
		ms, err = ix.Geocode(ctx, q)
	}
	switch {
	case errors.Is(err, geocode.ErrNoMatch):
		return nil, nil
	case errors.Is(err, geocode.ErrBadQuery):
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	case err != nil:
		return nil, err
	}
	out := make([]GeoMatch, len(ms))
	for i := range ms {
		out[i] = d.geoMatch(ms[i])
	}
	return out, nil
}

// textPostcode returns the last five-digit word of s, or "": house
// numbers come before the postcode and rarely have five digits.
func textPostcode(s string) string {
	pc := ""
	for f := range strings.FieldsFuncSeq(s, func(r rune) bool { return r < '0' || r > '9' }) {
		if len(f) == 5 {
			pc = f
		}
	}
	return pc
}

// knownPostcode reports whether a loaded commune has postcode pc.
func (d *Dataset) knownPostcode(pc string) bool {
	ix := d.communes.get()
	return ix != nil && len(ix.byPostcode[pc]) > 0
}

// ReverseGeocode returns up to limit addresses nearest to p, closest
// first. With no address within maxReverseM, it answers the commune at p
// (type municipality, at the commune's centre) when one is known.
func (d *Dataset) ReverseGeocode(p orb.Point, limit int) ([]GeoMatch, error) {
	if err := ValidatePoint(p); err != nil {
		return nil, err
	}
	if limit < 0 || limit > geocode.MaxLimit {
		return nil, fmt.Errorf("%w: limit must be between 1 and %d", ErrInvalid, geocode.MaxLimit)
	}
	ms := d.Geocoder().Reverse(p, limit, maxReverseM)
	if len(ms) > 0 {
		out := make([]GeoMatch, len(ms))
		for i := range ms {
			out[i] = d.geoMatch(ms[i])
		}
		return out, nil
	}
	j, err := d.CommuneAt(p)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	cm := j.Commune
	center := cm.Center
	if !cm.HasBound {
		center = p
	}
	dist := geo.Distance(p, center)
	m := geocode.Match{
		ID: cm.Code, Type: geocode.TypeMunicipality, Label: cm.Name,
		City: cm.Name, Citycode: cm.Code, Point: center,
		DistanceM: dist, Score: 1 / (1 + dist/100),
	}
	if len(cm.Postcodes) > 0 {
		m.Postcode = cm.Postcodes[0]
	}
	return []GeoMatch{{Match: m, Commune: cm}}, nil
}

// geoMatch joins m with its current commune, undoing the former-commune
// key.
func (d *Dataset) geoMatch(m geocode.Match) GeoMatch {
	g := GeoMatch{Match: m}
	if rest, ok := strings.CutPrefix(m.Citycode, aliasMark); ok {
		code, _, _ := strings.Cut(rest, ":")
		if m.ID == m.Citycode {
			g.ID = code
		}
		g.Citycode = code
		if ix := d.communes.get(); ix != nil {
			g.Commune = ix.lookup(code)
		}
		if g.Commune != nil {
			g.City = g.Commune.Name
			if m.Type == geocode.TypeMunicipality {
				g.Label = g.Commune.Name
			}
		}
		return g
	}
	if rest, ok := strings.CutPrefix(m.Citycode, formerMark); ok {
		code, _, _ := strings.Cut(rest, ":")
		g.OldCitycode, g.OldCity = code, m.City
		if m.ID == m.Citycode {
			g.ID = code
		}
		g.Citycode = code
	}
	if ix := d.communes.get(); ix != nil {
		g.Commune = ix.lookup(g.Citycode)
	}
	if g.Commune != nil && g.OldCitycode != "" {
		g.Citycode, g.City = g.Commune.Code, g.Commune.Name
	}
	return g
}

// buildGeocoder indexes the communes of ix (which may be nil) and the BAN
// addresses; an address the geocoder refuses is rejected into rep.
func buildGeocoder(addrs []AddressRow, ix *communeIndex, src *communeSources, rep *Report) (gx *geocode.Index, refused int) {
	if len(addrs) == 0 && ix == nil {
		return emptyGeocoder, 0
	}
	gb := geocode.NewBuilder()
	refused = addAddresses(gb, addrs, rep)
	if ix != nil {
		addCommunesToGeocoder(gb, ix, src)
	}
	return gb.Build(), refused
}

// addAddresses adds the BAN rows to gb and returns how many it refused.
// Their files have counted them as kept; a row gb refuses is taken back
// and rejected. At most MaxFileRejections rejections are listed per file,
// the rows rejected beyond them summed up in one last rejection.
func addAddresses(gb *geocode.Builder, addrs []AddressRow, rep *Report) (refused int) {
	var fr *FileReport
	files := map[*FileReport]bool{}
	for i := range addrs {
		a := &addrs[i]
		if fr == nil || fr.File != a.File {
			fr = rep.file(a.File)
			files[fr] = true
		}
		if err := gb.AddAddress(a.Address); err != nil {
			refused++
			if fr == nil {
				continue
			}
			fr.Kept--
			if len(fr.Rejections) < MaxFileRejections {
				fr.Reject(a.Line, ReasonBadField, "%s", err.Error())
			}
		}
	}
	for fr := range files {
		if fr != nil {
			fr.SummariseUnlisted()
		}
	}
	return refused
}

// addCommunesToGeocoder declares every current commune and arrondissement
// with a known centre, then the former communes under their own names so
// that an address written before a merger still finds its commune.
func addCommunesToGeocoder(gb *geocode.Builder, ix *communeIndex, src *communeSources) {
	// Centres come from the commune geo index; failing that, from the
	// centroid of the boundary drawn under the commune's own code, else of
	// any boundary now part of it.
	centroids := map[string]orb.Point{}
	for i := range ix.shapes {
		s := &ix.shapes[i]
		c, _ := planar.CentroidArea(s.geom)
		centroids[s.code] = c
		if _, ok := centroids[s.commune.Code]; !ok {
			centroids[s.commune.Code] = c
		}
	}
	center := func(code string) (orb.Point, bool) {
		if g, ok := src.geo[code]; ok {
			return g.Center, true
		}
		c, ok := centroids[code]
		return c, ok
	}
	postal := postalNamesOf(ix, src)
	for _, cm := range ix.communes {
		c, ok := center(cm.Code)
		if !ok {
			continue
		}
		pn := postal[cm]
		if pn == nil {
			pn = &communePostal{}
		}
		pcs := cm.Postcodes
		if len(pcs) == 0 {
			pcs = pn.postcodes
		}
		gb.AddMunicipality(geocode.Municipality{Code: cm.Code, Name: cm.Name, Postcodes: pcs, Center: c, Population: cm.Population,
			Parent: cm.City, District: cm.City != ""})
		// Another name carries no population: the official name of a
		// commune outranks it.
		for i, a := range pn.names {
			gb.AddMunicipality(geocode.Municipality{Code: fmt.Sprintf("%s%s:%d", aliasMark, cm.Code, i), Name: a.name, Postcodes: a.postcodes,
				Center: c, Parent: cm.Code, Alias: true})
		}
	}
	for i, rec := range src.cog {
		if rec.Type != COGDelegated && rec.Type != COGAssociated {
			continue
		}
		cur := ix.byCode[rec.ChefLieu]
		if cur == nil || FoldName(rec.Nom) == FoldName(cur.Name) {
			continue
		}
		c, ok := center(rec.Code)
		if !ok {
			if c, ok = center(cur.Code); !ok {
				continue
			}
		}
		pcs := rec.CodesPostaux
		if len(pcs) == 0 {
			pcs = cur.Postcodes
		}
		// The record index keeps keys unique when a code names both a
		// delegated and an associated commune.
		key := fmt.Sprintf("%s%s:%d", formerMark, rec.Code, i)
		gb.AddMunicipality(geocode.Municipality{Code: key, Name: rec.Nom, Postcodes: pcs, Center: c, Population: rec.Population, Parent: cur.Code})
	}
}

// communePostal are a commune's postcodes and other names in La Poste's base.
type communePostal struct {
	postcodes []string
	names     []postalAlias
}

type postalAlias struct {
	name      string
	postcodes []string
}

// postalNamesOf gathers La Poste's routing names and lignes 5 by current
// commune. A name the commune already answers to (its own, its city's, a
// former commune's merged into it) is left out, and each name is kept once
// per commune with the union of its postcodes, however many rows or files
// give it.
func postalNamesOf(ix *communeIndex, src *communeSources) map[*Commune]*communePostal {
	if len(src.postal) == 0 {
		return nil
	}
	known := map[*Commune]map[string]int{} // folded name → index in names, -1 when already known
	// A place named like a commune elsewhere (the many lieux-dits "Saint-
	// Pierre") is left out: it would only make the commune of that name
	// ambiguous, and let a street word outrank the address's commune.
	official := make(map[string]bool, len(ix.communes))
	for _, cm := range ix.communes {
		official[saintFold(cm.Name)] = true
	}
	out := map[*Commune]*communePostal{}
	entry := func(cm *Commune) (*communePostal, map[string]int) {
		if p, ok := out[cm]; ok {
			return p, known[cm]
		}
		p, k := &communePostal{}, map[string]int{FoldName(cm.Name): -1}
		if city := ix.byCode[cm.City]; city != nil {
			k[FoldName(city.Name)] = -1
		}
		out[cm], known[cm] = p, k
		return p, k
	}
	for _, rec := range src.cog {
		if rec.Type != COGDelegated && rec.Type != COGAssociated {
			continue
		}
		if cm := ix.byCode[rec.ChefLieu]; cm != nil {
			_, k := entry(cm)
			k[FoldName(rec.Nom)] = -1
		}
	}
	for i := range src.postal {
		r := &src.postal[i]
		cm := ix.lookup(r.Code)
		if cm == nil {
			continue
		}
		p, k := entry(cm)
		if !slices.Contains(p.postcodes, r.Postcode) {
			p.postcodes = append(p.postcodes, r.Postcode)
		}
		for _, name := range []string{r.Routing, r.Line5} {
			f := FoldName(name)
			if f == "" || official[saintFold(name)] {
				continue
			}
			j, ok := k[f]
			if !ok {
				j = len(p.names)
				k[f] = j
				p.names = append(p.names, postalAlias{name: name})
			}
			if j >= 0 && !slices.Contains(p.names[j].postcodes, r.Postcode) {
				p.names[j].postcodes = append(p.names[j].postcodes, r.Postcode)
			}
		}
	}
	return out
}

// saintFold folds a name with La Poste's ST and STE spelt out, so that
// "ST PIERRE" and "Saint-Pierre" compare equal.
func saintFold(s string) string {
	w := strings.Fields(FoldName(s))
	for i := range w {
		switch w[i] {
		case "st":
			w[i] = "saint"
		case "ste":
			w[i] = "sainte"
		}
	}
	return strings.Join(w, " ")
}
