package api

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"guichet/geo/geotest"
)

// TestOneRuleForEveryParameter checks that every route applies the same
// rules to its query: a repeated parameter, too many parameters, a
// malformed query and an over-long value are 400s naming what is wrong,
// whichever parameter it is.
func TestOneRuleForEveryParameter(t *testing.T) {
	h := mustServer(t).Handler()
	tests := []struct {
		name, target, param, detail string
	}{
		{"repeated lat", "/v1/stations/nearest?lat=45&lat=46&lon=5", "lat", "more than once"},
		{"repeated limit", "/v1/stations/nearest?lat=45&lon=5&limit=2&limit=3", "limit", "more than once"},
		{"repeated from", "/v1/stations/gn-1004321/hours?from=2026-12-01T00:00:00Z&from=2026-12-02T00:00:00Z&to=2026-12-03T00:00:00Z", "from", "more than once"},
		{"repeated page", "/v1/stations?page=1&page=2", "page", "more than once"},
		{"repeated unknown", "/v1/stations?x=1&x=2", "x", "more than once"},
		{"repeated widget limit", "/widget?limit=2&limit=3", "limit", "more than once"},
		{"10,001 parameters", "/v1/stations/nearest?lat=45&lon=5&" + manyNames(10_001), "query", "more than 100 parameters"},
		{"101 parameters", "/v1/stations/nearest?" + manyNames(101), "query", "more than 100 parameters"},
		{"semicolon", "/v1/stations/nearest?lat=45;lon=5", "query", "not ;"},
		{"bad escape", "/v1/stations?commune=%zz", "commune", "percent-encoding"},
		{"not UTF-8", "/v1/stations?commune=%ff", "commune", "UTF-8"},
		{"long value", "/v1/stations?departement=" + strings.Repeat("3", 201), "departement", "at most 200 characters"},
		{"long name", "/v1/stations?" + strings.Repeat("n", 65) + "=1", "query", "64 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, tt.target)
			if rec.Code != 400 {
				t.Fatalf("GET = %d %s, want 400", rec.Code, rec.Body)
			}
			p := decodeProblem(t, rec)
			if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != tt.param || !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("problem %+v, want %s named with %q", p, tt.param, tt.detail)
			}
		})
	}
	// The limits themselves are accepted.
	for _, target := range []string{
		"/v1/stations?departement=38&" + manyNames(98),
		"/v1/stations?commune=" + strings.Repeat("%C3%A9", 200),
		"/v1/stations?" + strings.Repeat("n", 64) + "=1",
	} {
		if rec := get(t, h, target); rec.Code != 200 {
			t.Errorf("GET %.80s… = %d %s, want 200", target, rec.Code, rec.Body)
		}
	}
}

// manyNames returns n distinct parameters.
func manyNames(n int) string {
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString("p" + itoa(i) + "=1")
	}
	return sb.String()
}

// TestCheckValueMatchesQueryUnescape holds the stack decoder of checkValue
// to url.QueryUnescape on random values.
func TestCheckValueMatchesQueryUnescape(t *testing.T) {
	reference := func(v string) string {
		u, err := url.QueryUnescape(v)
		switch {
		case err != nil:
			return "malformed"
		case !utf8.ValidString(u):
			return "utf-8"
		case utf8.RuneCountInString(u) > maxParamChars:
			return "long"
		}
		return ""
	}
	got := func(v string) string {
		switch err := checkValue(v); {
		case err == nil:
			return ""
		case strings.Contains(err.Error(), "percent"):
			return "malformed"
		case strings.Contains(err.Error(), "UTF-8"):
			return "utf-8"
		}
		return "long"
	}
	r := geotest.Rand(t)
	tokens := []string{"a", "é", "%C3%A9", "%C3", "%A9", "%", "%2", "%zz", "+", "%2B", "%ff", "%F0%9F%98%80", "x"}
	for range 20000 {
		var sb strings.Builder
		for range r.Intn(300) {
			sb.WriteString(tokens[r.Intn(len(tokens))])
		}
		v := sb.String()
		// An over-long value that is also malformed or not UTF-8 may be
		// refused for either reason.
		if g, w := got(v), reference(v); g != w && !(g == "long" && len(v) > maxParamChars) {
			t.Fatalf("checkValue(%q) = %s, want %s", v, g, w)
		}
	}
}

func TestCheckRawQueryAllocs(t *testing.T) {
	const raw = "lat=45.18812&lon=5.72431&limit=5&open=2026-12-02T23%3A30%3A00%2B01%3A00&q=Saint-%C3%89tienne"
	if n := testing.AllocsPerRun(100, func() { _ = checkRawQuery(raw) }); n != 0 {
		t.Errorf("checkRawQuery allocates %v times, want 0", n)
	}
}
