package api

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// Bounds on every query, checked before any handler: no route takes more
// than a dozen parameters, and no value (an address, a commune name, an
// instant) is longer than maxParamChars.
const (
	maxQueryParams    = 100
	maxParamChars     = 200
	maxParamNameBytes = 64
)

// The one rule every parameter of every route is read by:
//
//   - The query is name=value pairs separated by &, at most
//     maxQueryParams of them; a name is UTF-8 text of at most
//     maxParamNameBytes bytes, a value UTF-8 text of at most
//     maxParamChars characters once percent-decoded.
//   - A parameter is given at most once, known or not: a list goes in one
//     value, comma-separated (fields=id,name).
//   - A value is read without the white space around it, and an empty
//     value is the parameter's absence: the route's default, or "is
//     required". Only a list tells an empty value from absence, since
//     asking for an empty list is asking for nothing (fields=).
//   - Unknown parameters are ignored, once they pass the bounds above, so
//     that cache busters and other tools' parameters do no harm.
//
// The fields of the batch upload are not query parameters: they follow
// api-adresse, whose clients repeat columns (see setBatchOption).
//
// checkQuery applies the bounds and the once-only rule to every parameter
// before any handler runs; a handler reads the parameters it knows
// through a query, which checks each one it reads by the same rule.

// checkQuery refuses a query that breaks the rule, whatever the route.
func (s *Server) checkQuery(c *gin.Context) {
	if err := checkRawQuery(c.Request.URL.RawQuery); err != nil {
		s.fail(c, err)
		return
	}
	c.Next()
}

// nextParam splits the first name=value pair off a raw query, skipping
// empty pairs (a=1&&b=2); ok is false when raw holds no more pairs.
func nextParam(raw string) (name, value, rest string, ok bool) {
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		name, value, _ = strings.Cut(kv, "=")
		return name, value, raw, true
	}
	return "", "", "", false
}

func checkRawQuery(raw string) error {
	// Names seen so far; a linear scan beats a map for the few
	// parameters of a real query.
	var namesArr [16]string
	names := namesArr[:0]
	n := 0
	for {
		k, v, rest, ok := nextParam(raw)
		if !ok {
			return nil
		}
		raw = rest
		if n++; n > maxQueryParams {
			return badParam("query", "has more than "+strconv.Itoa(maxQueryParams)+" parameters")
		}
		if strings.Contains(k, ";") || strings.Contains(v, ";") {
			return badParam("query", "must separate parameters with &, not ;")
		}
		k, err := url.QueryUnescape(k)
		if err != nil {
			return badParam("query", "has a malformed percent-encoding in a parameter name")
		}
		if len(k) > maxParamNameBytes || !utf8.ValidString(k) {
			return badParam("query", "has a parameter name that is not UTF-8 text of at most "+strconv.Itoa(maxParamNameBytes)+" bytes")
		}
		for _, seen := range names {
			if seen == k {
				return errRepeated(k)
			}
		}
		names = append(names, k)
		if err := checkValue(v); err != nil {
			return badParam(k, err.Error())
		}
	}
}

func errRepeated(name string) error { return badParam(name, "is given more than once") }

// query reads the parameters of one request by the rule above. It keeps
// the raw query and scans it on each read, which allocates nothing
// unless a value is percent-encoded: a route reads a dozen parameters at
// most, from a query of a few hundred bytes at most.
type query struct{ raw string }

func queryOf(c *gin.Context) query { return query{c.Request.URL.RawQuery} }

// lookup returns the value of the parameter name, decoded and trimmed,
// and whether it is in the query at all, empty or not.
func (q query) lookup(name string) (value string, given bool, err error) {
	raw := q.raw
	escaped := ""
	for {
		k, v, rest, ok := nextParam(raw)
		if !ok {
			break
		}
		raw = rest
		if k != name {
			if !strings.Contains(k, "%") {
				continue
			}
			if dk, err := url.QueryUnescape(k); err != nil || dk != name {
				continue
			}
		}
		if given {
			return "", true, errRepeated(name)
		}
		given, escaped = true, v
	}
	if !given {
		return "", false, nil
	}
	if err := checkValue(escaped); err != nil {
		return "", true, badParam(name, err.Error())
	}
	if strings.ContainsAny(escaped, "%+") {
		// checkValue has checked the escapes.
		escaped, _ = url.QueryUnescape(escaped)
	}
	return strings.TrimSpace(escaped), true, nil
}

