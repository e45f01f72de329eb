package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
	"time"

	"guichet/data"
	"guichet/data/load"
)

func loadFS(tb testing.TB, fsys fstest.MapFS) *data.Dataset {
	tb.Helper()
	ds, err := load.FS(fsys, load.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

const twoStations = "service;identifiant_public_unite;adresse_geographique;departement;geocodage_x_GPS;geocodage_y_GPS\n" +
	"Brigade de Voiron;1004321;2 Rue Danton 38500 VOIRON;38;5.58963;45.36421\n" +
	"Brigade de Rives;1004333;12 Avenue Jean Jaurès 38140 RIVES;38;5.50212;45.35261\n"

func TestReload(t *testing.T) {
	first := mustServer(t).Dataset()
	small := loadFS(t, fstest.MapFS{"gn.csv": {Data: []byte(twoStations)}})
	var next *data.Dataset
	var loadErr error
	cfg := DefaultConfig()
	cfg.Loader = func(context.Context) (*data.Dataset, error) { return next, loadErr }
	s := New(cfg, first, nil)

	// Too few rows: 2 against the 12 serving now.
	next = small
	if err := s.Reload(context.Background()); !errors.Is(err, ErrReloadRefused) {
		t.Fatalf("Reload(small) = %v, want ErrReloadRefused", err)
	}
	if s.Dataset() != first {
		t.Fatal("a refused reload replaced the dataset")
	}
	rec := get(t, s.Handler(), "/readyz")
	var ready struct{ Status, Version string }
	if err := json.Unmarshal(rec.Body.Bytes(), &ready); err != nil || rec.Code != 200 || ready.Status != "degraded" || ready.Version != first.Version() {
		t.Errorf("readyz after refused reload = %d %s, want 200 degraded on the first version", rec.Code, rec.Body)
	}

	next, loadErr = nil, errors.New("disk on fire")
	if err := s.Reload(context.Background()); err == nil || s.Dataset() != first {
		t.Fatalf("Reload(error) = %v, dataset replaced: %v", err, s.Dataset() != first)
	}
	var meta metaJSON
	if err := json.Unmarshal(get(t, s.Handler(), "/v1/meta").Body.Bytes(), &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Reload == nil || meta.Reload.OK || meta.Reload.Error != "disk on fire" {
		t.Errorf("meta last_reload = %+v, want the failure", meta.Reload)
	}

	second := mustServer(t).Dataset()
	next, loadErr = second, nil
	if err := s.Reload(context.Background()); err != nil || s.Dataset() != second {
		t.Fatalf("Reload(good) = %v", err)
	}
	if c := s.encoded.Load(); c == nil || c.ds != second || c.frags == nil {
		t.Error("Reload did not build the fragments of the new dataset")
	}
	rec = get(t, s.Handler(), "/readyz")
	if err := json.Unmarshal(rec.Body.Bytes(), &ready); err != nil || ready.Status != "ready" {
		t.Errorf("readyz after good reload = %s", rec.Body)
	}
}

func TestAdminReload(t *testing.T) {
	ds := mustServer(t).Dataset()
	post := func(h http.Handler, auth string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/admin/reload", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := post(New(DefaultConfig(), ds, nil).Handler(), "Bearer x"); rec.Code != http.StatusNotFound {
		t.Errorf("reload without a configured token = %d, want 404", rec.Code)
	}
	cfg := DefaultConfig()
	cfg.AdminToken = "s3cret"
	loads := 0
	cfg.Loader = func(context.Context) (*data.Dataset, error) { loads++; return ds, nil }
	h := New(cfg, ds, nil).Handler()
	for _, auth := range []string{"", "Bearer wrong", "Basic s3cret", "s3cret", "Bearer", "Bearers3cret", "Bearer s3cret2"} {
		rec := post(h, auth)
		if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("reload with %q = %d, want 401 with WWW-Authenticate", auth, rec.Code)
		}
		decodeProblem(t, rec)
	}
	// The scheme's name is case-insensitive (RFC 9110 §11.1).
	for i, auth := range []string{"Bearer s3cret", "bearer s3cret", "BEARER  s3cret"} {
		if rec := post(h, auth); rec.Code != 200 || loads != i+1 {
			t.Errorf("reload with %q = %d after %d loads, want 200 after %d", auth, rec.Code, loads, i+1)
		}
	}
}

func TestConditionalRequests(t *testing.T) {
	s := mustServer(t)
	h := s.Handler()
	target := "/v1/stations/nearest?lat=45.3&lon=5.6&at=2026-12-02T10:00:00Z"
	rec := get(t, h, target)
	etag := rec.Header().Get("ETag")
	if rec.Code != 200 || etag == "" || rec.Header().Get("Last-Modified") == "" || rec.Header().Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("first GET = %d, headers %v", rec.Code, rec.Header())
	}
	if rec := get(t, h, target, "If-None-Match", etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("GET with matching If-None-Match = %d (%d bytes), want 304 and no body", rec.Code, rec.Body.Len())
	}
	s.SetDataset(loadFS(t, fstest.MapFS{"gn.csv": {Data: []byte(twoStations)}}))
	if rec := get(t, h, target, "If-None-Match", etag); rec.Code != 200 || rec.Header().Get("ETag") == etag {
		t.Errorf("GET after a data change = %d with ETag %s, want 200 and a new ETag", rec.Code, rec.Header().Get("ETag"))
	}
	if rec := get(t, h, "/v1/stations/nearest?lat=95&lon=5"); rec.Header().Get("ETag") != "" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("a problem carried cache validators: %v", rec.Header())
	}
}

