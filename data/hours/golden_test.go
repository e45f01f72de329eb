package hours

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

// TestOpeningHoursJS compares evaluation with opening_hours.js, from the
// goldens written by scripts/hours-osm-golden.js.
func TestOpeningHoursJS(t *testing.T) {
	b, err := os.ReadFile("testdata/osm-golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Generator string
		Zone      string
		Instants  []int64
		Cases     []struct {
			Value    string
			States   string
			Comments map[int]string // by instant index, when not empty
			Next     []int64
		}
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	l, err := time.LoadLocation(g.Zone)
	if err != nil {
		t.Fatal(err)
	}
	loc := Locale{Location: l, Region: Metropole}
	codes := map[Status]byte{Open: 'o', Closed: 'c', Unknown: 'u'}
	for _, c := range g.Cases {
		t.Run(c.Value, func(t *testing.T) {
			sc, err := ParseOSM(c.Value)
			if err != nil {
				t.Fatalf("ParseOSM(%q): %v", c.Value, err)
			}
			bad := 0
			for i, u := range g.Instants {
				at := time.Unix(u, 0)
				st := sc.At(at, loc)
				var next int64
				if !st.Next.IsZero() {
					next = st.Next.Unix()
				}
				comment := st.Comment
				if comment == "" && st.Reason != "" && c.Comments[i] != "" {
					// opening_hours.js names the holiday in the
					// comment; we name it in Reason, with our own
					// wording, so only its presence is compared.
					comment = c.Comments[i]
				}
				if codes[st.Status] != c.States[i] || comment != c.Comments[i] || next != c.Next[i] {
					if bad++; bad <= 3 {
						t.Errorf("At(%v) = %v %q next %v, %s gives %c %q next %v", at.In(l), st.Status, st.Comment,
							st.Next.In(l), g.Generator, c.States[i], c.Comments[i], time.Unix(c.Next[i], 0).In(l))
					}
				}
			}
			if bad > 3 {
				t.Errorf("… %d differences in all", bad)
			}
		})
	}
}
