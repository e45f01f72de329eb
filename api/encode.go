package api

import (
	"cmp"
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
	station *data.Station
	pos     int32 // position in its fragmentTable, -1 outside one
	// buf holds each leaf as "key":value, leaf i at buf[off[i]:off[i+1]];
	// a leaf left out when empty, or written per request, is empty. After
	// the leaves comes the GeoJSON position, [lon,lat].
	buf []byte
	off [numLeaves + 1]uint32
	// compactHead is the start of the compact object, every static leaf
	// of maskCompact, in one piece: the default of list answers is one
	// copy instead of a dozen, from memory read in sequence. In a
	// fragmentTable it is part of the table's arena.
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
	frags        *fragmentTable
	bundleOnce   sync.Once
	bundle       *offlineBundle
}

func newFragments(s *data.Station) *stationFragments {
	f := &stationFragments{pos: -1}
	f.init(s)
	f.compactHead = f.appendHead(nil, maskCompact)
	return f
}

// init encodes the leaves of s, all but the compact head.
func (f *stationFragments) init(s *data.Station) {
	full := newStationJSON(s, time.Time{})
	f.station = s
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
}

// fragmentTable holds the fragments of every station of a dataset.
type fragmentTable struct {
	// all is in spatial order (see spatialOrder), and so are the compact
	// heads in arena: the few stations of a nearest answer are read from
	// a few neighbouring cache lines rather than from anywhere in the
	// heap.
	all   []stationFragments
	arena []byte
	// heads is, by position, what the default nearest answer reads of a
	// hit besides its hours: its station, to check the hit, and its
	// compact head's bounds in arena. At 16 bytes a station, the hits of
	// one answer share a few cache lines.
	heads []headRef
	// rank is the position in all of each of the dataset's stations, by
	// the index of StationHit.
	rank      []int32
	byStation map[*data.Station]*stationFragments
	// hours is the compact hours of every station at once, in the
	// order of all; building is set while one request rebuilds it.
	hours    atomic.Pointer[hoursTable]
	building atomic.Bool
}

type headRef struct {
	station    *data.Station
	start, end uint32
}

// hoursTable is the "hours" member of the compact station of every
// station of a fragmentTable, at the instants of [from, until), Unix
// nanoseconds: the one part of a nearest answer that changes with the
// clock, read from one arena in spatial order rather than from objects
// encoded at different times all over the heap.
type hoursTable struct {
	from, until int64
	// off bounds the member of each station: the station at position p
	// has arena[off[p]:off[p+1]], empty when its state is not reusable.
	off   []uint32
	arena []byte
}

func newFragmentTable(ds *data.Dataset) *fragmentTable {
	n := ds.Len()
	order := spatialOrder(ds)
	t := &fragmentTable{
		all:       make([]stationFragments, n),
		heads:     make([]headRef, n),
		rank:      make([]int32, n),
		byStation: make(map[*data.Station]*stationFragments, n),
	}
	for pos, i := range order {
		f := &t.all[pos]
		f.pos = int32(pos)
		f.init(ds.StationAt(int(i)))
		start := len(t.arena)
		t.arena = f.appendHead(t.arena, maskCompact)
		t.heads[pos] = headRef{f.station, uint32(start), uint32(len(t.arena))}
		t.rank[i] = int32(pos)
		t.byStation[f.station] = f
	}
	// The heads are sliced once the arena has stopped growing.
	t.arena = slices.Clip(t.arena)
	for pos, h := range t.heads {
		t.all[pos].compactHead = t.arena[h.start:h.end:h.end]
	}
	return t
}

// spatialOrder returns the indices of ds's stations along a Z-order
// (Morton) curve over longitude and latitude: stations near each other
// are mostly near each other in the order.
func spatialOrder(ds *data.Dataset) []int32 {
	type keyed struct {
		key uint64
		i   int32
	}
	ks := make([]keyed, ds.Len())
	for i := range ks {
		p := ds.StationAt(i).Location
		ks[i] = keyed{mortonKey(p[0], p[1]), int32(i)}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		return cmp.Compare(a.i, b.i)
	})
	order := make([]int32, len(ks))
	for j, k := range ks {
		order[j] = k.i
	}
	return order
}

// mortonKey interleaves the bits of lon and lat, each scaled to 32 bits.
func mortonKey(lon, lat float64) uint64 {
	x := uint32(math.Max(0, math.Min(1, (lon+180)/360)) * math.MaxUint32)
	y := uint32(math.Max(0, math.Min(1, (lat+90)/180)) * math.MaxUint32)
	return spread(x) | spread(y)<<1
}

