package data

import (
	"github.com/paulmach/orb"
)

// Zone says which force has jurisdiction over a commune.
type Zone uint8

const (
	// ZoneUnknown is a commune absent from every jurisdiction table.
	ZoneUnknown Zone = iota
	ZoneGendarmerie
	ZonePolice
	// ZoneMixed is a commune shared between a police and a gendarmerie unit.
	ZoneMixed
)

// String returns the wire name of z: "gendarmerie", "police", "mixed" or "".
func (z Zone) String() string {
	switch z {
	case ZoneGendarmerie:
		return "gendarmerie"
	case ZonePolice:
		return "police"
	case ZoneMixed:
		return "mixed"
	case ZoneUnknown:
	}
	return ""
}

// Precision says how finely Locate resolved the commune.
type Precision uint8

const (
	// PrecisionCommune means the point lies in the commune's own boundary.
	PrecisionCommune Precision = iota
	// PrecisionArrondissementApproximate means the point lies in Paris,
	// Lyon or Marseille, whose boundaries are known only for the whole
	// city: the arrondissement was chosen from its bounding box and
	// centre, and may be wrong near arrondissement limits.
	PrecisionArrondissementApproximate
)

// String returns the wire name of p.
func (p Precision) String() string {
	switch p {
	case PrecisionArrondissementApproximate:
		return "arrondissement-approximate"
	case PrecisionCommune:
	}
	return "commune"
}

// Commune is a commune of the official geographic code (COG), or a
// municipal arrondissement of Paris, Lyon or Marseille.
type Commune struct {
	Code        string
	Name        string
	Departement string
	Region      string
	Postcodes   []string
	Population  int
	// OldCodes are the codes of communes merged into this one since.
	OldCodes []string
	// City is the code of the city an arrondissement belongs to, else "".
	City string
	// Arrondissements lists the municipal arrondissements of Paris, Lyon
	// and Marseille; empty for every other commune.
	Arrondissements []*Commune
	// Center and Bound come from the commune geo index when it is loaded;
	// HasBound reports whether they are known.
	Center   orb.Point
	Bound    orb.Bound
	HasBound bool
	// Competence is who has jurisdiction over the commune.
	Competence Competence
}

// Competence is the jurisdiction over one commune.
type Competence struct {
	Zone  Zone
	Units []CompetentUnit
}

// CompetentUnit is one service with jurisdiction over a commune.
//
// Its stations are found two ways. A station whose service code is the
// unit's id belongs to it (every gendarmerie unit; the few police services
// published with their code). A police station located in the unit's
// territory, the communes the jurisdiction table gives to it, belongs to
// it too: the national police list carries no service code. Stations is
// empty when no station of the service is known; nothing is invented in
// its place.
type CompetentUnit struct {
	ServiceID string
	Force     Force
	// Station is the unit's main station, when the source says which one
	// it is: the station bearing the service's code, or the one whose name
	// the others extend ("Commissariat de X" and "Commissariat de X -
	// Secteur Nord"), or the only "commissariat central"; else nil.
	Station *Station
	// Stations lists every station of the unit, the main one first, then
	// by id. Callers with a point order them with StationsNear.
	Stations []*Station
}

// Neighbour is a commune whose boundary lies near a located point.
type Neighbour struct {
	Commune   *Commune
	DistanceM float64
}

// Boundary describes how close a located point is to its commune's limit.
type Boundary struct {
	// DistanceM is the distance from the point to its commune's boundary.
	DistanceM float64
	// Near reports whether DistanceM is within the query's margin.
	Near bool
	// Neighbours are the other communes within the margin, nearest first.
	Neighbours []Neighbour
}

// Jurisdiction is the answer to Locate.
type Jurisdiction struct {
	// Commune is the current commune, or arrondissement, of the point.
	Commune *Commune
	// ShapeCode is the code under which the boundary layer knows the
	// polygon; it differs from Commune.Code for communes merged since the
	// layer was drawn, and for Paris, Lyon and Marseille.
	ShapeCode  string
	Precision  Precision
	Competence Competence
	Boundary   Boundary
}

// CommuneQuery selects communes. Exactly one field is normally set.
type CommuneQuery struct {
	Postcode string
	// Name matches the commune name ignoring case, accents and punctuation.
	Name string
}
