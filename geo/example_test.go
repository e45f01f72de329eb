package geo_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"guichet/geo"
)

func ExampleDistance() {
	paris := orb.Point{2.3522, 48.8566}
	marseille := orb.Point{5.3698, 43.2965}
	fmt.Printf("%.0f km\n", geo.Distance(paris, marseille)/1000)
	// Output: 660 km
}

func ExamplePointIndex_Nearest() {
	var ix geo.PointIndex[string]
	ix.Insert(orb.Point{-176.1745, -13.2825}, "Mata-Utu")
	ix.Insert(orb.Point{166.4572, -22.2758}, "Nouméa")
	ix.Insert(orb.Point{-149.5585, -17.5516}, "Papeete")

	// From Fiji, across the antimeridian, within 2,000 km.
	for _, h := range ix.Nearest(orb.Point{178.44, -18.14}, 2, 2000e3, nil, nil) {
		fmt.Printf("%s %.0f km\n", h.Value, h.DistanceM/1000)
	}
	// Output:
	// Mata-Utu 790 km
	// Nouméa 1332 km
}