func TestETagMatches(t *testing.T) {
	tests := []struct {
		header, etag string
		want         bool
	}{
		{"", `W/"v1"`, false},
		{`W/"v1"`, `W/"v1"`, true},
		{`"v1"`, `W/"v1"`, true},
		{`"v0", W/"v1"`, `W/"v1"`, true},
		{`"v2"`, `W/"v1"`, false},
		{`*`, `W/"v1"`, true},
	}
	for _, tt := range tests {
		if got := etagMatches(tt.header, tt.etag); got != tt.want {
			t.Errorf("etagMatches(%q, %q) = %v, want %v", tt.header, tt.etag, got, tt.want)
		}
	}
}

// TestValidatorsFollowTheClock checks that an answer whose opening states
// follow the clock is validated by an ETag of its cache bucket, and
// carries no Last-Modified: with the dataset's load time, a cache could
// answer 304 to a client holding yesterday's "open". An answer at a fixed
// instant changes only with the data, whose load time it carries.
func TestValidatorsFollowTheClock(t *testing.T) {
	ds, err := load.Dir("../data/testdata/stations", load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := ds.LoadedAt().Add(26 * time.Hour).Truncate(time.Minute).Add(17 * time.Second)
	cfg := DefaultConfig()
	cfg.Now = func() time.Time { return now }
	h := New(cfg, ds, nil).Handler()
	validators := func(target string) (etag, lastModified string) {
		t.Helper()
		rec := get(t, h, target)
		if rec.Code != http.StatusOK || rec.Header().Get("ETag") == "" {
			t.Fatalf("GET %s = %d, ETag %q", target, rec.Code, rec.Header().Get("ETag"))
		}
		return rec.Header().Get("ETag"), rec.Header().Get("Last-Modified")
	}
	const nearest = "/v1/stations/nearest?lat=45.3&lon=5.6"
	first, lm := validators(nearest)
	if lm != "" {
		t.Errorf("an answer that follows the clock has Last-Modified %q", lm)
	}
	now = now.Add(20 * time.Second)
	if same, _ := validators(nearest); same != first {
		t.Errorf("20 s later, within the minute: ETag %s, want %s", same, first)
	}
	now = now.Add(60 * time.Second)
	if next, _ := validators(nearest); next == first {
		t.Errorf("a minute later: ETag %s unchanged", next)
	}
	const fixed = nearest + "&at=2026-12-02T10:00:00Z"
	etag, lm := validators(fixed)
	got, err := http.ParseTime(lm)
	if loaded := ds.LoadedAt().Truncate(time.Second); err != nil || !got.Equal(loaded) {
		t.Errorf("with at=: Last-Modified %q, want the load %s", lm, loaded)
	}
	now = now.Add(time.Hour)
	if later, _ := validators(fixed); later != etag {
		t.Errorf("with at=, an hour later: ETag %s, want %s", later, etag)
	}
}
