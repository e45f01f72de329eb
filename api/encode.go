package api

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"guichet/data"
	"guichet/data/hours"
)

// Station lists are the hot path of the API. Most of a station's JSON does
// not depend on the request, so each of its fields is encoded once per
// dataset, and a response only joins the fields its mask selects with the
// distance, the opening state and today's ranges. With every field the
// output is byte for byte what encoding/json gives for stationJSON; a test
// holds the two together.

// stationFragments are the request-independent parts of a station's JSON.
type stationFragments struct {
	// buf holds each leaf as "key":value, leaf i at buf[off[i]:off[i+1]];
	// a leaf left out when empty, or written per request, is empty. After
	// the leaves comes the GeoJSON position, [lon,lat].
	buf []byte
	off [numLeaves + 1]uint32
	// compactHead is the start of the compact object, every static leaf
	// of maskCompact, in one piece: the default of list answers is one
	// copy instead of a dozen, from memory read in sequence.
	compactHead []byte

	status atomic.Pointer[encodedStatus]
	today  atomic.Pointer[encodedToday]
	hours  atomic.Pointer[encodedHours]
}

// encodeCache holds what is encoded once per dataset: the headers of its
// answers, the fragments of every station and the offline bundle.
type encodeCache struct {
	ds           *data.Dataset
	version      []string // X-Dataset-Version
	lastModified []string // Last-Modified of answers at a fixed instant
	fixedETag    []string // ETag of answers at a fixed instant
	minute       atomic.Pointer[bucketETag]
	once         sync.Once
	frags        map[*data.Station]*stationFragments
	bundleOnce   sync.Once
	bundle       *offlineBundle
}

