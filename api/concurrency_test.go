package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"guichet/data"
	"guichet/data/load"
)

// fixtureFS gathers the station, jurisdiction and BAN fixtures of package
// data in one file system, so that every route has data to answer from.
func fixtureFS(tb testing.TB) fstest.MapFS {
	tb.Helper()
	fsys := fstest.MapFS{}
	for _, dir := range []string{"stations", "jurisdiction", "ban"} {
		entries, err := os.ReadDir(path.Join("../data/testdata", dir))
		if err != nil {
			tb.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(path.Join("../data/testdata", dir, e.Name()))
			if err != nil {
				tb.Fatal(err)
			}
			fsys[dir+"/"+e.Name()] = &fstest.MapFile{Data: b}
		}
	}
	return fsys
}

// concurrencyTargets are GET requests over every GET route, with inputs
// that take different paths: accented and unaccented names, prefixes,
// codes, points inside and outside communes, refusals.
var concurrencyTargets = []string{
	"/",
	"/healthz",
	"/readyz",
	"/metrics",
	"/v1/meta",
	"/openapi.json",
	"/docs",
	"/widget?lang=fr&limit=3",
	"/widget.js",
	"/v1/stations/nearest?lat=45.36&lon=5.59",
	"/v1/stations/nearest?lat=45.36&lon=5.59&limit=3&force=gendarmerie&format=geojson",
	"/v1/stations/nearest?lat=43.83&lon=4.36&open=2026-11-27T10:00:00Z",
	"/v1/stations/nearest?lat=45.36&lon=5.59&competent=true",
	"/v1/stations/nearest?lat=45.36&lon=5.59&fields=id,phone,phone_text,hours.week",
	"/v1/stations/bundle",
	"/v1/stations/nearest?lat=95&lon=5",
	"/v1/stations",
	"/v1/stations?commune=N%C3%AEmes",
	"/v1/stations?commune=nimes",
	"/v1/stations?commune=Voiron&force=gendarmerie",
	"/v1/stations?commune=B%C3%8ATA-LES-BAINS",
	"/v1/stations?departement=38&per_page=2&page=2",
	"/v1/stations/gn-1004321",
	"/v1/stations/gn-1004321?at=2026-11-28T09:00:00%2B01:00",
	"/v1/stations/gn-1004321/hours?from=2026-11-23T00:00:00Z&to=2026-11-30T00:00:00Z",
	"/v1/stations/gn-0",
	"/v1/jurisdiction?lat=45.36&lon=5.59",
	"/v1/jurisdiction?lat=45.36&lon=5.59&boundary_m=500",
	"/v1/jurisdiction?lat=45.36&lon=5.59&fields=*",
	"/v1/jurisdiction?lat=10&lon=10",
	"/v1/communes/38001",
	"/v1/communes/38099",
	"/v1/communes?q=B%C3%AAta-les-Bains",
	"/v1/communes?q=beta%20les%20bains",
	"/v1/communes?q=BETA",
	"/v1/communes?q=Alpha",
	"/v1/communes?q=%C3%A9%C3%A9",
	"/v1/communes?postcode=38500",
	"/v1/geocode?q=2%20rue%20Danton%20Voiron",
	"/v1/geocode?q=B%C3%AAta&type=municipality",
	"/v1/geocode?q=danton&postcode=38500&limit=2",
	"/v1/reverse?lat=45.364&lon=5.589",
	"/v1/reverse?lat=45.364&lon=5.589&limit=3",
}

var widgetAsset = regexp.MustCompile(`widget/assets/[A-Za-z0-9._-]+`)

// answer is what must not depend on concurrency: the status and the body.
type answer struct {
	status int
	body   []byte
}

func serveOnce(h http.Handler, target string) answer {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return answer{rec.Code, rec.Body.Bytes()}
}

// TestConcurrentAnswersMatchSequential drives every GET route from many
// goroutines at once, while the data is reloaded, and checks each answer
// against the same request made alone. Under -race it also catches any
// state that requests or a reload share without synchronisation.
func TestConcurrentAnswersMatchSequential(t *testing.T) {
	fsys := fixtureFS(t)
	load := func() (*data.Dataset, error) {
		return load.FS(fsys, load.Options{Now: func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }})
	}
	ds, err := load()
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Now = func() time.Time { return time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC) }
	cfg.Loader = func(context.Context) (*data.Dataset, error) { return load() }
	s := New(cfg, ds, nil)
	h := s.Handler()

	// The widget's assets have content-hashed names: the page names them.
	targets := slices.Clone(concurrencyTargets)
	page := serveOnce(h, "/widget")
	for _, asset := range widgetAsset.FindAllString(string(page.body), -1) {
		targets = append(targets, "/"+asset)
	}

	// Every GET route is driven: a new one must join the list.
	covered := map[string]bool{}
	for _, target := range targets {
		p, _, _ := strings.Cut(target, "?")
		covered[p] = true
	}
	for _, r := range s.engine.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		matched := false
		for p := range covered {
			if routeMatches(r.Path, p) {
				matched = true
			}
		}
		if !matched {
			t.Errorf("GET %s is not among the concurrency targets", r.Path)
		}
	}

	want := make([]answer, len(targets))
	for i, target := range targets {
		want[i] = serveOnce(h, target)
		if want[i].status >= 500 {
			t.Fatalf("GET %s alone = %d: %s", target, want[i].status, want[i].body)
		}
	}

	const workers, rounds = 16, 6
	var wg sync.WaitGroup
	errs := make(chan string, workers*rounds*len(targets)+3)
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				// Each worker walks the targets from a different start, so
				// that different routes overlap.
				for k := range targets {
					i := (k + w*7 + r) % len(targets)
					got := serveOnce(h, targets[i])
					if !sameAnswer(targets[i], got, want[i]) {
						errs <- fmt.Sprintf("GET %s = %d %.300s\nalone: %d %.300s", targets[i], got.status, got.body, want[i].status, want[i].body)
					}
				}
			}
		})
	}
	wg.Go(func() {
		for range 3 {
			if err := s.Reload(context.Background()); err != nil {
				errs <- "reload: " + err.Error()
			}
		}
	})
	wg.Wait()
	close(errs)
	n := 0
	for e := range errs {
		if n++; n <= 5 {
			t.Error(e)
		}
	}
	if n > 5 {
		t.Errorf("… %d differing answers in all", n)
	}
}

// sameAnswer compares two answers. The metrics count the requests
// themselves, and /v1/meta tells its age and the last reload; everything
// else in it, and every other body, must be identical.
func sameAnswer(target string, got, want answer) bool {
	if got.status != want.status {
		return false
	}
	switch target {
	case "/metrics":
		return true
	case "/v1/meta":
		return bytes.Equal(withoutFields(got.body, "age_s", "last_reload"), withoutFields(want.body, "age_s", "last_reload"))
	}
	return bytes.Equal(got.body, want.body)
}

// withoutFields re-encodes a JSON object without the named fields.
func withoutFields(body []byte, names ...string) []byte {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return body
	}
	for _, n := range names {
		delete(m, n)
	}
	out, _ := json.Marshal(m)
	return out
}

// routeMatches reports whether a concrete path fits a Gin route pattern.
func routeMatches(pattern, p string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(p, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i, seg := range ps {
		if !strings.HasPrefix(seg, ":") && seg != xs[i] {
			return false
		}
	}
	return true
}
