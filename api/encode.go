package api

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"guichet/data"
	"guichet/data/hours"
)

// Station lists are the hot path of the API. Most of a station's JSON does
// not depend on the request, so it is encoded once per dataset into
// fragments, and a response only appends the distance and the opening
// state between them. The output is byte for byte what encoding/json gives
// for stationJSON; a test holds the two together.

// stationFragments are the request-independent parts of a station's JSON.
type stationFragments struct {
	head  []byte // {"id":…,"location":{…} without the closing brace
	hours []byte // "osm":…,"source_text":…,"timezone":…,
	week  []byte // [{…},…]
	tail  []byte // ,"source":"…"}

	status atomic.Pointer[encodedStatus]
}

// encodeCache holds what is encoded once per dataset: the headers of its
// answers, and the fragments of every station.
type encodeCache struct {
	ds           *data.Dataset
	version      []string // X-Dataset-Version
	lastModified []string // Last-Modified of answers at a fixed instant
	loadedAt     time.Time
	minute       atomic.Pointer[bucketLastModified]
	once         sync.Once
	frags        map[*data.Station]*stationFragments
}

func newFragments(s *data.Station) *stationFragments {
	full := newStationJSON(s, time.Time{})
	head, _ := json.Marshal(full.stationHead)
	hours, _ := json.Marshal(full.Hours.hoursHead)
	week, _ := json.Marshal(full.Hours.Week)
	source, _ := json.Marshal(full.Source)
	// One allocation, in the order appendStation reads it: the copies of
	// a cold station then stream from consecutive cache lines.
	b := make([]byte, 0, len(head)+len(hours)+len(week)+len(`,"source":`)+len(source)+1)
	b = append(b, head[:len(head)-1]...)
	h := len(b)
	b = append(b, hours[1:len(hours)-1]...)
	b = append(b, ',')
	o := len(b)
	b = append(b, week...)
	w := len(b)
	b = append(b, `,"source":`...)
	b = append(b, source...)
	b = append(b, '}')
	return &stationFragments{head: b[:h:h], hours: b[h:o:o], week: b[o:w:w], tail: b[w:]}
}

// newEncodeCache returns an encodeCache of ds with its headers encoded
// and its fragments not built yet.
func newEncodeCache(ds *data.Dataset) *encodeCache {
	return &encodeCache{
		ds:           ds,
		version:      []string{ds.Version()},
		lastModified: []string{ds.LoadedAt().UTC().Format(http.TimeFormat)},
		loadedAt:     ds.LoadedAt(),
	}
}

// bucketLastModified is the Last-Modified of the answers of one cache
// bucket, encoded once for all of them.
type bucketLastModified struct {
	bucket int64
	value  []string
}

// lastModifiedAt returns the Last-Modified of answers that follow the
// clock, in the given cacheMaxAge bucket: the bucket's start, or the load
// if later. The dataset's load time alone would let a cache answer 304 to
// an If-Modified-Since from a client holding a state that has since
// changed.
func (c *encodeCache) lastModifiedAt(bucket int64) []string {
	if m := c.minute.Load(); m != nil && m.bucket == bucket {
		return m.value
	}
	at := time.Unix(bucket*cacheMaxAge, 0)
	if c.loadedAt.After(at) {
		at = c.loadedAt
	}
	m := &bucketLastModified{bucket: bucket, value: []string{at.UTC().Format(http.TimeFormat)}}
	c.minute.Store(m)
	return m.value
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
// use, or nil when ds is no longer the dataset being served; callers then
// encode the slow way.
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

// appendStation appends the JSON of one station hit, evaluated at at.
func appendStation(b []byte, f *stationFragments, s *data.Station, distanceM float64, at time.Time) []byte {
	b = append(b, f.head...)
	b = append(b, `,"distance_m":`...)
	b = appendDecimetres(b, distanceM)
	b = append(b, `,"hours":{`...)
	b = append(b, f.hours...)
	b = append(b, f.statusAt(s, at)...)
	b = append(b, `,"week":`...)
	b = append(b, f.week...)
	b = append(b, '}')
	return append(b, f.tail...)
}

// encodedStatus is the JSON of a station's opening state, and the instants
// between which it holds.
type encodedStatus struct {
	from, until time.Time
	json        []byte
}

// statusAt returns the JSON of the station's opening state at at. A
// station keeps its state for hours, while requests ask for it many times
// a second: the last one encoded is reused for as long as it holds.
func (f *stationFragments) statusAt(s *data.Station, at time.Time) []byte {
	if c := f.status.Load(); c != nil && !at.Before(c.from) && at.Before(c.until) {
		return c.json
	}
	st, until := s.Hours.AtUntil(at, s.Locale)
	b := appendStatus(nil, st, s.Locale.Location)
	if until.After(at) {
		f.status.Store(&encodedStatus{from: at, until: until, json: b})
	}
	return b
}

func appendStatus(b []byte, st hours.State, loc *time.Location) []byte {
	b = append(b, `"status":{"state":`...)
	b = appendJSONString(b, st.Status.String())
	b = append(b, `,"next_change":`...)
	if st.Next.IsZero() {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = st.Next.In(loc).AppendFormat(b, time.RFC3339)
		b = append(b, '"')
	}
	if st.Reason != "" {
		b = append(b, `,"reason":`...)
		b = appendJSONString(b, st.Reason)
	}
	if st.Comment != "" {
		b = append(b, `,"comment":`...)
		b = appendJSONString(b, st.Comment)
	}
	return append(b, '}')
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
