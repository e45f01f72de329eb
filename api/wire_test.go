package api

import (
	"encoding/json"
	"testing"
)

// Answers that encode.go writes from bytes, as the tests decode them.

type nearestJSON struct {
	Stations  []stationJSON      `json:"stations"`
	Competent []competentRefJSON `json:"competent,omitempty"`
	NoStation []noStationJSON    `json:"no_station,omitempty"`
}

type stationListJSON struct {
	Stations []stationJSON `json:"stations"`
	Total    int           `json:"total"`
	Page     int           `json:"page"`
	PerPage  int           `json:"per_page"`
}

// decodeStation decodes a station object, failing the test on a bad one.
func decodeStation(t *testing.T, raw []byte) stationJSON {
	t.Helper()
	var st stationJSON
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("station %s: %v", raw, err)
	}
	return st
}

// decodeStations decodes station objects, failing the test on a bad one.
func decodeStations(t *testing.T, raws []json.RawMessage) []stationJSON {
	t.Helper()
	out := make([]stationJSON, 0, len(raws))
	for _, raw := range raws {
		out = append(out, decodeStation(t, raw))
	}
	return out
}
