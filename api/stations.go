package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"guichet/data"
)

func (s *Server) registerStationRoutes(g *gin.RouterGroup) {
	getAndHead(g, "/stations/nearest", s.nearest)
	getAndHead(g, "/stations/bundle", s.offlineBundle)
	getAndHead(g, "/stations", s.listStations)
	getAndHead(g, "/stations/:id", s.getStation)
	getAndHead(g, "/stations/:id/hours", s.stationHours)
}

func (s *Server) nearest(c *gin.Context) {
	ds := s.dataset(c)
	if ds == nil {
		return
	}
	q := queryOf(c)
	now := s.now()
	at, err := q.instantOrNow("at", now)
	if err != nil {
		s.fail(c, err)
		return
	}
	nq, err := nearestQuery(q, at)
	if err != nil {
		s.fail(c, err)
		return
	}
	format, err := q.format()
	if err != nil {
		s.fail(c, err)
		return
	}
	mask, err := queryFields(q, maskCompact)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !nq.OpenAt.IsZero() && !q.has("at") {
		// Stations chosen for being open at an instant show their state
		// at that instant, not now.
		at = nq.OpenAt
	}
	if mask&(maskStatus|1<<leafHoursToday) != 0 && mask&maskHours != maskCompactHours {
		// The dataset evaluates the states the answer shows. The compact
		// hours, the default, are kept encoded by the instants they hold
		// for (see compactHours), and rarely need them.
		nq.StateAt = at
	}
	var hitsArr [8]data.StationHit // on the stack: the default limit is 5
	hits, comp, err := ds.Nearest(nq, hitsArr[:0])
	if err != nil {
		s.fail(c, err)
		return
	}
	var competent []competentRefJSON
	var noStation []noStationJSON
	if comp != nil {
		// The units of the commune Nearest located, including those
		// without a station.
		competent = newCompetentRefs(*comp, nq.Point)
		noStation = newNoStationJSON(comp)
	}
	enc := s.stationEncoder(ds, mask, at)
	if at == now && mask&maskHours == maskCompactHours {
		enc.refreshHours()
	}
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	if format == "geojson" {
		b = append(b, `{"type":"FeatureCollection","features":[`...)
	} else {
		b = append(b, `{"stations":[`...)
	}
	for i := range hits {
		if i > 0 {
			b = append(b, ',')
		}
		b = enc.appendHit(b, &hits[i], format == "geojson")
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
	contentType := jsonContentType
	if format == "geojson" {
		contentType = geoJSONContentType
	}
	writeJSONBytes(c, contentType, b)
	*bp = b
	bufPool.Put(bp)
}

// Content types of answers written from bytes, prebuilt to be assigned to
// the header map as is.
var (
	jsonContentType    = []string{"application/json; charset=utf-8"}
	geoJSONContentType = []string{"application/geo+json"}
)

// writeJSONBytes answers 200 with the encoded body b. net/http computes the
// length of bodies up to 2 KB itself; a longer one is given its length, so
// that it goes in one write instead of chunks.
func writeJSONBytes(c *gin.Context, contentType []string, b []byte) {
	h := c.Writer.Header()
	h["Content-Type"] = contentType
	if len(b) > 2048 {
		h["Content-Length"] = []string{strconv.Itoa(len(b))}
	}
	c.Status(http.StatusOK)
	c.Writer.Write(b)
}

func (s *Server) getStation(c *gin.Context) {
	ds := s.dataset(c)
	if ds == nil {
		return
	}
	q := queryOf(c)
	at, err := q.instantOrNow("at", s.now())
	if err != nil {
		s.fail(c, err)
		return
	}
	mask, err := queryFields(q, maskAll)
	if err != nil {
		s.fail(c, err)
		return
	}
	st, err := ds.Station(c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSONBytes(c, jsonContentType, s.stationEncoder(ds, mask, at).appendStation(nil, st, 0, false))
}

const maxPerPage = 500

func (s *Server) listStations(c *gin.Context) {
	ds := s.dataset(c)
	if ds == nil {
		return
	}
	q := queryOf(c)
	at, err := q.instantOrNow("at", s.now())
	if err != nil {
		s.fail(c, err)
		return
	}
	force, err := q.force()
	if err != nil {
		s.fail(c, err)
		return
	}
	page, err := q.int("page", 1, 1, 1_000_000)
	if err != nil {
		s.fail(c, err)
		return
	}
	perPage, err := q.int("per_page", 50, 1, maxPerPage)
	if err != nil {
		s.fail(c, err)
		return
	}
	mask, err := queryFields(q, maskCompact)
	if err != nil {
		s.fail(c, err)
		return
	}
	dep, err := q.value("departement")
	if err != nil {
		s.fail(c, err)
		return
	}
	commune, err := q.value("commune")
	if err != nil {
		s.fail(c, err)
		return
	}
	all := ds.Stations(data.StationFilter{Force: force, Departement: strings.ToUpper(dep), Commune: commune})
	enc := s.stationEncoder(ds, mask, at)
	b := append([]byte(nil), `{"stations":[`...)
	if start := (page - 1) * perPage; start < len(all) {
		for i, st := range all[start:min(start+perPage, len(all))] {
			if i > 0 {
				b = append(b, ',')
			}
			b = enc.appendStation(b, st, 0, false)
		}
	}
	b = append(b, `],"total":`...)
	b = strconv.AppendInt(b, int64(len(all)), 10)
	b = append(b, `,"page":`...)
	b = strconv.AppendInt(b, int64(page), 10)
	b = append(b, `,"per_page":`...)
	b = strconv.AppendInt(b, int64(perPage), 10)
	b = append(b, '}')
	writeJSONBytes(c, jsonContentType, b)
}
