package data

import (
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// territory is a generous bounding box around one part of France. Boxes
// catch swapped or mistyped coordinates: a row whose point falls outside the
// box of its own département is rejected.
type territory struct {
	name  string
	bound orb.Bound
}

func box(name string, minLon, minLat, maxLon, maxLat float64) territory {
	return territory{name, orb.Bound{Min: orb.Point{minLon, minLat}, Max: orb.Point{maxLon, maxLat}}}
}

// Boxes are drawn from the extent of each territory with a margin of a few
// kilometres; they only need to separate territories from each other and
// from a lat/lon swap, not to follow coastlines.
var (
	metropole     = box("France métropolitaine", -5.8, 41.2, 10.0, 51.3)
	overseasBoxes = map[string]territory{
		"971": box("Guadeloupe", -61.9, 15.8, -60.9, 16.6),
		"972": box("Martinique", -61.3, 14.3, -60.7, 15.0),
		"973": box("Guyane", -54.7, 2.0, -51.5, 6.0),
		"974": box("La Réunion", 55.1, -21.5, 55.9, -20.8),
		"975": box("Saint-Pierre-et-Miquelon", -56.5, 46.7, -56.0, 47.2),
		"976": box("Mayotte", 44.9, -13.1, 45.4, -12.5),
		"977": box("Saint-Barthélemy", -63.0, 17.8, -62.7, 18.0),
		"978": box("Saint-Martin", -63.2, 18.0, -62.9, 18.2),
		"986": box("Wallis-et-Futuna", -178.3, -14.5, -176.0, -13.0),
		"987": box("Polynésie française", -155.0, -28.0, -134.0, -7.0),
		"988": box("Nouvelle-Calédonie", 162.5, -23.0, 169.0, -18.5),
	}
)

// territoryOf returns the box that must contain stations of département dep.
// An unknown or empty dep accepts any French territory.
func territoryOf(dep string) (territory, bool) {
	dep = strings.TrimSpace(dep)
	if t, ok := overseasBoxes[dep]; ok {
		return t, true
	}
	if isMetroDepartement(dep) {
		return metropole, true
	}
	return territory{}, false
}

func isMetroDepartement(dep string) bool {
	if dep == "2A" || dep == "2B" {
		return true
	}
	if len(dep) != 2 || dep[0] < '0' || dep[0] > '9' || dep[1] < '0' || dep[1] > '9' {
		return false
	}
	return dep != "00" && dep != "20" && dep <= "95"
}

// InFrance reports whether p falls in any French territory box.
func InFrance(p orb.Point) bool {
	if metropole.bound.Contains(p) {
		return true
	}
	for _, t := range overseasBoxes {
		if t.bound.Contains(p) {
			return true
		}
	}
	return false
}

// CheckLocation validates a parsed lon/lat pair for a station of département
// dep and returns a rejection reason and detail, or "" when it is valid.
func CheckLocation(lon, lat float64, dep string) (reason, detail string) {
	switch {
	case math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0):
		return ReasonOutOfRange, "coordinates are not finite"
	case lon == 0 && lat == 0:
		return ReasonZeroCoordinates, "coordinates are 0,0 (missing in the source)"
	case lat < -90 || lat > 90 || lon < -180 || lon > 180:
		return ReasonOutOfRange, "latitude must be in [-90,90] and longitude in [-180,180]"
	}
	p := orb.Point{lon, lat}
	if t, ok := territoryOf(dep); ok {
		if !t.bound.Contains(p) {
			if t.bound.Contains(orb.Point{lat, lon}) {
				return ReasonOutsideTerritory, "latitude and longitude look swapped for " + t.name
			}
			return ReasonOutsideTerritory, "point is outside " + t.name + " (département " + dep + ")"
		}
		return "", ""
	}
	if !InFrance(p) {
		return ReasonOutsideTerritory, "point is outside France and its overseas territories"
	}
	return "", ""
}