// value returns the value of the parameter name, "" when it is absent or
// empty.
func (q query) value(name string) (string, error) {
	v, _, err := q.lookup(name)
	return v, err
}

// has reports whether the parameter name has a value. A malformed one
// counts, so that reading it reports the error.
func (q query) has(name string) bool {
	v, _, err := q.lookup(name)
	return v != "" || err != nil
}

// checkValue checks one escaped value: well-formed percent-encoding, then
// UTF-8 text of at most maxParamChars characters once decoded. It decodes
// into a buffer on the stack, since url.QueryUnescape would allocate for
// every escaped value, such as the + of a UTC offset.
func checkValue(escaped string) error {
	var buf [utf8.UTFMax * maxParamChars]byte
	n := 0
	for i := 0; i < len(escaped); i++ {
		b := escaped[i]
		switch b {
		case '+':
			b = ' '
		case '%':
			if i+2 >= len(escaped) || !isHex(escaped[i+1]) || !isHex(escaped[i+2]) {
				return errors.New("has a malformed percent-encoding")
			}
			b = unhex(escaped[i+1])<<4 | unhex(escaped[i+2])
			i += 2
		}
		if n == len(buf) {
			// More bytes than maxParamChars characters can take.
			return errTooLong
		}
		buf[n] = b
		n++
	}
	if !utf8.Valid(buf[:n]) {
		return errors.New("must be UTF-8 text")
	}
	if utf8.RuneCount(buf[:n]) > maxParamChars {
		return errTooLong
	}
	return nil
}

var errTooLong = errors.New("must have at most " + strconv.Itoa(maxParamChars) + " characters")

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// loggedParams are the query parameters that may appear in logs, each
// with the check its value must pass to be logged as sent: only values
// that say nothing about where a person is or lives, and only once they
// are known to be what they claim. Coordinates are rounded instead; the
// value of any other known parameter is withheld, and so is the name of
// an unknown one, which may itself carry text (?45.18,5.72).
var loggedParams = map[string]func(string) bool{
	"limit": isSmallInt, "page": isSmallInt, "per_page": isSmallInt,
	"radius":      isDecimal,
	"boundary_m":  isDecimal,
	"force":       oneOf("gendarmerie", "police"),
	"format":      oneOf("json", "geojson"),
	"type":        oneOf("housenumber", "street", "municipality"),
	"competent":   oneOf("true", "false", "1", "0"),
	"departement": isDepartementCode,
	"at":          isNowOrInstant,
	"open":        func(v string) bool { return oneOf("true", "false", "1", "0")(v) || isNowOrInstant(v) },
	"from":        isInstant,
	"to":          isInstant,
}

// withheldParams are the other parameters the routes read: their name is
// logged, their value is not.
var withheldParams = map[string]bool{
	"q": true, "commune": true, "postcode": true, "citycode": true, "autocomplete": true,
	"lang": true, "theme": true,
}

// logParam returns the name and value to log for one query parameter.
func logParam(k, v string) (string, string) {
	if k == "lat" || k == "lon" {
		return k, roundCoord(v)
	}
	if ok := loggedParams[k]; ok != nil {
		if ok(v) {
			return k, v
		}
		return k, "-"
	}
	if withheldParams[k] {
		return k, "-"
	}
	return "-", "-"
}

func isSmallInt(v string) bool { return v != "" && len(v) <= 7 && strings.Trim(v, "0123456789") == "" }

func oneOf(values ...string) func(string) bool {
	return func(v string) bool {
		for _, w := range values {
			if v == w {
				return true
			}
		}
		return false
	}
}

func isDepartementCode(v string) bool {
	v = strings.ToUpper(v)
	return len(v) == 2 && (strings.Trim(v, "0123456789") == "" || v == "2A" || v == "2B") ||
		len(v) == 3 && (strings.HasPrefix(v, "97") || strings.HasPrefix(v, "98")) && strings.Trim(v, "0123456789") == ""
}

func isInstant(v string) bool {
	_, err := time.Parse(time.RFC3339, v)
	return err == nil
}

func isNowOrInstant(v string) bool { return v == "now" || isInstant(v) }
