package data

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"guichet/data/hours"
	"guichet/geo"
	"guichet/geo/geocode"
)

// Dataset is an immutable, fully indexed snapshot of the open data. All
// methods are safe for concurrent use.
type Dataset struct {
	stations []Station
	// foldedCity is FoldName of each station's Address.City, folded on
	// the first listing by commune rather than on every one.
	foldedCity lazy[[]string]
	byID       map[string]int32
	points     geo.PointIndex[int32]
	// open indexes stations by the weekly slots they may be open in; nil
	// without stations.
	open     lazy[*openIndex]
	report   Report
	loadedAt time.Time
	version  string
	hitPool  sync.Pool
	// communes gives nil when no commune or jurisdiction file was loaded.
	communes lazy[*communeIndex]
	nearPool sync.Pool
	// states remembers the stations' last evaluated states.
	states stateCache
	// geocoder indexes communes and BAN addresses; nil means empty.
	geocoder lazy[*geocode.Index]
	// kept, nCommunes and nBoundaries are known before the indexes that
	// hold them are built: a restored dataset reads them from its summary.
	kept                   Kept
	nCommunes, nBoundaries int
}

// New indexes what a load parsed into an immutable Dataset. It owns src
// afterwards: the stations are not copied. Joining the sources may reject
// or warn about rows (a boundary the polygon index refuses, a station
// outside its service's territory, an address the geocoder refuses); those
// land in the dataset's report.
func New(src Sources) *Dataset {
	ds := newStations(&src, src.Report)
	communes := newCommuneSources(&src)
	var ix *communeIndex
	if !src.noCommunes() {
		ix = communes.build(ds.stations, src.StationLines, &ds.report)
		ds.nCommunes, ds.nBoundaries = len(ix.communes), ix.polygons.Len()
	}
	ds.communes.set(ix)
	gx, refused := buildGeocoder(src.Addresses, ix, &communes, &ds.report)
	ds.geocoder.set(gx)
	ds.kept = keptOf(&src, refused)
	return ds
}

// Summary is what New learns only by building the commune index and the
// geocoder: the final report, with the rows they refused or warned about,
// the rows kept and the counts of communes and boundaries. A snapshot
// stores it beside the sources, so that Restore need not build them.
type Summary struct {
	Report               Report
	Kept                 Kept
	Communes, Boundaries int
}

// Summary returns what Restore needs, with d's sources, to give d again.
func (d *Dataset) Summary() Summary {
	return Summary{Report: d.report, Kept: d.kept, Communes: d.nCommunes, Boundaries: d.nBoundaries}
}

// Restore is New for sources whose dataset was built before and gave sum:
// it indexes the stations at once, as every command needs them, and
// builds the commune index and the geocoder on first use (see Warm), so
// that a command reading a snapshot builds only what it asks for. The
// dataset answers as New(src) would; its report is sum's, src.Report is
// not read. fill, when not nil, completes src with the sources only those
// indexes read (Shapes, COG, CommuneGeo, Competence, Addresses,
// PostalNames) before they are first built.
func Restore(src Sources, sum Summary, fill func(*Sources)) *Dataset {
	ds := newStations(&src, sum.Report)
	ds.kept, ds.nCommunes, ds.nBoundaries = sum.Kept, sum.Communes, sum.Boundaries
	// The builds repeat what New reported already: they report into a
	// copy, thrown away.
	var communes communeSources
	ds.communes.build = func() *communeIndex {
		if fill != nil {
			fill(&src)
		}
		communes = newCommuneSources(&src)
		if src.noCommunes() {
			return nil
		}
		return communes.build(ds.stations, src.StationLines, sum.Report.scratch())
	}
	ds.geocoder.build = func() *geocode.Index {
		ix := ds.communes.get() // fills src and communes
		gx, _ := buildGeocoder(src.Addresses, ix, &communes, sum.Report.scratch())
		return gx
	}
	return ds
}

// newStations indexes the stations of src, the part of New every query
// needs, under the final report rep.
func newStations(src *Sources, rep Report) *Dataset {
	ds := &Dataset{
		stations: src.Stations,
		byID:     make(map[string]int32, len(src.Stations)),
		report:   rep,
		loadedAt: src.LoadedAt,
		version:  src.Version,
	}
	for i := range ds.stations {
		ds.byID[ds.stations[i].ID] = int32(i)
		ds.points.Insert(ds.stations[i].Location, int32(i))
	}
	stations := ds.stations
	ds.foldedCity.build = func() []string {
		folded := make([]string, len(stations))
		for i := range stations {
			folded[i] = FoldName(stations[i].Address.City)
		}
		return folded
	}
	ds.points.Prepare()
	if len(stations) > 0 {
		ds.open.build = func() *openIndex { return buildOpenIndex(stations) }
	}
	return ds
}

// Report returns what the load read, kept, rejected and skipped.
func (d *Dataset) Report() *Report { return &d.report }

// LoadedAt returns when the dataset was loaded.
func (d *Dataset) LoadedAt() time.Time { return d.loadedAt }

// Version identifies the content the dataset was loaded from.
func (d *Dataset) Version() string { return d.version }

// Len returns the number of stations.
func (d *Dataset) Len() int { return len(d.stations) }

// CountByForce returns how many stations each force has.
func (d *Dataset) CountByForce() map[Force]int {
	m := map[Force]int{}
	for i := range d.stations {
		m[d.stations[i].Force]++
	}
	return m
}

// Station returns the station with the given id, or an error wrapping ErrNotFound.
func (d *Dataset) Station(id string) (*Station, error) {
	i, ok := d.byID[id]
	if !ok {
		return nil, fmt.Errorf("%w: no station with id %q", ErrNotFound, id)
	}
	return &d.stations[i], nil
}