func newFragments(s *data.Station) *stationFragments {
	full := newStationJSON(s, time.Time{})
	f := &stationFragments{}
	b := make([]byte, 0, 2048)
	leaf := func(i int, key string, v any, omitEmpty bool) {
		f.off[i] = uint32(len(b))
		if str, ok := v.(string); ok && omitEmpty && str == "" {
			return
		}
		j, _ := json.Marshal(v)
		b = append(b, '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		b = append(b, j...)
	}
	dynamic := func(i int) { f.off[i] = uint32(len(b)) }
	leaf(leafID, "id", full.ID, false)
	leaf(leafName, "name", full.Name, false)
	leaf(leafForce, "force", full.Force, false)
	leaf(leafAddressStreet, "street", full.Address.Street, false)
	leaf(leafAddressPostcode, "postcode", full.Address.Postcode, false)
	leaf(leafAddressCity, "city", full.Address.City, false)
	leaf(leafAddressCitycode, "citycode", full.Address.Citycode, true)
	leaf(leafDepartement, "departement", full.Departement, false)
	leaf(leafPhone, "phone", full.Phone, true)
	leaf(leafPhoneText, "phone_text", full.PhoneText, true)
	leaf(leafEmail, "email", full.Email, true)
	leaf(leafURL, "url", full.URL, true)
	leaf(leafLocationLat, "lat", full.Location.Lat, false)
	leaf(leafLocationLon, "lon", full.Location.Lon, false)
	dynamic(leafDistance)
	leaf(leafHoursOSM, "osm", full.Hours.OSM, false)
	leaf(leafHoursSourceText, "source_text", full.Hours.SourceText, false)
	leaf(leafHoursTimezone, "timezone", full.Hours.Timezone, false)
	for i := leafStatusState; i <= leafHoursToday; i++ {
		dynamic(i)
	}
	leaf(leafHoursWeek, "week", full.Hours.Week, false)
	leaf(leafSource, "source", full.Source, false)
	f.off[numLeaves] = uint32(len(b))
	pos, _ := json.Marshal([2]float64{full.Location.Lon, full.Location.Lat})
	b = append(b, pos...)
	f.buf = slices.Clip(b)
	f.compactHead = f.appendHead(nil, maskCompact)
	return f
}

func (f *stationFragments) leaf(i int) []byte { return f.buf[f.off[i]:f.off[i+1]] }

// position returns the station's GeoJSON position, [lon,lat].
func (f *stationFragments) position() []byte { return f.buf[f.off[numLeaves]:] }

// appendLeaves appends the static leaves from..to that m selects.
func (f *stationFragments) appendLeaves(b []byte, m fieldMask, from, to int) []byte {
	for i := from; i <= to; i++ {
		if m&(1<<i) != 0 && f.off[i] != f.off[i+1] {
			b = appendComma(b)
			b = append(b, f.leaf(i)...)
		}
	}
	return b
}

// appendComma separates a member from the one before it, if any.
func appendComma(b []byte) []byte {
	if c := b[len(b)-1]; c != '{' && c != '[' {
		b = append(b, ',')
	}
	return b
}

// newEncodeCache returns an encodeCache of ds with its headers encoded
// and its fragments not built yet.
func newEncodeCache(ds *data.Dataset) *encodeCache {
	return &encodeCache{
		ds:           ds,
		version:      []string{ds.Version()},
		lastModified: []string{ds.LoadedAt().UTC().Format(http.TimeFormat)},
		fixedETag:    []string{`W/"` + ds.Version() + `"`},
	}
}

// bucketETag is the ETag of the answers of one cache bucket, encoded once
// for all of them.
type bucketETag struct {
	bucket int64
	etag   []string
}

// etagAt returns the ETag of answers that follow the clock, in the given
// cacheMaxAge bucket: it names the dataset and the bucket, so that a
// client holding a state that has since changed never gets a 304.
func (c *encodeCache) etagAt(bucket int64) []string {
	if m := c.minute.Load(); m != nil && m.bucket == bucket {
		return m.etag
	}
	m := &bucketETag{
		bucket: bucket,
		etag:   []string{`W/"` + c.ds.Version() + "-" + strconv.FormatInt(bucket, 36) + `"`},
	}
	c.minute.Store(m)
	return m.etag
}

// encodedFor returns the encodeCache of ds, or nil when ds is no longer the
// dataset being served (a request that started before a reload).
func (s *Server) encodedFor(ds *data.Dataset) *encodeCache {
	c := s.encoded.Load()
	if c != nil && c.ds == ds {
		return c
	}
	if s.ds.Load() != ds {
		return nil
	}
	next := newEncodeCache(ds)
	if s.encoded.CompareAndSwap(c, next) {
		return next
	}
	if c = s.encoded.Load(); c != nil && c.ds == ds {
		return c
	}
	return nil
}

// fragments returns the fragments of ds's stations, building them on first
// use, or nil when ds is no longer the dataset being served.
func (s *Server) fragments(ds *data.Dataset) map[*data.Station]*stationFragments {
	c := s.encodedFor(ds)
	if c == nil {
		return nil
	}
	c.once.Do(func() {
		all := ds.Stations(data.StationFilter{})
		c.frags = make(map[*data.Station]*stationFragments, len(all))
		for _, st := range all {
			c.frags[st] = newFragments(st)
		}
	})
	return c.frags
}

// stationEncoder writes the stations of one answer. Its fragments are
// those of the dataset being served or, for a request that began before a
// reload, built per station: slow, but rare. The opening states it shows
// are the dataset's, at the answer's instant.
type stationEncoder struct {
	ds    *data.Dataset
	frags map[*data.Station]*stationFragments
	mask  fieldMask
	at    time.Time
}

func (s *Server) stationEncoder(ds *data.Dataset, m fieldMask, at time.Time) stationEncoder {
	return stationEncoder{ds: ds, frags: s.fragments(ds), mask: m, at: at}
}

func (e stationEncoder) fragmentsOf(st *data.Station) *stationFragments {
	if f := e.frags[st]; f != nil {
		return f
	}
	return newFragments(st)
}

// appendStation appends the JSON object of st with the fields of the
// encoder's mask; distanceM is written only when withDistance.
func (e stationEncoder) appendStation(b []byte, st *data.Station, distanceM float64, withDistance bool) []byte {
	return e.fragmentsOf(st).appendObject(b, e.mask, distanceM, withDistance, e.hoursOf(st, nil))
}

// appendFeature appends st as a GeoJSON Feature whose properties are its
// object without the location, which is the geometry.
func (e stationEncoder) appendFeature(b []byte, st *data.Station, distanceM float64, withDistance bool) []byte {
	return e.appendFeatureWith(b, st, distanceM, withDistance, e.hoursOf(st, nil))
}

// appendHit appends a hit of Dataset.Nearest, as a GeoJSON Feature when
// feature, with its distance and the states Nearest evaluated.
func (e stationEncoder) appendHit(b []byte, h *data.StationHit, feature bool) []byte {
	st := e.hoursOf(h.Station, h)
	if feature {
		return e.appendFeatureWith(b, h.Station, h.DistanceM, true, st)
	}
	return e.fragmentsOf(h.Station).appendObject(b, e.mask, h.DistanceM, true, st)
}

func (e stationEncoder) appendFeatureWith(b []byte, st *data.Station, distanceM float64, withDistance bool, hs hoursState) []byte {
	f := e.fragmentsOf(st)
	b = append(b, `{"type":"Feature","id":`...)
	b = appendJSONString(b, st.ID)
	b = append(b, `,"geometry":{"type":"Point","coordinates":`...)
	b = append(b, f.position()...)
	b = append(b, `},"properties":`...)
	b = f.appendObject(b, e.mask&^maskLocation, distanceM, withDistance, hs)
	return append(b, '}')
}

// hoursState is what an answer shows of a station's hours at its instant.
type hoursState struct {
	state *data.StateSpan // nil when the mask shows no status
	today *data.Day       // nil when the mask shows no today
	loc   *time.Location
}

// hoursOf returns the states of st the mask shows: those of h when Nearest
// evaluated them, else the dataset's at the encoder's instant.
func (e stationEncoder) hoursOf(st *data.Station, h *data.StationHit) hoursState {
	hs := hoursState{loc: st.Locale.Location}
	if h != nil {
		hs.state, hs.today = h.State, h.Today
	}
	if e.mask&maskStatus != 0 && hs.state == nil {
		hs.state = e.ds.StateAt(st, e.at)
	}
	if e.mask&(1<<leafHoursToday) != 0 && hs.today == nil {
		hs.today = e.ds.DayOf(st, e.at)
	}
	return hs
}

// appendHead appends the start of the station's object with the fields m
// selects, up to the distance: the part no request changes.
func (f *stationFragments) appendHead(b []byte, m fieldMask) []byte {
	b = append(b, '{')
	b = f.appendLeaves(b, m, leafID, leafForce)
	b = f.appendGroup(b, m, maskAddress, `"address":{`, leafAddressStreet, leafAddressCitycode)
	b = f.appendLeaves(b, m, leafDepartement, leafURL)
	return f.appendGroup(b, m, maskLocation, `"location":{`, leafLocationLat, leafLocationLon)
}

// appendObject appends the station's object with the fields m selects.
func (f *stationFragments) appendObject(b []byte, m fieldMask, distanceM float64, withDistance bool, hs hoursState) []byte {
	if m == maskCompact {
		b = append(b, f.compactHead...)
	} else {
		b = f.appendHead(b, m)
	}
	if withDistance && m&(1<<leafDistance) != 0 {
		b = appendComma(b)
		b = append(b, `"distance_m":`...)
		b = appendDecimetres(b, distanceM)
	}
	if m&maskHours == maskCompactHours {
		b = appendComma(b)
		b = append(b, f.compactHoursOf(hs)...)
	} else if m&maskHours != 0 {
		b = appendComma(b)
		b = append(b, `"hours":{`...)
		b = f.appendLeaves(b, m, leafHoursOSM, leafHoursTimezone)
		if m&maskStatus != 0 {
			b = appendComma(b)
			b = append(b, `"status":{`...)
			b = f.statusOf(hs.state, hs.loc).appendLeaves(b, m)
			b = append(b, '}')
		}
		if m&(1<<leafHoursToday) != 0 {
			b = appendComma(b)
			b = append(b, f.todayOf(hs.today)...)
		}
		b = f.appendLeaves(b, m, leafHoursWeek, leafHoursWeek)
		b = append(b, '}')
	}
	b = f.appendLeaves(b, m, leafSource, leafSource)
	return append(b, '}')
}

// appendGroup appends, when m selects any of group, the object opened by
// key holding the leaves first to last that m selects.
func (f *stationFragments) appendGroup(b []byte, m, group fieldMask, key string, first, last int) []byte {
	if m&group == 0 {
		return b
	}
	b = appendComma(b)
	b = append(b, key...)
	b = f.appendLeaves(b, m, first, last)
	return append(b, '}')
}

// encodedStatus is the JSON of a station's opening state, one member per
// status leaf, and the state it encodes.
type encodedStatus struct {
	src  *data.StateSpan
	json []byte
	off  [5]uint16 // leaf leafStatusState+i is json[off[i]:off[i+1]]
}

func (e *encodedStatus) appendLeaves(b []byte, m fieldMask) []byte {
	for i := range 4 {
		if m&(1<<(leafStatusState+i)) != 0 && e.off[i] != e.off[i+1] {
			b = appendComma(b)
			b = append(b, e.json[e.off[i]:e.off[i+1]]...)
		}
	}
	return b
}

// statusOf returns the JSON of st. The dataset hands out the same state
// for as long as it holds, while requests ask for it many times a second:
// the last one encoded is reused while it is the one asked for.
func (f *stationFragments) statusOf(st *data.StateSpan, loc *time.Location) *encodedStatus {
	if c := f.status.Load(); c != nil && c.src == st {
		return c
	}
	e := newEncodedStatus(st.State, loc)
	if st.Until.After(st.From) {
		e.src = st
		f.status.Store(e)
	}
	return e
}

func newEncodedStatus(st hours.State, loc *time.Location) *encodedStatus {
	e := &encodedStatus{}
	b := append([]byte(nil), `"state":`...)
	b = appendJSONString(b, st.Status.String())
	e.off[1] = uint16(len(b))
	b = append(b, `"next_change":`...)
	if st.Next.IsZero() {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = st.Next.In(loc).AppendFormat(b, time.RFC3339)
		b = append(b, '"')
	}
	e.off[2] = uint16(len(b))
	if st.Reason != "" {
		b = append(b, `"reason":`...)
		b = appendJSONString(b, st.Reason)
	}
	e.off[3] = uint16(len(b))
	if st.Comment != "" {
		b = append(b, `"comment":`...)
		b = appendJSONString(b, st.Comment)
	}
	e.off[4] = uint16(len(b))
	e.json = b
	return e
}

// encodedToday is the "today" member of a station's hours, and the day it
// encodes.
type encodedToday struct {
	src  *data.Day
	json []byte
}

// todayOf returns the "today" member of day, reused while the dataset
// hands out the same day.
func (f *stationFragments) todayOf(day *data.Day) []byte {
	if c := f.today.Load(); c != nil && c.src == day {
		return c.json
	}
	ranges, _ := json.Marshal(dayRanges(day))
	e := &encodedToday{src: day, json: append([]byte(`"today":`), ranges...)}
	f.today.Store(e)
	return e.json
}

// maskCompactHours is the hours of the compact station: the state and
// today's ranges.
var maskCompactHours = maskCompact & maskHours

// encodedHours is the "hours" member of the compact station and the state
// and day it encodes.
type encodedHours struct {
	state *data.StateSpan
	today *data.Day
	json  []byte
}

// compactHoursOf returns the "hours" member of the compact station: in
// list answers, the one part of a station that changes with the clock,
// read from one place rather than from its state's and its day's, and
// reused while the dataset hands out the same state and day.
func (f *stationFragments) compactHoursOf(hs hoursState) []byte {
	if c := f.hours.Load(); c != nil && c.state == hs.state && c.today == hs.today {
		return c.json
	}
	b := append([]byte(nil), `"hours":{"status":{`...)
	b = f.statusOf(hs.state, hs.loc).appendLeaves(b, maskStatus)
	b = append(b, '}', ',')
	b = append(b, f.todayOf(hs.today)...)
	b = append(b, '}')
	e := &encodedHours{json: b}
	// A state that holds for no time is a new value on every request
	// (statusOf does not keep it either): keeping it would only evict.
	if hs.state.Until.After(hs.state.From) {
		e.state, e.today = hs.state, hs.today
		f.hours.Store(e)
	}
	return e.json
}

// appendDecimetres appends m rounded to the decimetre as encoding/json
// writes roundM(m): the shortest decimal that reads back as the same
// float64, which for a whole number of decimetres is that number. Integer
// formatting costs a fraction of the float's.
func appendDecimetres(b []byte, m float64) []byte {
	dm := math.Round(m * 10)
	if !(dm >= 0 && dm < 1<<53) {
		return strconv.AppendFloat(b, roundM(m), 'f', -1, 64)
	}
	n := int64(dm)
	b = strconv.AppendInt(b, n/10, 10)
	if n%10 != 0 {
		b = append(b, '.', byte('0'+n%10))
	}
	return b
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// does: plain printable ASCII is copied, anything else goes through
// encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// bufPool recycles response buffers of station lists.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}
