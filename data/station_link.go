package data

import (
	"sort"
	"strings"

	"github.com/paulmach/orb"

	"guichet/geo"
)

// ReasonOutsideServiceTerritory is a warning: a police station whose
// service code names a service of the jurisdiction table lies in a
// commune that the table gives to another service. The station is kept
// and listed, but linked to no service, since its code and its position
// cannot both be right.
const ReasonOutsideServiceTerritory = "outside_service_territory"

// unitKey names a service of the jurisdiction tables.
type unitKey struct {
	serviceID string
	force     Force
}

// unitStations are the stations found for one service.
type unitStations struct {
	main     *Station
	stations []*Station
}

// linkStations finds the stations of every service of the jurisdiction
// tables. A gendarmerie unit is named by its code. A police station
// belongs to the police services whose territory (the communes the table
// gives them) holds it; when it also bears the code of a service of the
// table, the territory must agree, and a station outside its own
// service's territory is reported and linked to none. Without commune
// boundaries or code, a coded station keeps its code link unchecked.
func (c *communeSources) linkStations(ix *communeIndex, stations []Station, lines []int, rep *Report) map[unitKey]*unitStations {
	policeServices := map[string]bool{}
	for _, rows := range c.competence {
		for _, r := range rows {
			if r.Force == Police {
				policeServices[r.ServiceID] = true
			}
		}
	}
	links := map[unitKey]*unitStations{}
	link := func(k unitKey, st *Station, main bool) {
		l := links[k]
		if l == nil {
			l = &unitStations{}
			links[k] = l
		}
		l.stations = append(l.stations, st)
		if main && l.main == nil {
			l.main = st
		}
	}
	for i := range stations {
		st := &stations[i]
		code := serviceKey(st)
		if st.Force != Police {
			if code != "" {
				link(unitKey{code, st.Force}, st, true)
			}
			continue
		}
		rows, located := c.rowsAt(ix, st)
		if code == "" || !policeServices[code] {
			for _, r := range rows {
				if r.Force == Police {
					link(unitKey{r.ServiceID, Police}, st, false)
				}
			}
			continue
		}
		if located && !hasService(rows, code, Police) {
			rep.warnAt(st.Source, lines[i], ReasonOutsideServiceTerritory,
				"%s: service code %s, but the station lies in a commune the jurisdiction table gives to %s; linked to no service",
				st.ID, code, describeRows(rows))
			continue
		}
		link(unitKey{code, Police}, st, true)
	}
	for _, l := range links {
		if l.main == nil {
			l.main = mainByName(l.stations)
		}
		sort.Slice(l.stations, func(i, j int) bool {
			a, b := l.stations[i], l.stations[j]
			if (a == l.main) != (b == l.main) {
				return a == l.main
			}
			return a.ID < b.ID
		})
	}
	return links
}

// rowsAt returns the jurisdiction rows of the place of st, and whether
// that place is known: its commune code when the source gives one the
// commune list knows, else the commune boundary holding its position. In
// Paris, Lyon and Marseille the arrondissement is the one of the
// station's postcode, else the one its position falls in. A place absent
// from every jurisdiction table is unknown.
func (c *communeSources) rowsAt(ix *communeIndex, st *Station) ([]CompetenceRow, bool) {
	var cm *Commune
	var rows []CompetenceRow
	if code := strings.ToUpper(strings.TrimSpace(st.Address.Citycode)); communeCode.MatchString(code) {
		if cm = ix.lookup(code); cm != nil {
			rows = c.competence[code]
		}
	}
	if cm == nil && ix.hasPolygons {
		if i, ok := ix.polygons.Locate(st.Location); ok {
			s := &ix.shapes[i]
			cm, rows = s.commune, c.competence[s.code]
		}
	}
	if cm == nil {
		return nil, false
	}
	if a := arrondissementOf(cm, st); a != nil {
		cm, rows = a, nil
	}
	if rows == nil {
		rows = c.rowsOf(cm)
	}
	return rows, len(rows) > 0
}

// arrondissementOf returns the arrondissement of city that holds st: the
// only one with its postcode, else the one its position falls in; nil for
// a commune without arrondissements.
func arrondissementOf(city *Commune, st *Station) *Commune {
	if len(city.Arrondissements) == 0 {
		return nil
	}
	var byPostcode *Commune
	n := 0
	for _, a := range city.Arrondissements {
		for _, pc := range a.Postcodes {
			if pc == st.Address.Postcode {
				byPostcode = a
				n++
				break
			}
		}
	}
	if n == 1 {
		return byPostcode
	}
	return arrondissementAt(city, st.Location)
}

func hasService(rows []CompetenceRow, id string, force Force) bool {
	for _, r := range rows {
		if r.ServiceID == id && r.Force == force {
			return true
		}
	}
	return false
}

// describeRows names the services of rows for a load report.
func describeRows(rows []CompetenceRow) string {
	var parts []string
	for _, r := range rows {
		parts = append(parts, r.Force.String()+" "+r.ServiceID)
	}
	return strings.Join(parts, " and ")
}

// mainByName returns the station the names of the others designate as
// the main one: the only one whose name the others extend ("Commissariat
// de police de Nîmes" before "… - Secteur Est"), else the only
// "commissariat central" or "hôtel de police". It returns nil when the
// names do not say.
func mainByName(sts []*Station) *Station {
	if len(sts) < 2 {
		return nil
	}
	folded := make([]string, len(sts))
	for i, st := range sts {
		folded[i] = FoldName(st.Name)
	}
	if m := onlyOne(sts, func(i int) bool {
		for j := range sts {
			if j != i && strings.HasPrefix(folded[j], folded[i]+" ") {
				return true
			}
		}
		return false
	}); m != nil {
		return m
	}
	return onlyOne(sts, func(i int) bool {
		return strings.Contains(folded[i], "commissariat central") || strings.Contains(folded[i], "hotel de police")
	})
}

// onlyOne returns the only station of sts for whose index is holds, or nil.
func onlyOne(sts []*Station, is func(int) bool) *Station {
	var found *Station
	for i := range sts {
		if is(i) {
			if found != nil {
				return nil
			}
			found = sts[i]
		}
	}
	return found
}

// StationsNear appends the unit's stations to buf[:0], nearest to p
// first (ties keep the main station first).
func (u *CompetentUnit) StationsNear(p orb.Point, buf []StationHit) []StationHit {
	buf = buf[:0]
	for _, st := range u.Stations {
		buf = append(buf, StationHit{Station: st, DistanceM: geo.Distance(p, st.Location)})
	}
	sort.SliceStable(buf, func(i, j int) bool { return buf[i].DistanceM < buf[j].DistanceM })
	return buf
}

// StationlessForces returns the forces with jurisdiction here of which no
// station is known, police first: the competent force must then be
// reached another way (17, the online pre-complaint), not through the
// other force's stations.
func (comp *Competence) StationlessForces() []Force {
	var out []Force
	for _, f := range []Force{Police, Gendarmerie} {
		competent, served := false, false
		for i := range comp.Units {
			if u := &comp.Units[i]; u.Force == f {
				competent = true
				served = served || len(u.Stations) > 0
			}
		}
		if competent && !served {
			out = append(out, f)
		}
	}
	return out
}
