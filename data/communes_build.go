package data

import (
	"fmt"
	"sort"
	"strings"

	"github.com/paulmach/orb"

	"guichet/geo"
)

// communeShape is one polygon of a commune boundary layer, under the code
// the layer gives it.
type communeShape struct {
	code  string
	name  string
	geom  orb.MultiPolygon
	bound orb.Bound
	file  string
	line  int
	// Filled at build time.
	commune    *Commune
	competence Competence
}

// communeSources are the commune and jurisdiction sources of a load.
type communeSources struct {
	shapes     []communeShape
	cog        []COGRecord
	geo        map[string]CommuneGeo
	competence map[string][]CompetenceRow
	postal     []PostalName
}

func newCommuneSources(src *Sources) communeSources {
	c := communeSources{cog: src.COG, geo: src.CommuneGeo, competence: src.Competence, postal: src.PostalNames}
	c.shapes = make([]communeShape, len(src.Shapes))
	for i, sh := range src.Shapes {
		c.shapes[i] = communeShape{code: sh.Code, name: sh.Name, geom: sh.Geom, bound: sh.Bound, file: sh.File, line: sh.Line}
	}
	return c
}

// communeIndex is the built, read-only commune and jurisdiction data.
type communeIndex struct {
	communes []*Commune // current communes and arrondissements, by code
	byCode   map[string]*Commune
	// oldCode maps the code of a merged, delegated or associated commune
	// to the current commune.
	oldCode     map[string]*Commune
	byPostcode  map[string][]*Commune
	folded      []string // FoldName of communes[i].Name
	shapes      []communeShape
	polygons    geo.PolygonIndex[int32]
	hasPolygons bool
}

// serviceKey is how a jurisdiction table names a station: gendarmerie
// units as "3" followed by their unit code on six digits, police services
// by their own code.
func serviceKey(s *Station) string {
	if s.ServiceCode == "" {
		return ""
	}
	if s.Force == Gendarmerie {
		return "3" + fmt.Sprintf("%06s", s.ServiceCode)
	}
	return s.ServiceCode
}

// noCommunes reports whether src has no commune or jurisdiction source:
// the dataset then has no commune index.
func (src *Sources) noCommunes() bool {
	return len(src.Shapes) == 0 && len(src.COG) == 0 && len(src.CommuneGeo) == 0 && len(src.Competence) == 0
}

