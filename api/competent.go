package api

import (
	"encoding/json"

	"github.com/paulmach/orb"

	"guichet/data"
)

// preComplaintURL is the national online pre-complaint service, for
// offences against property by an unknown author.
const preComplaintURL = "https://www.pre-plainte-en-ligne.gouv.fr/"

type competentJSON struct {
	ServiceID string `json:"service_id"`
	Force     string `json:"force"`
	// Station is the first of Stations, kept for clients that name one.
	// Stations are in the form the fields parameter chooses (compact by
	// default).
	Station json.RawMessage `json:"station,omitempty"`
	// Stations are every known station of the service, nearest to the
	// point first, each with its distance.
	Stations      []json.RawMessage `json:"stations"`
	MainStationID string            `json:"main_station_id,omitempty"`
}

// noStationJSON says that a competent force has no known station here,
// and how to reach it instead: listing the other force's stations would
// send people to a unit without jurisdiction.
type noStationJSON struct {
	Force        string            `json:"force"`
	Message      string            `json:"message"`
	Alternatives []alternativeJSON `json:"alternatives"`
}

type alternativeJSON struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	Phone string `json:"phone,omitempty"`
	URL   string `json:"url,omitempty"`
}

// newCompetentJSON describes the units of comp, their stations ordered
// from the point from, or left in their own order (main first) without one.
func newCompetentJSON(comp data.Competence, enc stationEncoder, from *orb.Point) []competentJSON {
	out := make([]competentJSON, 0, len(comp.Units))
	var near []data.StationHit
	for i := range comp.Units {
		u := &comp.Units[i]
		cj := competentJSON{ServiceID: u.ServiceID, Force: u.Force.String(), Stations: make([]json.RawMessage, 0, len(u.Stations))}
		if u.Station != nil {
			cj.MainStationID = u.Station.ID
		}
		if from != nil {
			near = u.StationsNear(*from, near)
			for _, h := range near {
				cj.Stations = append(cj.Stations, enc.appendStation(nil, h.Station, h.DistanceM, true))
			}
		} else {
			for _, s := range u.Stations {
				cj.Stations = append(cj.Stations, enc.appendStation(nil, s, 0, false))
			}
		}
		if len(cj.Stations) > 0 {
			cj.Station = cj.Stations[0]
		}
		out = append(out, cj)
	}
	return out
}

// newCompetentRefs names the units of comp and their stations, nearest to
// p first.
func newCompetentRefs(comp data.Competence, p orb.Point) []competentRefJSON {
	out := make([]competentRefJSON, 0, len(comp.Units))
	var near []data.StationHit
	for i := range comp.Units {
		u := &comp.Units[i]
		ref := competentRefJSON{ServiceID: u.ServiceID, Force: u.Force.String(), StationIDs: make([]string, 0, len(u.Stations))}
		near = u.StationsNear(p, near)
		for _, h := range near {
			ref.StationIDs = append(ref.StationIDs, h.Station.ID)
		}
		if len(near) > 0 {
			ref.StationID = near[0].Station.ID
		}
		if u.Station != nil {
			ref.MainStationID = u.Station.ID
		}
		out = append(out, ref)
	}
	return out
}

// newNoStationJSON lists the competent forces of comp without a known
// station; nil when every competent force has one.
func newNoStationJSON(comp *data.Competence) []noStationJSON {
	var out []noStationJSON
	for _, f := range comp.StationlessForces() {
		unit := "commissariat de police"
		if f == data.Gendarmerie {
			unit = "brigade de gendarmerie"
		}
		out = append(out, noStationJSON{
			Force:   f.String(),
			Message: "Aucun " + unit + " compétent n’est connu ici. En cas d’urgence, appelez le 17 ; pour une atteinte aux biens dont l’auteur est inconnu, faites une pré-plainte en ligne.",
			Alternatives: []alternativeJSON{
				{Kind: "emergency_call", Label: "Police secours : 17 (ou 112)", Phone: "17"},
				{Kind: "online_pre_complaint", Label: "Pré-plainte en ligne", URL: preComplaintURL},
			},
		})
	}
	return out
}
