package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"guichet/data"
)

func (s *Server) registerStationRoutes(g *gin.RouterGroup) {
	getAndHead(g, "/stations/nearest", s.nearest)
	getAndHead(g, "/stations", s.listStations)
	getAndHead(g, "/stations/:id", s.getStation)
	getAndHead(g, "/stations/:id/hours", s.stationHours)
}

func (s *Server) nearest(c *gin.Context) {
	ds := s.dataset(c)
	if ds == nil {
		return
	}
	q := c.Request.URL.Query()
	at, err := queryInstant(q, "at", s.now())
	if err != nil {
		s.fail(c, err)
		return
	}
	nq, err := nearestQuery(q, at)
	if err != nil {
		s.fail(c, err)
		return
	}
	format, err := queryFormat(q)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !nq.OpenAt.IsZero() && q.Get("at") == "" {
		// Stations chosen for being open at an instant show their state
		// at that instant, not now.
		at = nq.OpenAt
	}
	hits, err := ds.Nearest(nq, make([]data.StationHit, 0, nq.Limit))
	if err != nil {
		s.fail(c, err)
		return
	}
	var competent []competentRefJSON
	var noStation []noStationJSON
	if nq.Competent {
		// Nearest has located the point already; this second lookup only
		// names the units, including those without a station.
		if j, err := ds.CommuneAt(nq.Point); err == nil {
			competent = newCompetentRefs(j.Competence, nq.Point)
			noStation = newNoStationJSON(&j.Competence)
		}
	}
	if format == "json" {
		if frags := s.fragments(ds); frags != nil {
			bp := bufPool.Get().(*[]byte)
			b := append((*bp)[:0], `{"stations":[`...)
			for i, h := range hits {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendStation(b, frags[h.Station], h.Station, h.DistanceM, at)
			}
			b = append(b, ']')
			if competent != nil {
				refs, _ := json.Marshal(competent)
				b = append(b, `,"competent":`...)
				b = append(b, refs...)
			}
			if noStation != nil {
				none, _ := json.Marshal(noStation)
				b = append(b, `,"no_station":`...)
				b = append(b, none...)
			}
			b = append(b, '}')
			// With a length, net/http sends the body in one write instead of
			// chunks.
			c.Header("Content-Length", strconv.Itoa(len(b)))
			c.Data(http.StatusOK, "application/json; charset=utf-8", b)
			*bp = b
			bufPool.Put(bp)
			return
		}
	}
	out := make([]stationJSON, len(hits))
	for i, h := range hits {
		out[i] = newStationJSON(h.Station, at)
		d := roundM(h.DistanceM)
		out[i].DistanceM = &d
	}
	if format == "geojson" {
		c.Header("Content-Type", "application/geo+json")
		c.Render(http.StatusOK, jsonRender{stationsGeoJSON(out)})
		return
	}
	c.JSON(http.StatusOK, nearestJSON{Stations: out, Competent: competent, NoStation: noStation})
}

// stationsGeoJSON returns an RFC 7946 FeatureCollection whose feature
// properties are the station wire objects without their location.
func stationsGeoJSON(stations []stationJSON) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for _, st := range stations {
		f := geojson.NewFeature(orb.Point{st.Location.Lon, st.Location.Lat})
		f.ID = st.ID
		f.Properties = geojson.Properties{
			"id":          st.ID,
			"name":        st.Name,
			"force":       st.Force,
			"address":     st.Address,
			"departement": st.Departement,
			"hours":       st.Hours,
			"source":      st.Source,
		}
		if st.Phone != "" {
			f.Properties["phone"] = st.Phone
		}
		if st.PhoneText != "" {
			f.Properties["phone_text"] = st.PhoneText
		}
		if st.Email != "" {
			f.Properties["email"] = st.Email
		}
		if st.URL != "" {
			f.Properties["url"] = st.URL
		}
		if st.DistanceM != nil {
			f.Properties["distance_m"] = *st.DistanceM
		}
		fc.Append(f)
	}
	return fc
}

func (s *Server) getStation(c *gin.Context) {
	ds := s.dataset(c)
	if ds == nil {
		return
	}
	at, err := queryInstant(c.Request.URL.Query(), "at", s.now())
	if err != nil {
		s.fail(c, err)
		return
	}
	st, err := ds.Station(c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newStationJSON(st, at))
}

const maxPerPage = 500

func (s *Server) listStations(c *gin.Context) {
	ds := s.dataset(c)
	if ds == nil {
		return
	}
	q := c.Request.URL.Query()
	at, err := queryInstant(q, "at", s.now())
	if err != nil {
		s.fail(c, err)
		return
	}
	force, err := queryForce(q)
	if err != nil {
		s.fail(c, err)
		return
	}
	page, err := queryInt(q, "page", 1, 1, 1_000_000)
	if err != nil {
		s.fail(c, err)
		return
	}
	perPage, err := queryInt(q, "per_page", 50, 1, maxPerPage)
	if err != nil {
		s.fail(c, err)
		return
	}
	dep := strings.ToUpper(strings.TrimSpace(q.Get("departement")))
	all := ds.Stations(data.StationFilter{Force: force, Departement: dep, Commune: strings.TrimSpace(q.Get("commune"))})
	out := stationListJSON{Stations: []stationJSON{}, Total: len(all), Page: page, PerPage: perPage}
	if start := (page - 1) * perPage; start < len(all) {
		end := min(start+perPage, len(all))
		for _, st := range all[start:end] {
			out.Stations = append(out.Stations, newStationJSON(st, at))
		}
	}
	c.JSON(http.StatusOK, out)
}
