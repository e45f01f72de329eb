package geo

import (
	"math"
	"math/rand"

	"github.com/paulmach/orb"
)

// region is a lon/lat box around a French territory.
type region struct {
	name       string
	lon, lat   float64 // centre
	dlon, dlat float64 // half extents
}

var regions = []region{
	{"metropole", 2.5, 46.25, 7.5, 5.25},
	{"guadeloupe", -61.5, 16.2, 0.4, 0.3},
	{"martinique", -61, 14.6, 0.2, 0.2},
	{"guyane", -53, 4, 1.5, 1.5},
	{"reunion", 55.5, -21.1, 0.3, 0.2},
	{"mayotte", 45.1, -12.8, 0.1, 0.1},
	{"saint-pierre", -56.2, 46.8, 0.1, 0.1},
	{"polynesie", -149.5, -17.5, 3, 3},
	{"nouvelle-caledonie", 165.8, -21.7, 1.5, 1},
	{"wallis", -176.2, -13.3, 0.1, 0.1},
}

// randomPoint returns a point of a random region, or anywhere on Earth
// with probability 1/10.
func randomPoint(r *rand.Rand) orb.Point {
	if r.Intn(10) == 0 {
		return orb.Point{r.Float64()*360 - 180, r.Float64()*180 - 90}
	}
	return regionPoint(r, regions[r.Intn(len(regions))])
}

// regionPoint returns a uniform point of g's box.
func regionPoint(r *rand.Rand, g region) orb.Point {
	return orb.Point{
		g.lon + (2*r.Float64()-1)*g.dlon,
		g.lat + (2*r.Float64()-1)*g.dlat,
	}
}

// haversineM is the haversine formula, written out independently of
// Distance: the brute-force reference of the nearest-neighbour tests.
func haversineM(a, b orb.Point) float64 {
	lat1, lat2 := a[1]*math.Pi/180, b[1]*math.Pi/180
	sLat := math.Sin((lat2 - lat1) / 2)
	sLon := math.Sin((b[0] - a[0]) * math.Pi / 180 / 2)
	h := sLat*sLat + math.Cos(lat1)*math.Cos(lat2)*sLon*sLon
	return 2 * EarthRadius * math.Asin(math.Sqrt(math.Min(1, h)))
}
