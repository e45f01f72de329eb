package api

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"guichet/data"
	"guichet/data/batch"
	"guichet/geo/geocode"
)

// Bounds of the q parameter of /v1/geocode, in characters, as in the BAN
// API. A shorter q is accepted when postcode or citycode narrows the
// search to a few communes (q=a&postcode=38500): the filter then does the
// work a longer text would.
const (
	minGeocodeQuery         = 3
	minFilteredGeocodeQuery = 1
	maxGeocodeQuery         = batch.MaxQuery
	defaultReverseLimit     = 1
)

// Attribution and licence of geocoding answers: the addresses are BAN's.
const (
	geocodeAttribution = "BAN"
	geocodeLicence     = "ETALAB-2.0"
)

var (
	postcodeParam = regexp.MustCompile(`^\d{5}$`)
	citycodeParam = regexp.MustCompile(`^(\d{2}|2[AB])\d{3}$`)
)

// GeoCodeJSON (https://github.com/geocoders/geocodejson-spec), shaped as
// api-adresse.data.gouv.fr answers it, so that its clients work
// unchanged, plus the force and competent units of the commune.
type geocodeCollectionJSON struct {
	Type        string               `json:"type"`
	Version     string               `json:"version"`
	Features    []geocodeFeatureJSON `json:"features"`
	Attribution string               `json:"attribution"`
	Licence     string               `json:"licence"`
	Query       string               `json:"query,omitempty"`
	Filters     map[string]string    `json:"filters,omitempty"`
	Limit       int                  `json:"limit"`
}

type geocodeFeatureJSON struct {
	Type       string            `json:"type"`
	Geometry   pointGeometryJSON `json:"geometry"`
	Properties geocodePropsJSON  `json:"properties"`
}

type pointGeometryJSON struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

type geocodePropsJSON struct {
	Label       string  `json:"label"`
	Score       float64 `json:"score"`
	HouseNumber string  `json:"housenumber,omitempty"`
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	Name        string  `json:"name"`
	Postcode    string  `json:"postcode,omitempty"`
	Citycode    string  `json:"citycode"`
	City        string  `json:"city"`
	OldCitycode string  `json:"oldcitycode,omitempty"`
	// ParentCitycode is the city of an arrondissement (75056 for 75109).
	ParentCitycode string `json:"parent_citycode,omitempty"`
	// MatchType is "ambiguous" on a first match that another commune
	// fits about as well; absent otherwise.
	MatchType string `json:"match_type,omitempty"`
	OldCity   string `json:"oldcity,omitempty"`
	// Context is the département code; BAN adds the département and
	// region names, which the loaded files do not carry.
	Context string `json:"context,omitempty"`
	Street  string `json:"street,omitempty"`
	// Distance is in metres, to the reverse point or to the lat/lon bias.
	Distance *int `json:"distance,omitempty"`
	// Force is the zone of the commune: gendarmerie, police, mixed or
	// unknown.
	Force     string                 `json:"force"`
	Competent []geocodeCompetentJSON `json:"competent"`
}

type geocodeCompetentJSON struct {
	ServiceID string `json:"service_id"`
	Force     string `json:"force"`
	// StationID is the station of the service nearest to the feature,
	// when one is known.
	StationID string `json:"station_id,omitempty"`
}

func (s *Server) registerGeocodeRoutes(g *gin.RouterGroup) {
	getAndHead(g, "/geocode", s.geocode)
	getAndHead(g, "/reverse", s.reverse)
	g.POST("/geocode/csv", s.geocodeCSV)
}