// spread puts the bits of v at the even positions of the result.
func spread(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000ffff0000ffff
	x = (x | x<<8) & 0x00ff00ff00ff00ff
	x = (x | x<<4) & 0x0f0f0f0f0f0f0f0f
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

// ofHit returns the fragments of the station of h, found by its index.
func (t *fragmentTable) ofHit(h *data.StationHit) *stationFragments {
	if pos := t.posOf(h); pos >= 0 {
		return &t.all[pos]
	}
	return t.byStation[h.Station]
}

// posOf returns the position of the station of h, found by its index, or
// -1 when the index is not the station's.
func (t *fragmentTable) posOf(h *data.StationHit) int32 {
	if uint(h.Index) < uint(len(t.rank)) {
		if pos := t.rank[h.Index]; t.heads[pos].station == h.Station {
			return pos
		}
	}
	return -1
}

// appendCompactHit appends the default object of a nearest hit from the
// two arenas alone, the heads' and the hours', and reports false, having
// appended nothing, when the table of hours has no member for it at the
// encoder's instant.
func (e stationEncoder) appendCompactHit(b []byte, h *data.StationHit) ([]byte, bool) {
	t := e.frags
	pos := t.posOf(h)
	if pos < 0 {
		return b, false
	}
	hours := t.hoursAt(pos, e.atNano)
	if hours == nil {
		return b, false
	}
	head := &t.heads[pos]
	b = append(b, t.arena[head.start:head.end]...)
	b = append(b, `,"distance_m":`...)
	b = appendDecimetres(b, h.DistanceM)
	b = append(b, ',')
	b = append(b, hours...)
	return append(b, '}'), true
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
func (s *Server) fragments(ds *data.Dataset) *fragmentTable {
	c := s.encodedFor(ds)
	if c == nil {
		return nil
	}
	c.once.Do(func() { c.frags = newFragmentTable(ds) })
	return c.frags
}

// stationEncoder writes the stations of one answer. Its fragments are
// those of the dataset being served or, for a request that began before a
// reload, built per station: slow, but rare. The opening states it shows
// are the dataset's, at the answer's instant.
type stationEncoder struct {
	ds     *data.Dataset
	frags  *fragmentTable // nil for a dataset no longer served
	mask   fieldMask
	at     time.Time
	atNano int64 // at.UnixNano(), compared with the spans of cached hours
}

func (s *Server) stationEncoder(ds *data.Dataset, m fieldMask, at time.Time) stationEncoder {
	return newStationEncoder(ds, s.fragments(ds), m, at)
}

func newStationEncoder(ds *data.Dataset, frags *fragmentTable, m fieldMask, at time.Time) stationEncoder {
	return stationEncoder{ds: ds, frags: frags, mask: m, at: at, atNano: at.UnixNano()}
}

func (e stationEncoder) fragmentsOf(st *data.Station) *stationFragments {
	if e.frags != nil {
		if f := e.frags.byStation[st]; f != nil {
			return f
		}
	}
	return newFragments(st)
}

// appendStation appends the JSON object of st with the fields of the
// encoder's mask; distanceM is written only when withDistance.
func (e stationEncoder) appendStation(b []byte, st *data.Station, distanceM float64, withDistance bool) []byte {
	return e.appendObject(b, e.fragmentsOf(st), e.mask, nil, distanceM, withDistance)
}

// appendFeature appends st as a GeoJSON Feature whose properties are its
// object without the location, which is the geometry.
func (e stationEncoder) appendFeature(b []byte, st *data.Station, distanceM float64, withDistance bool) []byte {
	return e.appendFeatureOf(b, e.fragmentsOf(st), nil, distanceM, withDistance)
}

// appendHit appends a hit of Dataset.Nearest, as a GeoJSON Feature when
// feature, with its distance and the states Nearest evaluated, if any.
func (e stationEncoder) appendHit(b []byte, h *data.StationHit, feature bool) []byte {
	if e.frags != nil && e.mask == maskCompact && !feature {
		if b, ok := e.appendCompactHit(b, h); ok {
			return b
		}
	}
	var f *stationFragments
	if e.frags != nil {
		f = e.frags.ofHit(h)
	}
	if f == nil {
		f = newFragments(h.Station)
	}
	if feature {
		return e.appendFeatureOf(b, f, h, h.DistanceM, true)
	}
	return e.appendObject(b, f, e.mask, h, h.DistanceM, true)
}

func (e stationEncoder) appendFeatureOf(b []byte, f *stationFragments, h *data.StationHit, distanceM float64, withDistance bool) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = appendJSONString(b, f.station.ID)
	b = append(b, `,"geometry":{"type":"Point","coordinates":`...)
	b = append(b, f.position()...)
	b = append(b, `},"properties":`...)
	b = e.appendObject(b, f, e.mask&^maskLocation, h, distanceM, withDistance)
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

// appendObject appends the object of f's station with the fields m
// selects. Its states are those of h when Nearest evaluated them, else the
// dataset's at the encoder's instant.
func (e stationEncoder) appendObject(b []byte, f *stationFragments, m fieldMask, h *data.StationHit, distanceM float64, withDistance bool) []byte {
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
		b = append(b, e.compactHours(f, h)...)
	} else if m&maskHours != 0 {
		hs := e.hoursOf(f.station, h)
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

// encodedHours is the "hours" member of the compact station and the
// instants, in Unix nanoseconds, between which it holds.
type encodedHours struct {
	from, until int64 // it holds at every instant of [from, until)
	json        []byte
}

// compactHours returns the "hours" member of the compact station: in list
// answers, the one part of a station that changes with the clock. It is
// reused at every instant where both the state and the day it shows hold,
// checked against the encoder's instant alone, so that a hit of the
// default answer needs neither its state nor its day from the dataset.
func (e stationEncoder) compactHours(f *stationFragments, h *data.StationHit) []byte {
	if e.frags != nil && f.pos >= 0 {
		if b := e.frags.hoursAt(f.pos, e.atNano); b != nil {
			return b
		}
	}
	b, _ := e.stationHours(f, h)
	return b
}

// hoursAt returns the compact hours of the station at position pos from
// the table of hours, or nil when the table does not hold at the instant
// at (Unix nanoseconds) or has no member for that station.
func (t *fragmentTable) hoursAt(pos int32, at int64) []byte {
	ht := t.hours.Load()
	if ht == nil || at < ht.from || at >= ht.until {
		return nil
	}
	if b := ht.arena[ht.off[pos]:ht.off[pos+1]]; len(b) > 0 {
		return b
	}
	return nil
}

// stationHours returns the compact hours of f's station at the encoder's
// instant, encoded once for as long as they hold, and the span they hold
// for; nil when they are not reusable.
func (e stationEncoder) stationHours(f *stationFragments, h *data.StationHit) ([]byte, *encodedHours) {
	if c := f.hours.Load(); c != nil && c.from <= e.atNano && e.atNano < c.until {
		return c.json, c
	}
	hs := e.hoursOf(f.station, h)
	b := append([]byte(nil), `"hours":{"status":{`...)
	b = f.statusOf(hs.state, hs.loc).appendLeaves(b, maskStatus)
	b = append(b, '}', ',')
	b = append(b, f.todayOf(hs.today)...)
	b = append(b, '}')
	from, until := hs.state.From, hs.state.Until
	if hs.today.Start.After(from) {
		from = hs.today.Start
	}
	if hs.today.End.Before(until) {
		until = hs.today.End
	}
	// A state that holds for no time is a new value on every request
	// (statusOf does not keep it either): keeping it would only evict.
	if until.After(from) && !e.at.Before(from) && e.at.Before(until) {
		c := &encodedHours{from: from.UnixNano(), until: until.UnixNano(), json: b}
		f.hours.Store(c)
		return b, c
	}
	return b, nil
}

// refreshHours rebuilds the table of compact hours once the encoder's
// instant, the clock's, is past it. One request rebuilds it, in a few
// milliseconds, when the first station's state or day ends; the others
// meanwhile read each station's own. Answers at other instants (at=) read
// it only when it holds, and never rebuild it.
func (e stationEncoder) refreshHours() {
	t := e.frags
	if t == nil {
		return
	}
	if old := t.hours.Load(); old != nil && e.atNano < old.until {
		return
	}
	if !t.building.CompareAndSwap(false, true) {
		return
	}
	defer t.building.Store(false)
	enc := newStationEncoder(e.ds, t, maskCompact, e.at)
	ht := &hoursTable{from: math.MinInt64, until: math.MaxInt64, off: make([]uint32, len(t.all)+1)}
	for p := range t.all {
		if b, c := enc.stationHours(&t.all[p], nil); c != nil {
			ht.arena = append(ht.arena, b...)
			ht.from, ht.until = max(ht.from, c.from), min(ht.until, c.until)
		}
		ht.off[p+1] = uint32(len(ht.arena))
	}
	ht.arena = slices.Clip(ht.arena)
	t.hours.Store(ht)
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