// StationAt returns the station at index i, 0 <= i < Len(): the index of
// StationHit.
func (d *Dataset) StationAt(i int) *Station { return &d.stations[i] }

// StationFilter selects stations for listing. Empty fields match everything.
type StationFilter struct {
	Force       Force
	Departement string
	// Commune matches the commune's INSEE code or, case-insensitively, its name.
	Commune string
}

// Stations returns the stations that match f, ordered by id.
func (d *Dataset) Stations(f StationFilter) []*Station {
	var out []*Station
	city := FoldName(f.Commune)
	var folded []string
	if city != "" {
		folded = d.foldedCity.get()
	}
	for i := range d.stations {
		s := &d.stations[i]
		if f.Force != AnyForce && s.Force != f.Force {
			continue
		}
		if f.Departement != "" && s.Departement != f.Departement {
			continue
		}
		if f.Commune != "" && s.Address.Citycode != f.Commune && (city == "" || folded[i] != city) {
			continue
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// MaxNearest is the largest number of stations one nearest query returns.
const MaxNearest = 100

// NearestQuery asks for the stations closest to a point.
type NearestQuery struct {
	Point orb.Point
	// Limit is the number of stations wanted, 1 to MaxNearest.
	Limit int
	// RadiusM, when positive, excludes stations farther than this many metres.
	RadiusM float64
	Force   Force
	// OpenAt, when not zero, keeps only stations open at that instant in
	// their own zone and calendar; unknown hours do not count as open.
	OpenAt time.Time
	// Competent keeps only the units with jurisdiction over the commune
	// of Point; a point in no commune is an error wrapping ErrNotFound.
	Competent bool
	// StateAt, when not zero, is the instant at which each hit's State
	// and Today are evaluated.
	StateAt time.Time
}

// StationHit is one result of a nearest query.
type StationHit struct {
	Station *Station
	// Index is the station's position among the dataset's, as StationAt
	// takes it: Nearest sets it, so that a caller can keep per-station
	// values in a slice rather than a map. Other hits leave it 0.
	Index     int32
	DistanceM float64
	// State and Today are the station's state and local day at the
	// query's StateAt, nil without it; shared, not to be modified.
	State *StateSpan
	Today *Day
}

// Nearest appends to buf[:0] the stations nearest to q.Point by
// great-circle distance, closest first. With q.Competent it also returns
// the competence it found at q.Point (shared, not to be modified), nil
// otherwise.
func (d *Dataset) Nearest(q NearestQuery, buf []StationHit) ([]StationHit, *Competence, error) {
	if err := ValidatePoint(q.Point); err != nil {
		return nil, nil, err
	}
	if q.Limit < 1 || q.Limit > MaxNearest {
		return nil, nil, fmt.Errorf("%w: limit must be between 1 and %d", ErrInvalid, MaxNearest)
	}
	if q.RadiusM < 0 {
		return nil, nil, fmt.Errorf("%w: radius must not be negative", ErrInvalid)
	}
	var competent *Competence
	if q.Competent {
		_, _, comp, err := d.communeAt(q.Point, false)
		if err != nil {
			return nil, nil, err
		}
		competent = comp
	}
	hits, _ := d.hitPool.Get().(*[]geo.Hit[int32])
	if hits == nil {
		hits = new([]geo.Hit[int32])
	}
	var accept func(int32) bool
	switch {
	case !q.OpenAt.IsZero():
		accept = func(i int32) bool {
			s := &d.stations[i]
			return (q.Force == AnyForce || s.Force == q.Force) && s.Hours.IsOpen(q.OpenAt, s.Locale) == hours.Open
		}
	case q.Force != AnyForce:
		accept = func(i int32) bool { return d.stations[i].Force == q.Force }
	}
	if competent != nil {
		base := accept
		accept = func(i int32) bool { return competent.isCompetent(&d.stations[i]) && (base == nil || base(i)) }
	}
	// The open-now index is built only for a query that needs it.
	var open *openIndex
	if !q.OpenAt.IsZero() {
		open = d.open.get()
	}
	if open == nil {
		*hits = d.points.Nearest(q.Point, q.Limit, q.RadiusM, accept, *hits)
	} else {
		spare, _ := d.hitPool.Get().(*[]geo.Hit[int32])
		if spare == nil {
			spare = new([]geo.Hit[int32])
		}
		*hits, *spare = open.nearest(q.Point, q.Limit, q.RadiusM, q.OpenAt, accept, *hits, *spare)
		d.hitPool.Put(spare)
	}
	buf = buf[:0]
	for _, h := range *hits {
		sh := StationHit{Station: &d.stations[h.Value], Index: h.Value, DistanceM: h.DistanceM}
		if !q.StateAt.IsZero() {
			sh.State, sh.Today = d.stateAt(h.Value, q.StateAt), d.dayOf(h.Value, q.StateAt)
		}
		buf = append(buf, sh)
	}
	d.hitPool.Put(hits)
	return buf, competent, nil
}

// ValidatePoint checks that p is a usable WGS84 lon/lat: the rule of the
// queries, which the loaders apply to the source coordinates too.
func ValidatePoint(p orb.Point) error {
	lon, lat := p[0], p[1]
	if !(lat >= -90 && lat <= 90) {
		return fmt.Errorf("%w: latitude must be between -90 and 90", ErrInvalid)
	}
	if !(lon >= -180 && lon <= 180) {
		return fmt.Errorf("%w: longitude must be between -180 and 180", ErrInvalid)
	}
	return nil
}
