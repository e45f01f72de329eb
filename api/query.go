package api

import (
	"math"
	"strconv"
	"time"

	"github.com/paulmach/orb"

	"guichet/data"
)

// isDecimal reports whether s is a number in the only syntax accepted in
// queries, ^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$: ParseFloat alone
// would also take hex floats, "Inf", "NaN" and underscores. It is written
// out because every coordinate goes through it; a test holds it to the
// expression.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	intDigits := countDigits(s[i:])
	i += intDigits
	fracDigits := 0
	if i < len(s) && s[i] == '.' {
		i++
		fracDigits = countDigits(s[i:])
		i += fracDigits
	}
	if intDigits == 0 && fracDigits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		expDigits := countDigits(s[i:])
		if expDigits < 1 || expDigits > 3 {
			return false
		}
		i += expDigits
	}
	return i == len(s)
}

func countDigits(s string) int {
	n := 0
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	return n
}

// maxRadiusM is half the Earth's circumference: no radius can be larger.
const maxRadiusM = 20_037_509

// point decodes the required lat and lon parameters.
func (q query) point() (orb.Point, error) {
	lat, err := q.float("lat", -90, 90)
	if err != nil {
		return orb.Point{}, err
	}
	lon, err := q.float("lon", -180, 180)
	if err != nil {
		return orb.Point{}, err
	}
	return orb.Point{lon, lat}, nil
}

// float decodes a required finite number within [min, max].
func (q query) float(name string, min, max float64) (float64, error) {
	text, err := q.value(name)
	if err != nil {
		return 0, err
	}
	if text == "" {
		return 0, badParam(name, "is required")
	}
	if !isDecimal(text) {
		return 0, badParam(name, "must be a decimal number, got "+strconv.Quote(text))
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, badParam(name, "must be a finite decimal number, got "+strconv.Quote(text))
	}
	if v < min || v > max {
		return 0, badParam(name, "must be between "+strconv.FormatFloat(min, 'g', -1, 64)+" and "+strconv.FormatFloat(max, 'g', -1, 64))
	}
	return v, nil
}

// optFloat decodes an optional number within [min, max], def when absent.
func (q query) optFloat(name string, def, min, max float64) (float64, error) {
	if !q.has(name) {
		return def, nil
	}
	return q.float(name, min, max)
}

// int decodes an optional integer within [min, max], def when absent.
func (q query) int(name string, def, min, max int) (int, error) {
	s, err := q.value(name)
	if err != nil || s == "" {
		return def, err
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, badParam(name, "must be an integer, got "+strconv.Quote(s))
	}
	if v < min || v > max {
		return 0, badParam(name, "must be between "+strconv.Itoa(min)+" and "+strconv.Itoa(max))
	}
	return v, nil
}

// bool decodes an optional boolean: true or 1, false or 0; def when
// absent.
func (q query) bool(name string, def bool) (bool, error) {
	switch v, err := q.value(name); v {
	case "":
		return def, err
	case "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	default:
		return false, badParam(name, "must be true or false, got "+strconv.Quote(v))
	}
}

// instant decodes an optional RFC 3339 instant; the zero time when
// absent.
func (q query) instant(name string) (time.Time, error) {
	s, err := q.value(name)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, badParam(name, "must be an RFC 3339 instant such as 2026-11-27T18:30:00+01:00, got "+strconv.Quote(s))
	}
	if t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}, badParam(name, "must be between the years 1900 and 2200")
	}
	return t, nil
}

// instantOrNow decodes an optional instant of the API's routes, where
// "now" and absence give now.
func (q query) instantOrNow(name string, now time.Time) (time.Time, error) {
	if v, err := q.value(name); err != nil || v == "now" {
		return now, err
	}
	t, err := q.instant(name)
	if err != nil || t.IsZero() {
		return now, err
	}
	return t, nil
}

// open decodes open=now|true|1|<RFC 3339>: the instant stations must be
// open at, or the zero time when the parameter is absent, false or 0.
func (q query) open(at time.Time) (time.Time, error) {
	switch s, err := q.value("open"); s {
	case "", "false", "0":
		return time.Time{}, err
	case "now", "true", "1":
		return at, nil
	}
	return q.instantOrNow("open", at)
}

// radius decodes the optional radius in metres; 0 means unlimited.
func (q query) radius() (float64, error) {
	if !q.has("radius") {
		return 0, nil
	}
	r, err := q.float("radius", 0, maxRadiusM)
	if err == nil && r == 0 {
		return 0, badParam("radius", "must be positive (metres); omit it for no limit")
	}
	return r, err
}

func (q query) force() (data.Force, error) {
	v, err := q.value("force")
	if err != nil {
		return data.AnyForce, err
	}
	f, err := data.ParseForce(v)
	if err != nil {
		return data.AnyForce, badParam("force", "must be gendarmerie or police, got "+strconv.Quote(v))
	}
	return f, nil
}

// format decodes the response format: json (default) or geojson.
func (q query) format() (string, error) {
	switch f, err := q.value("format"); f {
	case "", "json":
		return "json", err
	case "geojson":
		return "geojson", nil
	default:
		return "", badParam("format", "must be json or geojson, got "+strconv.Quote(f))
	}
}

// nearestQuery decodes the parameters of /v1/stations/nearest.
func nearestQuery(q query, at time.Time) (data.NearestQuery, error) {
	p, err := q.point()
	if err != nil {
		return data.NearestQuery{}, err
	}
	limit, err := q.int("limit", 5, 1, data.MaxNearest)
	if err != nil {
		return data.NearestQuery{}, err
	}
	radius, err := q.radius()
	if err != nil {
		return data.NearestQuery{}, err
	}
	force, err := q.force()
	if err != nil {
		return data.NearestQuery{}, err
	}
	openAt, err := q.open(at)
	if err != nil {
		return data.NearestQuery{}, err
	}
	competent, err := q.bool("competent", false)
	if err != nil {
		return data.NearestQuery{}, err
	}
	return data.NearestQuery{Point: p, Limit: limit, RadiusM: radius, Force: force, OpenAt: openAt, Competent: competent}, nil
}
