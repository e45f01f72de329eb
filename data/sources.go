package data

import (
	"time"

	"github.com/paulmach/orb"

	"guichet/geo/geocode"
)

// Sources is everything a load parsed from the data directory, before
// any index is built: New turns it into a Dataset. It is plain data
// (exported fields, no functions, no index), so that it can be kept or
// written as it is and indexed again later.
type Sources struct {
	// Version identifies the content the sources were read from.
	Version  string
	LoadedAt time.Time
	// Stations are in load order, their ids unique, the service-public
	// directory already merged into them.
	Stations []Station
	// StationLines[i] is the line of its source file Stations[i] starts on.
	StationLines []int
	// Shapes are the commune boundaries, their codes unique.
	Shapes []CommuneShape
	// COG lists the communes of the official geographic code, in file order.
	COG []COGRecord
	// CommuneGeo gives the centre and bounding box of communes by code.
	CommuneGeo map[string]CommuneGeo
	// Competence lists the jurisdiction rows of each commune code.
	Competence map[string][]CompetenceRow
	// Addresses are the BAN rows read, not yet checked by the geocoder.
	Addresses []AddressRow
	// PostalNames are the rows of La Poste's postcode base: the geocoder
	// knows a commune also by its routing names and lignes 5.
	PostalNames []PostalName
	// DirectoryRecords counts the service-public.fr records kept, already
	// merged into Stations.
	DirectoryRecords int
	// Report is what the load read, kept, rejected and skipped; New may
	// add to it.
	Report Report
}

// CommuneShape is one polygon of a commune boundary layer, under the code
// the layer gives it.
type CommuneShape struct {
	Code  string
	Name  string
	Geom  orb.MultiPolygon
	Bound orb.Bound
	File  string
	Line  int
}

// COG record types, as spelled by the decoupage-administratif package.
const (
	COGCurrent         = "commune-actuelle"
	COGDelegated       = "commune-deleguee"
	COGAssociated      = "commune-associee"
	COGArrondissement  = "arrondissement-municipal"
	COGCurrentFallback = "" // older exports omit the type of current communes
)

// COGRecord is one commune of the official geographic code.
type COGRecord struct {
	Code         string
	Nom          string
	Type         string
	Departement  string
	Region       string
	CodesPostaux []string
	Population   int
	AnciensCodes []string
	// ChefLieu is the current commune of a delegated or associated one.
	ChefLieu string
	// Commune is the city of a municipal arrondissement.
	Commune string
}

// CommuneGeo is the centre and bounding box of a commune or arrondissement.
type CommuneGeo struct {
	Center orb.Point
	Bound  orb.Bound
}

// PostalName is one row of La Poste's postcode base: a postcode of the
// commune Code (a current or a former commune), the routing name
// (libellé d'acheminement) printed above it on mail and, when the row is
// for a place delivered under the commune (a lieu-dit, a former commune),
// that place's name (ligne 5).
type PostalName struct {
	Code, Postcode string
	Routing, Line5 string
	File           string
	Line           int
}

// CompetenceRow is one line of a jurisdiction table: service ServiceID of
// Force has jurisdiction over the commune.
type CompetenceRow struct {
	ServiceID string
	Force     Force
	File      string
	Line      int
}

// AddressRow is one address of a BAN file and where it was read.
type AddressRow struct {
	File    string
	Line    int
	Address geocode.Address
}

// MaxFileRejections bounds the rejections listed per file of addresses:
// a national BAN file has millions of rows, and a systematic fault would
// otherwise keep one record per row in memory. The count of rows not kept
// stays exact (Rows - Kept).
const MaxFileRejections = 1000
