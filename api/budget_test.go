//go:build unix

package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"guichet/data"
	"guichet/data/load"
)

// cpuBudget is the processor time one request may take, whatever its
// input. The slowest accepted request measured on the national data takes
// a few milliseconds under the race detector; an input that costs its
// length times the data size (a name folded again for every station)
// takes seconds.
const cpuBudget = 100 * time.Millisecond

// budgetParams lists, per route, the parameters a client can fill with
// text; "" stands for the route's last path segment.
var budgetParams = []struct {
	path   string
	base   url.Values
	params []string
}{
	{"/v1/stations/nearest", url.Values{"lat": {"45.188"}, "lon": {"5.724"}}, []string{"lat", "lon", "limit", "radius", "force", "open", "at", "competent", "format"}},
	{"/v1/stations", nil, []string{"commune", "departement", "force", "page", "per_page", "at"}},
	{"/v1/stations/gn-1008869", nil, []string{"", "at"}},
	{"/v1/stations/gn-1008869/hours", url.Values{"from": {"2026-11-23T00:00:00Z"}, "to": {"2026-11-30T00:00:00Z"}}, []string{"from", "to"}},
	{"/v1/jurisdiction", url.Values{"lat": {"45.188"}, "lon": {"5.724"}}, []string{"lat", "lon", "boundary_m"}},
	{"/v1/communes/38185", nil, []string{""}},
	{"/v1/communes", nil, []string{"q", "postcode", "limit"}},
	{"/v1/geocode", url.Values{"q": {"1 place Saint-Étienne"}}, []string{"q", "postcode", "citycode", "type", "lat", "lon", "limit", "autocomplete"}},
	{"/v1/reverse", url.Values{"lat": {"45.188"}, "lon": {"5.724"}}, []string{"lat", "lon", "limit"}},
	{"/widget", nil, []string{"lang", "theme", "force", "limit", "open", "lat", "lon", "at"}},
}

// processCPU returns the processor time the process has used so far.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// budgetDataset is the national data when it is there, since costs that
// grow with the data show only at its scale, else the fixtures.
func budgetDataset(tb testing.TB) *data.Dataset {
	tb.Helper()
	if os.Getenv("GUICHET_OPENDATA") != "" {
		return nationalDataset(tb)
	}
	tb.Log("GUICHET_OPENDATA is not set: budgets measured on the fixtures only")
	ds, err := load.FS(fixtureFS(tb), load.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

// TestHostileInputCPUBudget sends, for every route and text parameter, a
// value of the largest accepted length and an over-long one, in accented
// and plain letters: each answer must come within cpuBudget of processor
// time or be a 4xx, and an over-long value must be refused naming the
// parameter and its limit.
func TestHostileInputCPUBudget(t *testing.T) {
	h := New(DefaultConfig(), budgetDataset(t), nil).Handler()
	values := map[string]string{
		"accented maximum": strings.Repeat("é", maxParamChars),
		"words maximum":    strings.Repeat("Saint-Étienne ", maxParamChars/14),
		"digits maximum":   "4" + strings.Repeat("0", maxParamChars-1),
	}
	overLong := strings.Repeat("é", 5000)
	for _, r := range budgetParams {
		for _, param := range r.params {
			for name, v := range values {
				rec, cpu := measure(t, h, r.path, r.base, param, v)
				if rec.Code < 400 || rec.Code >= 500 {
					if cpu > cpuBudget {
						t.Errorf("%s %s=%s: %d after %v of CPU, over the budget of %v", r.path, param, name, rec.Code, cpu, cpuBudget)
					}
				}
				if rec.Code >= 500 {
					t.Errorf("%s %s=%s: %d %s", r.path, param, name, rec.Code, rec.Body)
				}
			}
			rec, cpu := measure(t, h, r.path, r.base, param, overLong)
			if cpu > cpuBudget {
				t.Errorf("%s %s over-long: %d after %v of CPU, over the budget of %v", r.path, param, rec.Code, cpu, cpuBudget)
			}
			if param == "" {
				if rec.Code < 400 || rec.Code >= 500 {
					t.Errorf("%s with an over-long path segment: %d, want a 4xx", r.path, rec.Code)
				}
				continue
			}
			var p problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); rec.Code != http.StatusBadRequest || err != nil ||
				len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != param || !strings.Contains(p.Detail, "200 characters") {
				t.Errorf("%s %s over-long: %d %s, want a 400 naming %s and its limit", r.path, param, rec.Code, rec.Body, param)
			}
		}
	}
}

// measure serves one request with param set to v ("" param: the last path
// segment) three times and returns the answer and the least CPU time it
// took, so that a garbage collection cycle charged to one run does not
// count.
func measure(tb testing.TB, h http.Handler, path string, base url.Values, param, v string) (*httptest.ResponseRecorder, time.Duration) {
	q := url.Values{}
	for k, vs := range base {
		q[k] = vs
	}
	if param == "" {
		path = path[:strings.LastIndex(path, "/")+1] + url.PathEscape(v)
	} else {
		q.Set(param, v)
	}
	target := path + "?" + q.Encode()
	var rec *httptest.ResponseRecorder
	least := time.Duration(1<<63 - 1)
	for range 3 {
		rec = httptest.NewRecorder()
		before := processCPU(tb)
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		least = min(least, processCPU(tb)-before)
	}
	return rec, least
}
