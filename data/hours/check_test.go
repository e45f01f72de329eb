package hours

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCheckLines(t *testing.T) {
	in := strings.Join([]string{
		`{"id": 7, "hours": "$Lundi : 8h00-12h00", "at": "2026-11-30T09:00:00+01:00", "dep": "38"}`,
		`{"id": 8, "hours": "$Lundi : 8h00-12h00", "at": "2026-11-30T09:00:00+01:00", "tz": "Indian/Reunion"}`,
		`{"id": 9, "hours": "", "at": "2026-11-30T09:00:00Z"}`,
		`{"id": 10, "hours": "x", "extra": 1}`,
		`{"id": 11, "hours": "Mo 10:00-12:00", "tz": "Nowhere/Nope"}`,
	}, "\n")
	var out bytes.Buffer
	if err := CheckLines(strings.NewReader(in), &out, time.Now()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("got %d lines, want 5:\n%s", len(lines), out.String())
	}
	var got []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	if got[0]["state"] != "open" || got[0]["next_change"] != "2026-11-30T12:00:00+01:00" || got[0]["osm"] != "Mo 08:00-12:00; PH off" {
		t.Errorf("line 1 = %v", got[0])
	}
	// 09:00 Paris is 12:00 in Réunion: closed there.
	if got[1]["state"] != "closed" {
		t.Errorf("line 2 = %v", got[1])
	}
	if got[2]["state"] != "unknown" || got[2]["unknown"] != true || got[2]["next_change"] != nil {
		t.Errorf("line 3 = %v", got[2])
	}
	if got[3]["id"] != nil || got[3]["error"] == nil {
		t.Errorf("line 4 (unknown field) = %v", got[3])
	}
	if got[4]["id"] != 11.0 || got[4]["error"] == nil || got[4]["state"] != nil {
		t.Errorf("line 5 (bad tz) = %v", got[4])
	}
}
