package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"guichet/data"
)

const (
	// maxCommuneQuery bounds the length of a commune name search.
	maxCommuneQuery = 100
	// maxCommuneList bounds the communes of one list answer: a name
	// prefix such as "saint" matches thousands.
	maxCommuneList = 100
)

type communeJSON struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Departement string   `json:"departement"`
	Region      string   `json:"region"`
	Postcodes   []string `json:"postcodes"`
	Population  int      `json:"population,omitempty"`
	// City is the code of the city of a municipal arrondissement.
	City string `json:"city,omitempty"`
}

type neighbourJSON struct {
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	DistanceM float64 `json:"distance_m"`
}

type boundaryJSON struct {
	DistanceM  float64         `json:"distance_m"`
	Near       bool            `json:"near"`
	Neighbours []neighbourJSON `json:"neighbours"`
}

type jurisdictionJSON struct {
	Commune   communeJSON     `json:"commune"`
	Force     string          `json:"force"`
	Competent []competentJSON `json:"competent"`
	NoStation []noStationJSON `json:"no_station,omitempty"`
	Boundary  boundaryJSON    `json:"boundary"`
	Precision string          `json:"precision"`
}

type communeFactsJSON struct {
	Commune   communeJSON     `json:"commune"`
	Force     string          `json:"force"`
	Competent []competentJSON `json:"competent"`
	NoStation []noStationJSON `json:"no_station,omitempty"`
	// Arrondissements lists the arrondissement codes of Paris, Lyon and
	// Marseille, whose jurisdiction is set per arrondissement.
	Arrondissements []string `json:"arrondissements,omitempty"`
}

// communeListJSON lists the first communes found; Total counts them all.
type communeListJSON struct {
	Communes []communeFactsJSON `json:"communes"`
	Total    int                `json:"total"`
}

func newCommuneJSON(cm *data.Commune) communeJSON {
	pcs := cm.Postcodes
	if pcs == nil {
		pcs = []string{}
	}
	return communeJSON{
		Code:        cm.Code,
		Name:        cm.Name,
		Departement: cm.Departement,
		Region:      cm.Region,
		Postcodes:   pcs,
		Population:  cm.Population,
		City:        cm.City,
	}
}

// zoneName is the wire name of a zone; a commune absent from every
// jurisdiction table says so rather than guessing.
func zoneName(z data.Zone) string {
	if z == data.ZoneUnknown {
		return "unknown"
	}
	return z.String()
}

func newCommuneFactsJSON(cm *data.Commune, enc stationEncoder) communeFactsJSON {
	// Without a point, the stations of a service are ordered from the
	// commune's centre when it is known.
	var from *orb.Point
	if cm.HasBound {
		from = &cm.Center
	}
	out := communeFactsJSON{
		Commune:   newCommuneJSON(cm),
		Force:     zoneName(cm.Competence.Zone),
		Competent: newCompetentJSON(cm.Competence, enc, from),
		NoStation: newNoStationJSON(&cm.Competence),
	}
	for _, a := range cm.Arrondissements {
		out.Arrondissements = append(out.Arrondissements, a.Code)
	}
	return out
}

// competentEncoder encodes the stations of competent units now, with the
// fields the query asks for, compact by default.
func (s *Server) competentEncoder(ds *data.Dataset, q query) (stationEncoder, error) {
	mask, err := queryFields(q, maskCompact)
	if err != nil {
		return stationEncoder{}, err
	}
	return s.stationEncoder(ds, mask, s.now()), nil
}

func (s *Server) registerJurisdictionRoutes(g *gin.RouterGroup) {
	getAndHead(g, "/jurisdiction", s.jurisdiction)
	getAndHead(g, "/communes", s.listCommunes)
	getAndHead(g, "/communes/:code", s.getCommune)
}

func (s *Server) jurisdiction(c *gin.Context) {
	ds := s.dataset(c)
	if ds == nil {
		return
	}
	q := queryOf(c)
	p, err := q.point()
	if err != nil {
		s.fail(c, err)
		return
	}
	margin, err := q.optFloat("boundary_m", data.DefaultBoundaryM, 0, data.MaxBoundaryM)
	if err != nil {
		s.fail(c, err)
		return
	}
	enc, err := s.competentEncoder(ds, q)
	if err != nil {
		s.fail(c, err)
		return
	}
	j, err := ds.Locate(p, margin)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := jurisdictionJSON{
		Commune:   newCommuneJSON(j.Commune),
		Force:     zoneName(j.Competence.Zone),
		Competent: newCompetentJSON(j.Competence, enc, &p),
		NoStation: newNoStationJSON(&j.Competence),
		Boundary: boundaryJSON{
			DistanceM:  roundM(j.Boundary.DistanceM),
			Near:       j.Boundary.Near,
			Neighbours: make([]neighbourJSON, 0, len(j.Boundary.Neighbours)),
		},
		Precision: j.Precision.String(),
	}
	for _, n := range j.Boundary.Neighbours {
		out.Boundary.Neighbours = append(out.Boundary.Neighbours, neighbourJSON{Code: n.Commune.Code, Name: n.Commune.Name, DistanceM: roundM(n.DistanceM)})
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) getCommune(c *gin.Context) {
	ds := s.dataset(c)
	if ds == nil {
		return
	}
	enc, err := s.competentEncoder(ds, queryOf(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	cm, err := ds.Commune(c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newCommuneFactsJSON(cm, enc))
}

func (s *Server) listCommunes(c *gin.Context) {
	ds := s.dataset(c)
	if ds == nil {
		return
	}
	q := queryOf(c)
	cq, err := communeQuery(q)
	if err != nil {
		s.fail(c, err)
		return
	}
	limit, err := q.int("limit", 20, 1, maxCommuneList)
	if err != nil {
		s.fail(c, err)
		return
	}
	enc, err := s.competentEncoder(ds, q)
	if err != nil {
		s.fail(c, err)
		return
	}
	found := ds.Communes(cq)
	out := communeListJSON{Communes: make([]communeFactsJSON, 0, min(len(found), limit)), Total: len(found)}
	for _, cm := range found[:min(len(found), limit)] {
		out.Communes = append(out.Communes, newCommuneFactsJSON(cm, enc))
	}
	c.JSON(http.StatusOK, out)
}

// communeQuery decodes /v1/communes: exactly one of postcode and q.
func communeQuery(q query) (data.CommuneQuery, error) {
	pc, err := q.value("postcode")
	if err != nil {
		return data.CommuneQuery{}, err
	}
	name, err := q.value("q")
	if err != nil {
		return data.CommuneQuery{}, err
	}
	switch {
	case pc != "" && name != "":
		return data.CommuneQuery{}, badParam("q", "cannot be combined with postcode")
	case pc != "":
		if len(pc) != 5 || strings.Trim(pc, "0123456789") != "" {
			return data.CommuneQuery{}, badParam("postcode", "must be 5 digits, got "+strconv.Quote(pc))
		}
		return data.CommuneQuery{Postcode: pc}, nil
	case name != "":
		if utf8.RuneCountInString(name) > maxCommuneQuery {
			return data.CommuneQuery{}, badParam("q", "must have at most "+strconv.Itoa(maxCommuneQuery)+" characters")
		}
		if !strings.ContainsFunc(name, isAlnum) {
			return data.CommuneQuery{}, badParam("q", "must contain a letter or digit")
		}
		return data.CommuneQuery{Name: name}, nil
	}
	return data.CommuneQuery{}, badParam("postcode", "postcode or q is required")
}

func isAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f && r != 0xfffd
}
