package api

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"guichet/data"
	"guichet/data/hours"
	"guichet/data/load"
	"guichet/data/opendatatest"
	"guichet/geo/geotest"
)

// compactKeys are the members of a compact station, by object.
var compactKeys = map[string][]string{
	"":             {"address", "distance_m", "force", "hours", "id", "location", "name", "phone"},
	"address":      {"city", "postcode", "street"},
	"location":     {"lat", "lon"},
	"hours":        {"status", "today"},
	"hours.status": {"next_change", "state"},
}

// checkCompact fails unless st has the members of a compact station and no
// other (phone and the status's reason and comment only when known).
func checkCompact(t *testing.T, raw json.RawMessage, withDistance bool) {
	t.Helper()
	var st map[string]any
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	for path, want := range compactKeys {
		obj := st
		if path != "" {
			for p := range strings.SplitSeq(path, ".") {
				obj, _ = obj[p].(map[string]any)
			}
		}
		var got []string
		for k := range obj {
			got = append(got, k)
		}
		sort.Strings(got)
		want := slices.Clone(want)
		if path == "" && st["phone"] == nil {
			want = slices.DeleteFunc(want, func(k string) bool { return k == "phone" })
		}
		if path == "" && !withDistance {
			want = slices.DeleteFunc(want, func(k string) bool { return k == "distance_m" })
		}
		if path == "hours.status" {
			for _, opt := range []string{"reason", "comment"} {
				if obj[opt] != nil {
					want = append(want, opt)
				}
			}
			sort.Strings(want)
		}
		if !slices.Equal(got, want) {
			t.Errorf("compact station %s: members of %q are %v, want %v", raw, path, got, want)
		}
	}
}

func TestListAnswersAreCompact(t *testing.T) {
	h := mustServer(t).Handler()
	var near struct{ Stations []json.RawMessage }
	getJSON(t, h, "/v1/stations/nearest?lat=45.188&lon=5.724&limit=3", &near)
	if len(near.Stations) != 3 {
		t.Fatalf("nearest gave %d stations, want 3", len(near.Stations))
	}
	for _, st := range near.Stations {
		checkCompact(t, st, true)
	}
	var list struct{ Stations []json.RawMessage }
	getJSON(t, h, "/v1/stations?per_page=500", &list)
	if len(list.Stations) == 0 {
		t.Fatal("empty list")
	}
	for _, st := range list.Stations {
		checkCompact(t, st, false)
	}
	var fc struct {
		Features []struct{ Properties json.RawMessage }
	}
	getJSON(t, h, "/v1/stations/nearest?lat=45.188&lon=5.724&format=geojson", &fc)
	for _, f := range fc.Features {
		var props map[string]any
		json.Unmarshal(f.Properties, &props)
		if props["location"] != nil || props["hours"] == nil || props["week"] != nil {
			t.Errorf("GeoJSON properties %s: want the compact station without its location", f.Properties)
		}
	}

	// One station stays complete.
	var one map[string]any
	getJSON(t, h, "/v1/stations/gn-1004321", &one)
	for _, k := range []string{"departement", "email", "source"} {
		if one[k] == nil {
			t.Errorf("/v1/stations/gn-1004321 lacks %s: %v", k, one)
		}
	}
	if hours, _ := one["hours"].(map[string]any); hours["week"] == nil || hours["osm"] == nil || hours["today"] == nil {
		t.Errorf("/v1/stations/gn-1004321 hours %v: want week, osm and today", one["hours"])
	}
}

