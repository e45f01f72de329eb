package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"guichet/data/load"
)

func fixedServer(tb testing.TB, now time.Time) http.Handler {
	tb.Helper()
	ds, err := load.Dir("../data/testdata/stations", load.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Now = func() time.Time { return now }
	return New(cfg, ds, nil).Handler()
}

func TestStationHoursStatus(t *testing.T) {
	// Wednesday 2 December 2026, 11:30 in Paris.
	h := fixedServer(t, time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC))
	tests := []struct {
		target, state, next string
	}{
		{"/v1/stations/gn-1004321", "open", "2026-12-02T12:00:00+01:00"},
		{"/v1/stations/gn-1004333", "open", "2026-12-02T12:00:00+01:00"},
		{"/v1/stations/gn-1004333?at=2026-12-02T13:00:00%2B01:00", "closed", "2026-12-09T08:00:00+01:00"},
		// La Foa (New Caledonia, UTC+11): 10:30 UTC is 21:30 local on Wednesday.
		{"/v1/stations/gn-1002536", "closed", "2026-12-07T07:30:00+11:00"},
		{"/v1/stations/gn-1009100", "unknown", ""},
		{"/v1/stations/pn-68809", "open", ""},
	}
	for _, tt := range tests {
		rec := get(t, h, tt.target)
		var st stationJSON
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &st) != nil || st.Hours == nil {
			t.Fatalf("GET %s = %d %s", tt.target, rec.Code, rec.Body)
		}
		next := ""
		if st.Hours.Status.NextChange != nil {
			next = *st.Hours.Status.NextChange
		}
		if st.Hours.Status.State != tt.state || next != tt.next {
			t.Errorf("GET %s: state %s next %q, want %s %q", tt.target, st.Hours.Status.State, next, tt.state, tt.next)
		}
	}
}

func TestNearestOpenNow(t *testing.T) {
	// Wednesday 2 December 2026 at 21:00 in Paris: of the fixtures only the
	// 24/7 Nîmes commissariat is open in metropolitan France, and Papeete,
	// where it is 10:00, is open on the other side of the world.
	h := fixedServer(t, time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC))
	for _, target := range []string{
		"/v1/stations/nearest?lat=45.35&lon=5.50&limit=3&open=now",
		"/v1/stations/nearest?lat=45.35&lon=5.50&limit=3&open=2026-12-02T21:00:00%2B01:00",
	} {
		rec := get(t, h, target)
		var got nearestJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Stations) != 2 || got.Stations[0].ID != "pn-68809" || got.Stations[1].ID != "gn-1007002" {
			t.Fatalf("GET %s = %s, want pn-68809 then gn-1007002", target, rec.Body)
		}
		for _, st := range got.Stations {
			if st.Hours.Status.State != "open" {
				t.Errorf("%s state %s, want open", st.ID, st.Hours.Status.State)
			}
		}
	}
}

func TestStationIntervals(t *testing.T) {
	h := fixedServer(t, time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC))
	rec := get(t, h, "/v1/stations/gn-1004333/hours?from=2026-12-01T00:00:00%2B01:00&to=2026-12-15T00:00:00%2B01:00")
	var got intervalsJSON
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &got) != nil {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	want := []intervalJSON{
		{"2026-12-02T08:00:00+01:00", "2026-12-02T12:00:00+01:00"},
		{"2026-12-09T08:00:00+01:00", "2026-12-09T12:00:00+01:00"},
	}
	if len(got.Intervals) != len(want) || got.Timezone != "Europe/Paris" {
		t.Fatalf("intervals = %+v, want %v", got, want)
	}
	for i := range want {
		if got.Intervals[i] != want[i] {
			t.Errorf("interval %d = %v, want %v", i, got.Intervals[i], want[i])
		}
	}
}

// The answer names the public holidays of the station's own calendar on
// the days the span touches, and no others.
func TestStationIntervalsHolidays(t *testing.T) {
	h := fixedServer(t, time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC))
	for _, tt := range []struct {
		from, to string
		want     []holidayJSON
	}{
		{"2026-12-20T00:00:00%2B01:00", "2027-01-02T00:00:00%2B01:00", []holidayJSON{{"2026-12-25", "Noël"}, {"2027-01-01", "Jour de l'an"}}},
		{"2026-12-02T00:00:00%2B01:00", "2026-12-09T00:00:00%2B01:00", []holidayJSON{}},
		// A span ending at midnight does not touch the next day.
		{"2026-12-24T00:00:00%2B01:00", "2026-12-25T00:00:00%2B01:00", []holidayJSON{}},
	} {
		rec := get(t, h, "/v1/stations/gn-1004333/hours?from="+tt.from+"&to="+tt.to)
		var got intervalsJSON
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &got) != nil {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if fmt.Sprint(got.Holidays) != fmt.Sprint(tt.want) || got.Holidays == nil {
			t.Errorf("%s..%s: holidays = %v, want %v", tt.from, tt.to, got.Holidays, tt.want)
		}
	}
}

func TestHoursBadInputs(t *testing.T) {
	h := fixedServer(t, time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC))
	tests := []struct{ target, param string }{
		{"/v1/stations/nearest?lat=45&lon=5&open=tomorrow", "open"},
		{"/v1/stations/nearest?lat=45&lon=5&at=2026-13-01T00:00:00Z", "at"},
		{"/v1/stations/gn-1004333?at=yesterday", "at"},
		{"/v1/stations/gn-1004333/hours?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z", "to"},
		{"/v1/stations/gn-1004333/hours?from=2026-12-01T00:00:00Z&to=2027-01-15T00:00:00Z", "to"},
		{"/v1/stations/gn-1004333/hours?from=noon", "from"},
		{"/v1/stations/nearest?lat=45&lon=5&at=0001-01-01T00:00:00Z", "at"},
	}
	for _, tt := range tests {
		rec := get(t, h, tt.target)
		if rec.Code != 400 {
			t.Errorf("GET %s = %d, want 400", tt.target, rec.Code)
			continue
		}
		if p := decodeProblem(t, rec); len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != tt.param {
			t.Errorf("GET %s problem %+v does not name %s", tt.target, p, tt.param)
		}
	}
	if rec := get(t, h, "/v1/stations/gn-0/hours"); rec.Code != 404 {
		t.Errorf("hours of unknown station = %d, want 404", rec.Code)
	}
}