// build joins the commune sources with each other and with the stations,
// which must not move in memory afterwards; lines[i] is the source line
// of stations[i]. A boundary the polygon index
// refuses is rejected into rep.
func (c *communeSources) build(stations []Station, lines []int, rep *Report) *communeIndex {
	ix := &communeIndex{
		byCode:     map[string]*Commune{},
		oldCode:    map[string]*Commune{},
		byPostcode: map[string][]*Commune{},
	}
	all := make([]Commune, 0, len(c.cog))
	for _, rec := range c.cog {
		if rec.Type == COGDelegated || rec.Type == COGAssociated {
			continue
		}
		all = append(all, Commune{
			Code:        rec.Code,
			Name:        rec.Nom,
			Departement: rec.Departement,
			Region:      rec.Region,
			Postcodes:   rec.CodesPostaux,
			Population:  rec.Population,
			OldCodes:    rec.AnciensCodes,
			City:        rec.Commune,
		})
	}
	for i := range all {
		ix.byCode[all[i].Code] = &all[i]
	}
	for _, rec := range c.cog {
		switch rec.Type {
		case COGDelegated, COGAssociated:
			if cur := ix.byCode[rec.ChefLieu]; cur != nil && rec.Code != rec.ChefLieu {
				if _, isCurrent := ix.byCode[rec.Code]; !isCurrent {
					ix.oldCode[rec.Code] = cur
				}
			}
		}
	}
	for i := range all {
		cm := &all[i]
		for _, old := range cm.OldCodes {
			if _, isCurrent := ix.byCode[old]; !isCurrent {
				ix.oldCode[old] = cm
			}
		}
		if cm.City != "" {
			if city := ix.byCode[cm.City]; city != nil {
				city.Arrondissements = append(city.Arrondissements, cm)
			}
		}
	}
	// Polygon codes that the COG does not know (or every code, without a
	// COG) still name a commune: the layer's own.
	for i := range c.shapes {
		s := &c.shapes[i]
		s.commune = ix.lookup(s.code)
		if s.commune == nil {
			cm := &Commune{Code: s.code, Name: s.name, Departement: departementOf(s.code)}
			ix.byCode[s.code] = cm
			s.commune = cm
		}
	}
	for _, cm := range ix.byCode {
		ix.communes = append(ix.communes, cm)
	}
	sort.Slice(ix.communes, func(i, j int) bool { return ix.communes[i].Code < ix.communes[j].Code })

	ix.folded = make([]string, len(ix.communes))
	for i, cm := range ix.communes {
		ix.folded[i] = FoldName(cm.Name)
		for _, pc := range cm.Postcodes {
			ix.byPostcode[pc] = append(ix.byPostcode[pc], cm)
		}
		if g, ok := c.geo[cm.Code]; ok {
			cm.Center, cm.Bound, cm.HasBound = g.Center, g.Bound, true
		}
		sort.Slice(cm.Arrondissements, func(i, j int) bool { return cm.Arrondissements[i].Code < cm.Arrondissements[j].Code })
	}
	for i := range c.shapes {
		s := &c.shapes[i]
		if err := ix.polygons.Add(s.geom, int32(i)); err != nil {
			for k := range rep.Files {
				if fr := &rep.Files[k]; fr.File == s.file {
					fr.Kept--
					fr.Reject(s.line, ReasonBadField, "commune %s: boundary not indexed: %v", s.code, err)
				}
			}
			continue
		}
		ix.hasPolygons = true
	}
	ix.shapes = c.shapes

	links := c.linkStations(ix, stations, lines, rep)
	resolve := func(rows []CompetenceRow) Competence {
		var comp Competence
		for _, r := range rows {
			u := CompetentUnit{ServiceID: r.ServiceID, Force: r.Force}
			if l := links[unitKey{r.ServiceID, r.Force}]; l != nil {
				u.Station, u.Stations = l.main, l.stations
			}
			comp.add(u)
		}
		return comp
	}
	for _, cm := range ix.communes {
		cm.Competence = resolve(c.rowsOf(cm))
	}
	// Cities split into arrondissements answer with the union of theirs.
	for _, cm := range ix.communes {
		for _, a := range cm.Arrondissements {
			for _, u := range a.Competence.Units {
				cm.Competence.add(u)
			}
		}
	}
	// The table may still know a polygon under its pre-merger code, which
	// is then more precise than the current commune's union.
	for i := range c.shapes {
		s := &c.shapes[i]
		if rows := c.competence[s.code]; rows != nil {
			s.competence = resolve(rows)
		} else {
			s.competence = s.commune.Competence
		}
	}
	return ix
}

// rowsOf returns the jurisdiction rows of cm, under its own code or, for
// a table older than the last merger, under the first former code listed.
func (c *communeSources) rowsOf(cm *Commune) []CompetenceRow {
	rows := c.competence[cm.Code]
	for _, old := range cm.OldCodes {
		if rows != nil {
			break
		}
		rows = c.competence[old]
	}
	return rows
}

// add adds u unless already present and updates the zone.
func (comp *Competence) add(u CompetentUnit) {
	for _, v := range comp.Units {
		if v.ServiceID == u.ServiceID && v.Force == u.Force {
			return
		}
	}
	comp.Units = append(comp.Units, u)
	z := ZoneGendarmerie
	if u.Force == Police {
		z = ZonePolice
	}
	switch {
	case comp.Zone == ZoneUnknown:
		comp.Zone = z
	case comp.Zone != z:
		comp.Zone = ZoneMixed
	}
}

// lookup returns the commune with the current or former code, or nil.
func (ix *communeIndex) lookup(code string) *Commune {
	if cm := ix.byCode[code]; cm != nil {
		return cm
	}
	return ix.oldCode[code]
}

// departementOf derives the département from a commune code.
func departementOf(code string) string {
	if strings.HasPrefix(code, "97") {
		return code[:3]
	}
	return code[:2]
}