func (s *Server) geocode(c *gin.Context) {
	ds := s.dataset(c)
	if ds == nil {
		return
	}
	gq, filters, err := geocodeQuery(queryOf(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	ms, err := ds.Geocode(c.Request.Context(), gq)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := newGeocodeCollection(ms, gq.Limit, gq.Bias != nil)
	out.Query, out.Filters = gq.Text, filters
	c.JSON(http.StatusOK, out)
}

func (s *Server) reverse(c *gin.Context) {
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
	limit, err := q.int("limit", defaultReverseLimit, 1, geocode.MaxLimit)
	if err != nil {
		s.fail(c, err)
		return
	}
	ms, err := ds.ReverseGeocode(p, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newGeocodeCollection(ms, limit, true))
}

// geocodeQuery decodes /v1/geocode. autocomplete defaults to true, as in
// the BAN API, so that a widget typing "voir" finds Voiron.
func geocodeQuery(q query) (geocode.Query, map[string]string, error) {
	var gq geocode.Query
	var err error
	filters := map[string]string{}
	if gq.Postcode, err = q.value("postcode"); err != nil {
		return gq, nil, err
	}
	if gq.Postcode != "" {
		if !postcodeParam.MatchString(gq.Postcode) {
			return gq, nil, badParam("postcode", "must be 5 digits, got "+strconv.Quote(gq.Postcode))
		}
		filters["postcode"] = gq.Postcode
	}
	if gq.Citycode, err = q.value("citycode"); err != nil {
		return gq, nil, err
	}
	gq.Citycode = strings.ToUpper(gq.Citycode)
	if gq.Citycode != "" {
		if !citycodeParam.MatchString(gq.Citycode) {
			return gq, nil, badParam("citycode", "must be an INSEE commune code (5 characters, e.g. 38563 or 2A004), got "+strconv.Quote(gq.Citycode))
		}
		filters["citycode"] = gq.Citycode
	}
	t, err := q.value("type")
	if err != nil {
		return gq, nil, err
	}
	if t != "" {
		typ, err := geocode.ParseType(t)
		if err != nil {
			return gq, nil, badParam("type", "must be housenumber, street or municipality, got "+strconv.Quote(t))
		}
		gq.Type = typ
		filters["type"] = t
	}
	if gq.Text, err = q.value("q"); err != nil {
		return gq, nil, err
	}
	minLen := minGeocodeQuery
	if gq.Postcode != "" || gq.Citycode != "" {
		minLen = minFilteredGeocodeQuery
	}
	switch n := utf8.RuneCountInString(gq.Text); {
	case n == 0:
		return gq, nil, badParam("q", "is required")
	case !utf8.ValidString(gq.Text):
		return gq, nil, badParam("q", "must be UTF-8 text")
	case n < minLen:
		return gq, nil, badParam("q", "must have at least "+strconv.Itoa(minLen)+" characters, or 1 with postcode or citycode")
	case n > maxGeocodeQuery:
		return gq, nil, badParam("q", "must have at most "+strconv.Itoa(maxGeocodeQuery)+" characters")
	case !strings.ContainsFunc(gq.Text, isAlnum):
		return gq, nil, badParam("q", "must contain a letter or digit")
	}
	if gq.Limit, err = q.int("limit", geocode.DefaultLimit, 1, geocode.MaxLimit); err != nil {
		return gq, nil, err
	}
	if q.has("lat") || q.has("lon") {
		p, err := q.point()
		if err != nil {
			return gq, nil, err
		}
		gq.Bias = &p
	}
	if gq.Autocomplete, err = q.bool("autocomplete", true); err != nil {
		return gq, nil, err
	}
	return gq, filters, nil
}

func newGeocodeCollection(ms []data.GeoMatch, limit int, withDistance bool) geocodeCollectionJSON {
	out := geocodeCollectionJSON{
		Type:        "FeatureCollection",
		Version:     "draft",
		Features:    make([]geocodeFeatureJSON, 0, len(ms)),
		Attribution: geocodeAttribution,
		Licence:     geocodeLicence,
		Limit:       limit,
	}
	for i := range ms {
		out.Features = append(out.Features, newGeocodeFeature(&ms[i], withDistance))
	}
	return out
}

func newGeocodeFeature(m *data.GeoMatch, withDistance bool) geocodeFeatureJSON {
	p := geocodePropsJSON{
		Label:       m.Label,
		Score:       roundScore(m.Score),
		HouseNumber: m.HouseNumber,
		ID:          m.ID,
		Type:        m.Type.String(),
		Postcode:    m.Postcode,
		Citycode:    m.Citycode,
		City:        m.City,
		OldCitycode: m.OldCitycode,
		OldCity:     m.OldCity,
		Street:      m.Street,

		ParentCitycode: m.ParentCitycode,
	}
	if m.Ambiguous {
		p.MatchType = "ambiguous"
	}
	switch m.Type {
	case geocode.TypeHousenumber:
		p.Name = strings.TrimSpace(m.HouseNumber + " " + m.Street)
	case geocode.TypeStreet:
		p.Name = m.Street
	default:
		// The label: an arrondissement's city is Paris, its name Paris 9e
		// Arrondissement.
		p.Name = m.Label
		if m.OldCity != "" {
			p.Name = m.OldCity
		}
	}
	if m.Commune != nil {
		p.Context = m.Commune.Departement
	}
	if withDistance {
		d := int(m.DistanceM + 0.5)
		p.Distance = &d
	}
	comp := m.Competence()
	p.Force = zoneName(comp.Zone)
	p.Competent = make([]geocodeCompetentJSON, 0, len(comp.Units))
	for i := range comp.Units {
		u := &comp.Units[i]
		cj := geocodeCompetentJSON{ServiceID: u.ServiceID, Force: u.Force.String()}
		if near := u.StationsNear(m.Point, nil); len(near) > 0 {
			cj.StationID = near[0].Station.ID
		}
		p.Competent = append(p.Competent, cj)
	}
	return geocodeFeatureJSON{
		Type:       "Feature",
		Geometry:   pointGeometryJSON{Type: "Point", Coordinates: [2]float64{m.Point[0], m.Point[1]}},
		Properties: p,
	}
}

func roundScore(v float64) float64 { return float64(int(v*1e4+0.5)) / 1e4 }