func TestCompetentStationsAreCompact(t *testing.T) {
	h := mustJurisdictionServer(t)
	var got jurisdictionJSON
	getJSON(t, h, "/v1/jurisdiction?lat=45.05&lon=5.1", &got)
	n := 0
	for _, c := range got.Competent {
		if c.Station != nil {
			// The point is known: competent stations carry their distance.
			checkCompact(t, c.Station, true)
			for _, st := range c.Stations {
				checkCompact(t, st, true)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no competent unit with a station to check")
	}
	getJSON(t, h, "/v1/jurisdiction?lat=45.05&lon=5.1&fields=id,hours.week", &got)
	for _, c := range got.Competent {
		if c.Station != nil && !strings.Contains(string(c.Station), `"week"`) {
			t.Errorf("fields=id,hours.week: competent station %s has no week", c.Station)
		}
	}
}

// leafPaths returns the paths of single leaves, in wire order.
func leafPaths() []string {
	var out []string
	for i := range numLeaves {
		for p, m := range fieldPaths {
			if m == 1<<i {
				out = append(out, p)
			}
		}
	}
	return out
}

// pruned is the oracle of masks: the complete station as encoding/json
// writes it, reduced to the selected leaves. An object is kept when some
// selected leaf lies under it, even if the station has none of them.
func pruned(t *testing.T, full []byte, m fieldMask) map[string]any {
	t.Helper()
	var all map[string]any
	if err := json.Unmarshal(full, &all); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for i, p := range leafPaths() {
		if m&(1<<i) == 0 {
			continue
		}
		src, dst := all, out
		parts := strings.Split(p, ".")
		for _, k := range parts[:len(parts)-1] {
			src, _ = src[k].(map[string]any)
			if dst[k] == nil {
				dst[k] = map[string]any{}
			}
			dst = dst[k].(map[string]any)
		}
		if v, ok := src[parts[len(parts)-1]]; ok {
			dst[parts[len(parts)-1]] = v
		}
	}
	return out
}

// TestMasksMatchPrunedStation holds every answer to a random mask to the
// complete station encoded by encoding/json and pruned to the mask, for
// every fixture station, with and without a distance.
func TestMasksMatchPrunedStation(t *testing.T) {
	if n := len(leafPaths()); n != numLeaves {
		t.Fatalf("%d leaf paths for %d leaves", n, numLeaves)
	}
	rng := geotest.Rand(t)
	ds, err := load.Dir("../data/testdata/stations", load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := New(DefaultConfig(), ds, nil)
	at := time.Date(2026, 12, 25, 10, 0, 0, 0, time.UTC) // a holiday: reasons in the status
	masks := []fieldMask{maskAll, maskCompact, maskOffline, 1 << leafID, maskStatus}
	for range 300 {
		masks = append(masks, fieldMask(rng.Uint32())&maskAll)
	}
	for _, st := range ds.Stations(data.StationFilter{}) {
		for _, m := range masks {
			for _, withDistance := range []bool{false, true} {
				full := newStationJSON(st, at)
				if withDistance {
					d := 1234.5
					full.DistanceM = &d
				}
				fullJSON, _ := json.Marshal(full)
				want := pruned(t, fullJSON, m)
				got := s.stationEncoder(ds, m, at).appendStation(nil, st, 1234.5, withDistance)
				var gotMap map[string]any
				if err := json.Unmarshal(got, &gotMap); err != nil {
					t.Fatalf("%s mask %b: invalid JSON %s: %v", st.ID, m, got, err)
				}
				if !reflect.DeepEqual(gotMap, want) {
					t.Fatalf("%s mask %b:\n got %s\nwant %v", st.ID, m, got, want)
				}
			}
		}
	}
}

func TestFieldsParameter(t *testing.T) {
	h := mustServer(t).Handler()
	var near struct{ Stations []map[string]any }
	getJSON(t, h, "/v1/stations/nearest?lat=45.188&lon=5.724&limit=2&fields=hours.week,email", &near)
	for _, st := range near.Stations {
		hours, _ := st["hours"].(map[string]any)
		if len(st) > 3 || st["id"] == nil || hours["week"] == nil || len(hours) != 1 {
			t.Errorf("fields=hours.week,email gave %v, want only the id, hours.week and the email", st)
		}
	}
	// * is every field: the same station as /v1/stations/{id}, plus the
	// distance.
	getJSON(t, h, "/v1/stations/nearest?lat=45.188&lon=5.724&limit=1&fields=*&at=2026-12-02T10:00:00Z", &near)
	var one map[string]any
	getJSON(t, h, "/v1/stations/"+near.Stations[0]["id"].(string)+"?at=2026-12-02T10:00:00Z", &one)
	delete(near.Stations[0], "distance_m")
	if !reflect.DeepEqual(near.Stations[0], one) {
		t.Errorf("fields=* gave %v, want the station as /v1/stations/{id} gives it: %v", near.Stations[0], one)
	}
	one = nil
	getJSON(t, h, "/v1/stations/gn-1004321?fields=name", &one)
	if len(one) != 2 || one["name"] == nil || one["id"] != "gn-1004321" {
		t.Errorf("/v1/stations/gn-1004321?fields=name = %v", one)
	}

	for _, tc := range []struct{ target, named string }{
		{"/v1/stations/nearest?lat=45&lon=5&fields=hours.week,colour,hours.weak", `"colour", "hours.weak"`},
		{"/v1/stations?fields=hours.", `"hours."`},
		{"/v1/stations/gn-1004321?fields=ID", `"ID"`},
		{"/v1/stations?fields=", "names no field"},
		{"/v1/stations?fields=id&fields=name", "more than once"},
		{"/v1/stations?fields=" + strings.Repeat("id,", 400), "at most 200 characters"},
	} {
		rec := get(t, h, tc.target)
		var p problem
		json.Unmarshal(rec.Body.Bytes(), &p)
		if rec.Code != http.StatusBadRequest || len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != "fields" ||
			!strings.Contains(p.InvalidParams[0].Reason, tc.named) {
			t.Errorf("GET %s = %d %s, want a 400 on fields naming %s", tc.target, rec.Code, rec.Body, tc.named)
		}
	}
}

// TestFieldsWorstCase bounds what the largest accepted fields value costs:
// a kilobyte of unknown paths is refused with a bounded message and a
// bounded number of allocations, and a kilobyte of known ones accepted.
func TestFieldsWorstCase(t *testing.T) {
	unknown := strings.Repeat("x,", maxFieldsLen/2)[:maxFieldsLen]
	known := strings.Repeat("id,", maxFieldsLen/3)[:maxFieldsLen-1]
	for _, v := range []string{unknown, known} {
		_, err := parseFields(v)
		if v == known && err != nil {
			t.Fatalf("%d bytes of known paths: %v", len(v), err)
		}
		if v == unknown {
			if err == nil || len(err.Error()) > 1024 || !strings.Contains(err.Error(), `"x", "x", "x", "x", "x" and 507 more`) {
				t.Fatalf("%d bytes of unknown paths: %d-byte error %v", len(v), len(err.Error()), err)
			}
		}
		// Splitting allocates nothing; the refusal, a few dozen strings at
		// most, not one per path.
		if n := testing.AllocsPerRun(50, func() { parseFields(v) }); n > 40 {
			t.Errorf("fields of %d bytes: %v allocations, want at most 40", len(v), n)
		}
	}
}

// TestTodayRanges holds today's ranges to the typical week on a weekday
// and to the public-holiday line on a holiday, in the station's zone.
func TestTodayRanges(t *testing.T) {
	ds, err := load.Dir("../data/testdata/stations", load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	weekRanges := func(st *data.Station, day string) []string {
		out := []string{}
		for _, d := range st.Hours.Week() {
			if d.Day == day {
				for _, r := range d.Open {
					out = append(out, r.From+"-"+r.To)
				}
			}
		}
		return out
	}
	checked := 0
	for _, st := range ds.Stations(data.StationFilter{}) {
		if st.Hours.Unknown() {
			if got := todayRanges(st, time.Now()); got != nil {
				t.Errorf("%s: unknown hours give today %v, want null", st.ID, got)
			}
			continue
		}
		for _, tc := range []struct {
			local time.Time
			day   string
		}{
			{time.Date(2026, 12, 2, 10, 0, 0, 0, st.Locale.Location), "We"},  // a Wednesday
			{time.Date(2026, 12, 2, 23, 59, 0, 0, st.Locale.Location), "We"}, // the same day, late
			{time.Date(2026, 12, 25, 10, 0, 0, 0, st.Locale.Location), "PH"}, // Christmas, a Friday
		} {
			want := weekRanges(st, tc.day)
			if tc.day == "PH" && !slices.ContainsFunc(st.Hours.Week(), func(d hours.DaySpec) bool { return d.Day == "PH" }) {
				want = weekRanges(st, "Fr") // no rule for holidays: a Friday like any other
			}
			if got := todayRanges(st, tc.local.UTC()); !slices.Equal(got, want) {
				t.Errorf("%s at %v: today %v, want %v (week %v)", st.ID, tc.local, got, want, st.Hours.Week())
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no station with known hours")
	}
}

// TestCompactSizeAtGrenoble checks the sizes the compact form is for, on
// the national stations: the default nearest answer at Grenoble within
// 2,000 bytes, a typical (median) station within 400.
func TestCompactSizeAtGrenoble(t *testing.T) {
	dir := opendatatest.Dir(t)
	ds, err := load.Dir(filepath.Join(dir, "forces-de-l-ordre"), load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	// A Wednesday morning: every station shows its day's ranges.
	cfg.Now = func() time.Time { return time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC) }
	h := New(cfg, ds, nil).Handler()
	rec := get(t, h, "/v1/stations/nearest?lat=45.188&lon=5.724")
	var near struct{ Stations []json.RawMessage }
	if err := json.Unmarshal(rec.Body.Bytes(), &near); err != nil || len(near.Stations) != 5 {
		t.Fatalf("nearest at Grenoble: %v, %d stations: %s", err, len(near.Stations), rec.Body)
	}
	t.Logf("default nearest at Grenoble: %d bytes", rec.Body.Len())
	if rec.Body.Len() > 2000 {
		t.Errorf("default nearest at Grenoble is %d bytes, want at most 2,000: %s", rec.Body.Len(), rec.Body)
	}
	var sizes []int
	for page := 1; ; page++ {
		var list struct {
			Stations []json.RawMessage
			Total    int
		}
		getJSON(t, h, "/v1/stations?per_page=500&page="+itoa(page), &list)
		for _, st := range list.Stations {
			sizes = append(sizes, len(st))
		}
		if len(list.Stations) == 0 || len(sizes) >= list.Total {
			break
		}
	}
	slices.Sort(sizes)
	median := sizes[len(sizes)/2]
	t.Logf("%d compact stations: median %d bytes, p90 %d, max %d", len(sizes), median, sizes[len(sizes)*9/10], sizes[len(sizes)-1])
	if median > 400 {
		t.Errorf("median compact station is %d bytes, want at most 400", median)
	}
}
