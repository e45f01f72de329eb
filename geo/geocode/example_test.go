package geocode_test

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"

	"guichet/geo/geocode"
)

func ExampleIndex_Geocode() {
	b := geocode.NewBuilder()
	b.AddMunicipality(geocode.Municipality{Code: "38563", Name: "Voiron", Postcodes: []string{"38500"}, Center: orb.Point{5.591, 45.364}, Population: 21847})
	b.AddAddress(geocode.Address{ID: "38563_0001_00012_bis", Number: "12", Rep: "bis", Street: "Boulevard Edgar Kofler",
		Postcode: "38500", Citycode: "38563", City: "Voiron", Point: orb.Point{5.5921, 45.3648}})
	ix := b.Build()

	for _, text := range []string{"12 bis bd edgar kofler voiron", "VOIRON CEDEX"} {
		ms, err := ix.Geocode(context.Background(), geocode.Query{Text: text, Limit: 1})
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s: %s %s\n", ms[0].Type, ms[0].ID, ms[0].Label)
	}
	// Output:
	// housenumber: 38563_0001_00012_bis 12bis Boulevard Edgar Kofler 38500 Voiron
	// municipality: 38563 Voiron
}

func ExampleNormalize() {
	fmt.Println(geocode.Normalize("Bât. A, 12 B av. du Gal de Gaulle BP 123 38500 St-Étienne CEDEX 09"))
	// Output: 12b avenue du general de gaulle 38500 saint etienne
}
