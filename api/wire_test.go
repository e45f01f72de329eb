package api

import (
	"encoding/json"
	"testing"
)

// Answers that encode.go writes from bytes, as the tests decode them.

type nearestJSON struct {
	Stations  []stationJSON      `json:"stations"`
	Competent []competentRefJSON `json:"competent,omitempty"`
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
