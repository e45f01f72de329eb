package hours_test

import (
	"fmt"
	"os"
	"strings"
	"time"
	_ "time/tzdata"

	"guichet/data/hours"
)

func ExampleParse() {
	s, err := hours.Parse("$Lundi : 8h00-12h00 14h00-18h00$Samedi : 9h00-12h00$Jours Fériés : 9h00-11h00")
	if err != nil {
		panic(err)
	}
	fmt.Println(s.OSM())
	// Output: Mo 08:00-12:00,14:00-18:00; Sa 09:00-12:00; PH 09:00-11:00
}

func ExampleSchedule_At() {
	s, _ := hours.Parse("$Lundi : 8h00-12h00")
	loc := hours.LocaleFor("974") // La Réunion, Indian/Reunion
	st := s.At(time.Date(2027, 12, 20, 9, 0, 0, 0, loc.Location), loc)
	fmt.Println(st.Status, st.Reason)
	fmt.Println(st.Next.Format(time.RFC3339))
	// Output:
	// closed Jour férié : Abolition de l'esclavage (La Réunion)
	// 2027-12-27T08:00:00+04:00
}

func ExampleCheckLines() {
	in := `{"id": 1, "hours": "24h/24 - 7j/7", "dep": "31"}
{"id": "x", "hours": "Mo 25:00-26:00"}
not json
`
	hours.CheckLines(strings.NewReader(in), os.Stdout, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	// Output:
	// {"id":1,"state":"open","open":true,"unknown":false,"comment":"","next_change":null,"osm":"24/7","error":null}
	// {"id":"x","state":null,"open":null,"unknown":null,"comment":null,"next_change":null,"osm":null,"error":"hours: time out of range at byte 3 of \"Mo 25:00-26:00\""}
	// {"id":null,"state":null,"open":null,"unknown":null,"comment":null,"next_change":null,"osm":null,"error":"bad input line: invalid character 'o' in literal null (expecting 'u')"}
}
