package api

import (
	"math"
	"net/url"
	"strconv"
	"strings"
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

// queryPoint decodes the required lat and lon parameters.
func queryPoint(q url.Values) (orb.Point, error) {
	lat, err := queryFloat(q, "lat", -90, 90)
	if err != nil {
		return orb.Point{}, err
	}
	lon, err := queryFloat(q, "lon", -180, 180)
	if err != nil {
		return orb.Point{}, err
	}
	return orb.Point{lon, lat}, nil
}

// queryFloat decodes a required finite number within [min, max].
// checkQuery has refused a repeated parameter already.
func queryFloat(q url.Values, name string, min, max float64) (float64, error) {
	vs, ok := q[name]
	if !ok || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
		return 0, badParam(name, "is required")
	}
	text := strings.TrimSpace(vs[0])
	if !isDecimal(text) {
		return 0, badParam(name, "must be a decimal number, got "+strconv.Quote(vs[0]))
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, badParam(name, "must be a finite decimal number, got "+strconv.Quote(vs[0]))
	}
	if v < min || v > max {
		return 0, badParam(name, "must be between "+strconv.FormatFloat(min, 'g', -1, 64)+" and "+strconv.FormatFloat(max, 'g', -1, 64))
	}
	return v, nil
}

// queryInt decodes an optional integer within [min, max], def when absent.
func queryInt(q url.Values, name string, def, min, max int) (int, error) {
	s := strings.TrimSpace(q.Get(name))
	if s == "" {
		return def, nil
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

// queryRadius decodes the optional radius in metres; 0 means unlimited.
func queryRadius(q url.Values) (float64, error) {
	if strings.TrimSpace(q.Get("radius")) == "" {
		return 0, nil
	}
	r, err := queryFloat(q, "radius", 0, maxRadiusM)
	if err != nil {
		return 0, err
	}
	if r == 0 {
		return 0, badParam("radius", "must be positive (metres); omit it for no limit")
	}
	return r, nil
}

func queryForce(q url.Values) (data.Force, error) {
	f, err := data.ParseForce(q.Get("force"))
	if err != nil {
		return data.AnyForce, badParam("force", "must be gendarmerie or police, got "+strconv.Quote(q.Get("force")))
	}
	return f, nil
}

// queryFormat decodes the response format: json (default) or geojson.
func queryFormat(q url.Values) (string, error) {
	switch f := q.Get("format"); f {
	case "", "json":
		return "json", nil
	case "geojson":
		return "geojson", nil
	default:
		return "", badParam("format", "must be json or geojson, got "+strconv.Quote(f))
	}
}

// nearestQuery decodes the parameters of /v1/stations/nearest.
func nearestQuery(q url.Values, at time.Time) (data.NearestQuery, error) {
	p, err := queryPoint(q)
	if err != nil {
		return data.NearestQuery{}, err
	}
	limit, err := queryInt(q, "limit", 5, 1, data.MaxNearest)
	if err != nil {
		return data.NearestQuery{}, err
	}
	radius, err := queryRadius(q)
	if err != nil {
		return data.NearestQuery{}, err
	}
	force, err := queryForce(q)
	if err != nil {
		return data.NearestQuery{}, err
	}
	openAt, err := queryOpen(q, at)
	if err != nil {
		return data.NearestQuery{}, err
	}
	competent, err := queryBool(q, "competent")
	if err != nil {
		return data.NearestQuery{}, err
	}
	return data.NearestQuery{Point: p, Limit: limit, RadiusM: radius, Force: force, OpenAt: openAt, Competent: competent}, nil
}
