package api

import (
	"slices"
	"strconv"
	"strings"
)

// A station's wire object is a tree of fields; a fieldMask selects its
// leaves, one bit each. List answers default to the compact mask, one
// station answers to every field, and the fields parameter chooses any
// other selection with dotted paths (Google's AIP-157 partial responses).

type fieldMask uint32

// The leaves of a station, in wire order.
const (
	leafID = iota
	leafName
	leafForce
	leafAddressStreet
	leafAddressPostcode
	leafAddressCity
	leafAddressCitycode
	leafDepartement
	leafPhone
	leafPhoneText
	leafEmail
	leafURL
	leafLocationLat
	leafLocationLon
	leafDistance
	leafHoursOSM
	leafHoursSourceText
	leafHoursTimezone
	leafStatusState
	leafStatusNextChange
	leafStatusReason
	leafStatusComment
	leafHoursToday
	leafHoursWeek
	leafSource
	numLeaves
)

func leaves(from, to int) fieldMask { return fieldMask(1<<(to+1) - 1<<from) }

var (
	maskAddress  = leaves(leafAddressStreet, leafAddressCitycode)
	maskLocation = leaves(leafLocationLat, leafLocationLon)
	maskStatus   = leaves(leafStatusState, leafStatusComment)
	maskHours    = leaves(leafHoursOSM, leafHoursWeek)
	maskAll      = leaves(0, numLeaves-1)

	// maskCompact is what a list answer gives by default: enough to show a
	// station, call it, go there and know whether it is open and until when
	// today. The week and the source text are on /v1/stations/{id}.
	maskCompact = leaves(leafID, leafForce) | leaves(leafAddressStreet, leafAddressCity) |
		1<<leafPhone | maskLocation | 1<<leafDistance | maskStatus | 1<<leafHoursToday

	// maskOffline is the station of the offline bundle: what does not
	// depend on the instant or the client's position, with the hours as
	// opening_hours text and zone, from which an app computes any instant.
	maskOffline = leaves(leafID, leafForce) | leaves(leafAddressStreet, leafAddressCity) |
		1<<leafPhone | maskLocation | 1<<leafHoursOSM | 1<<leafHoursTimezone
)

// fieldPaths maps every path a client may name, inner objects included,
// to the leaves it selects.
var fieldPaths = map[string]fieldMask{
	"id":                       1 << leafID,
	"name":                     1 << leafName,
	"force":                    1 << leafForce,
	"address":                  maskAddress,
	"address.street":           1 << leafAddressStreet,
	"address.postcode":         1 << leafAddressPostcode,
	"address.city":             1 << leafAddressCity,
	"address.citycode":         1 << leafAddressCitycode,
	"departement":              1 << leafDepartement,
	"phone":                    1 << leafPhone,
	"phone_text":               1 << leafPhoneText,
	"email":                    1 << leafEmail,
	"url":                      1 << leafURL,
	"location":                 maskLocation,
	"location.lat":             1 << leafLocationLat,
	"location.lon":             1 << leafLocationLon,
	"distance_m":               1 << leafDistance,
	"hours":                    maskHours,
	"hours.osm":                1 << leafHoursOSM,
	"hours.source_text":        1 << leafHoursSourceText,
	"hours.timezone":           1 << leafHoursTimezone,
	"hours.status":             maskStatus,
	"hours.status.state":       1 << leafStatusState,
	"hours.status.next_change": 1 << leafStatusNextChange,
	"hours.status.reason":      1 << leafStatusReason,
	"hours.status.comment":     1 << leafStatusComment,
	"hours.today":              1 << leafHoursToday,
	"hours.week":               1 << leafHoursWeek,
	"source":                   1 << leafSource,
}

// FieldPaths returns every path the fields parameter accepts, sorted.
func FieldPaths() []string {
	out := make([]string, 0, len(fieldPaths))
	for p := range fieldPaths {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// maxFieldsLen bounds the fields parameter: every path at once is about
// 400 bytes. Over HTTP, checkQuery's bound on every value (maxParamChars)
// comes first; * and the paths of objects name many fields in few bytes.
const maxFieldsLen = 1024

// maxNamedUnknown bounds the unknown paths a refusal names.
const maxNamedUnknown = 5

// queryFields decodes the fields parameter: comma-separated paths, or *
// for every field; def when absent. The id is always given, so that a
// client can tell stations apart whatever it asks for. Unknown paths are
// refused, all named at once, rather than silently giving less than asked.
func queryFields(q query, def fieldMask) (fieldMask, error) {
	v, given, err := q.lookup("fields")
	if err != nil || !given {
		return def, err
	}
	return parseFields(v)
}

// parseFields parses the value of the fields parameter.
func parseFields(v string) (fieldMask, error) {
	if len(v) > maxFieldsLen {
		return 0, badParam("fields", "is longer than "+strconv.Itoa(maxFieldsLen)+" bytes")
	}
	var m fieldMask
	var unknown []string
	nUnknown := 0
	for p := range strings.SplitSeq(v, ",") {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
			continue
		case p == "*":
			m |= maskAll
		case fieldPaths[p] != 0:
			m |= fieldPaths[p]
		default:
			// The answer names a few: a kilobyte of nonsense must not
			// make a kilobyte of error message.
			if nUnknown++; nUnknown <= maxNamedUnknown {
				unknown = append(unknown, strconv.Quote(p))
			}
		}
	}
	if nUnknown > 0 {
		named := strings.Join(unknown, ", ")
		if nUnknown > maxNamedUnknown {
			named += " and " + strconv.Itoa(nUnknown-maxNamedUnknown) + " more"
		}
		return 0, badParam("fields", "unknown field paths "+named+
			"; known paths are * and "+strings.Join(FieldPaths(), ", "))
	}
	if m == 0 {
		return 0, badParam("fields", "names no field; give comma-separated paths such as id,name,hours.week, or *")
	}
	return m | 1<<leafID, nil
}
