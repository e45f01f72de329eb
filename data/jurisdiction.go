package data

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/paulmach/orb"

	"guichet/geo"
)

// DefaultBoundaryM is the margin within which Locate flags a point as
// near its commune's boundary: the 2018 boundaries were simplified to
// about 1e-5 degrees and a phone's position is rarely better than that.
const DefaultBoundaryM = 50

// MaxBoundaryM bounds the margin of Locate.
const MaxBoundaryM = 10_000

// CommuneCount returns the number of communes and arrondissements known.
func (d *Dataset) CommuneCount() int { return d.nCommunes }

// BoundaryCount returns the number of commune boundaries indexed.
func (d *Dataset) BoundaryCount() int { return d.nBoundaries }

// Commune returns the commune with the given current or former INSEE
// code; a merged commune's code gives the commune it merged into.
func (d *Dataset) Commune(code string) (*Commune, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !communeCode.MatchString(code) {
		return nil, fmt.Errorf("%w: %q is not an INSEE commune code (5 characters, e.g. 38185 or 2A004)", ErrInvalid, code)
	}
	if ix := d.communes.get(); ix != nil {
		if cm := ix.lookup(code); cm != nil {
			return cm, nil
		}
	}
	return nil, fmt.Errorf("%w: no commune with code %s", ErrNotFound, code)
}

// Communes returns the communes with the postcode, or whose name matches
// q.Name ignoring case, accents and punctuation: exact matches first,
// then names that start with it, each group by decreasing population.
func (d *Dataset) Communes(q CommuneQuery) []*Commune {
	ix := d.communes.get()
	if ix == nil {
		return nil
	}
	var out []*Commune
	want := FoldName(q.Name)
	switch {
	case q.Postcode != "":
		out = append(out, ix.byPostcode[strings.TrimSpace(q.Postcode)]...)
		sort.SliceStable(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	case want != "":
		var prefix []*Commune
		for i, f := range ix.folded {
			switch {
			case f == want:
				out = append(out, ix.communes[i])
			case strings.HasPrefix(f, want+" "):
				prefix = append(prefix, ix.communes[i])
			}
		}
		byPop := func(s []*Commune) {
			sort.SliceStable(s, func(i, j int) bool { return s[i].Population > s[j].Population })
		}
		byPop(out)
		byPop(prefix)
		out = append(out, prefix...)
	}
	return out
}

// Locate returns the commune, the force and the units with jurisdiction
// at p. A point within nearM metres of its commune's boundary is flagged
// and the neighbouring communes within nearM are named. A point in no
// commune (at sea, abroad, or in a territory without boundaries) gives an
// error wrapping ErrNotFound.
//
// Locate does not allocate unless the point has neighbours within nearM.
func (d *Dataset) Locate(p orb.Point, nearM float64) (Jurisdiction, error) {
	if !(nearM >= 0 && nearM <= MaxBoundaryM) {
		return Jurisdiction{}, fmt.Errorf("%w: boundary margin must be between 0 and %d metres", ErrInvalid, MaxBoundaryM)
	}
	j, shape, _, err := d.communeAt(p, true)
	if err != nil {
		return Jurisdiction{}, err
	}
	j.Boundary.Near = j.Boundary.DistanceM <= nearM
	if j.Boundary.Near {
		j.Boundary.Neighbours = d.neighbours(p, nearM, shape)
	}
	return j, nil
}

// CommuneAt is Locate without the boundary: the commune, the force and the
// units with jurisdiction at p, for callers that only route (nearest
// competent units, geocoding results). Its Boundary is zero. It never
// allocates.
func (d *Dataset) CommuneAt(p orb.Point) (Jurisdiction, error) {
	j, _, _, err := d.communeAt(p, false)
	return j, err
}

// communeAt is CommuneAt that also returns the index of the shape holding
// p and the dataset's own copy of the competence of the answer. With
// boundary, it measures Boundary.DistanceM too.
func (d *Dataset) communeAt(p orb.Point, boundary bool) (Jurisdiction, int32, *Competence, error) {
	if err := ValidatePoint(p); err != nil {
		return Jurisdiction{}, 0, nil, err
	}
	ix := d.communes.get()
	if ix == nil || !ix.hasPolygons {
		return Jurisdiction{}, 0, nil, fmt.Errorf("%w: no commune boundaries are loaded", ErrNotFound)
	}
	var i int32
	var ok bool
	var distM float64
	if boundary {
		i, distM, ok = ix.polygons.LocateBoundary(p)
	} else {
		i, ok = ix.polygons.Locate(p)
	}
	if !ok {
		return Jurisdiction{}, 0, nil, fmt.Errorf("%w: no commune at lat %.5f, lon %.5f: the point is at sea or outside the territories with known boundaries (metropolitan France and the five overseas départements)", ErrNotFound, p[1], p[0])
	}
	s := &ix.shapes[i]
	j := Jurisdiction{Commune: s.commune, ShapeCode: s.code}
	j.Boundary.DistanceM = distM
	comp := &s.competence
	if a := arrondissementAt(s.commune, p); a != nil {
		j.Commune, j.Precision, comp = a, PrecisionArrondissementApproximate, &a.Competence
	}
	j.Competence = *comp
	return j, i, comp, nil
}

// neighbours lists the communes other than that of shape own within maxM
// of p, nearest first, one entry per commune.
func (d *Dataset) neighbours(p orb.Point, maxM float64, own int32) []Neighbour {
	ix := d.communes.get()
	buf, _ := d.nearPool.Get().(*[]geo.Near[int32])
	if buf == nil {
		buf = new([]geo.Near[int32])
	}
	*buf = ix.polygons.Nearby(p, maxM, (*buf)[:0])
	var out []Neighbour
	ownCommune := ix.shapes[own].commune
	for _, n := range *buf {
		cm := ix.shapes[n.Value].commune
		if n.Value == own || cm == ownCommune {
			continue
		}
		dup := false
		for k := range out {
			if out[k].Commune == cm {
				dup = true
				out[k].DistanceM = math.Min(out[k].DistanceM, n.DistanceM)
			}
		}
		if !dup {
			out = append(out, Neighbour{Commune: cm, DistanceM: n.DistanceM})
		}
	}
	d.nearPool.Put(buf)
	sort.SliceStable(out, func(i, j int) bool { return out[i].DistanceM < out[j].DistanceM })
	return out
}

// arrondissementAt picks the arrondissement of a city split into
// arrondissements: among those whose bounding box holds p, the one with
// the nearest centre. Only boxes and centres are known for
// arrondissements, so the answer is approximate near their limits. It
// returns nil for other communes or when no arrondissement has a box.
func arrondissementAt(city *Commune, p orb.Point) *Commune {
	var best *Commune
	bestIn, bestD := false, math.Inf(1)
	for _, a := range city.Arrondissements {
		if !a.HasBound {
			continue
		}
		in := a.Bound.Contains(p)
		dist := geo.Distance(p, a.Center)
		if (in && !bestIn) || (in == bestIn && dist < bestD) {
			best, bestIn, bestD = a, in, dist
		}
	}
	return best
}

// isCompetent reports whether st is one of the units of comp.
func (comp *Competence) isCompetent(st *Station) bool {
	for i := range comp.Units {
		for _, s := range comp.Units[i].Stations {
			if s == st {
				return true
			}
		}
	}
	return false
}
