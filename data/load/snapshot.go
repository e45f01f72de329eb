package load

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"sort"
	"time"

	"github.com/paulmach/orb"

	"guichet/data"
	"guichet/data/hours"
	"guichet/data/snapshot"
	"guichet/geo/geocode"
)

// SnapshotOptions says whether and where DirSnapshot keeps the compiled
// snapshot of a data directory.
type SnapshotOptions struct {
	// Disabled loads the files every time and writes no snapshot.
	Disabled bool
	// Dir holds the snapshot files when set; else a snapshot is kept
	// beside the data, or in the user's cache directory when the data
	// directory is read-only (see snapshot.Locations).
	Dir string
}

// SnapshotStatus tells what DirSnapshot did with the snapshot, for the
// caller to log.
type SnapshotStatus struct {
	// Used is the snapshot the dataset was read from; "" when the files
	// were loaded.
	Used string
	// Refused gives, for each snapshot found but not used, its path and
	// why: the source files changed, another format version or build,
	// a corrupt or truncated file.
	Refused []string
	// Written is where a new snapshot was written after loading the files.
	Written string
	// NotWritten says why no snapshot could be written after loading the
	// files: no writable place, or an I/O error.
	NotWritten string
	// Postponed says why no snapshot was written this time, though the
	// next load may write one: the files changed during the load, or so
	// recently that they may change again unseen.
	Postponed string
}

// DirSnapshot is Dir with a snapshot: when one made from exactly the
// files dir holds now is found, the dataset is built from the sources it
// holds without reading the files; otherwise the files are loaded and a
// new snapshot is written for the next load. Either way the dataset has
// the same stations, answers, report and version. A snapshot that cannot
// be used is never an error: the files are loaded instead and the reason
// is in the status.
func DirSnapshot(dir string, opts Options, so SnapshotOptions) (*data.Dataset, SnapshotStatus, error) {
	var st SnapshotStatus
	if so.Disabled {
		ds, err := Dir(dir, opts)
		return ds, st, err
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		ds, err := Dir(dir, opts) // for its error
		return ds, st, err
	}
	before, scanErr := snapshot.Scan(dir)
	read, write := snapshot.Locations(dir, so.Dir)
	if scanErr == nil {
		for _, p := range read {
			ds, err := loadSnapshot(p, before, opts)
			if err == nil {
				st.Used = p
				return ds, st, nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				st.Refused = append(st.Refused, fmt.Sprintf("%s: %v", p, err))
			}
		}
	}
	src, err := readFS(os.DirFS(dir), opts)
	if err != nil {
		return nil, st, err
	}
	ds, payload := buildPayload(src)
	if ds.Len() == 0 {
		return ds, st, ErrNoStations
	}
	writeSnapshot(&st, dir, before, scanErr, write, payload)
	return ds, st, nil
}

// buildPayload builds the dataset of src and encodes the snapshot payload
// that restores it: the sources, encoded before New owns them, then the
// summary New made of them. Without stations there is no payload.
func buildPayload(src data.Sources) (*data.Dataset, []byte) {
	if len(src.Stations) == 0 {
		return data.New(src), nil
	}
	var e snapshot.Encoder
	encodeSources(&e, &src)
	ds := data.New(src)
	sum := ds.Summary()
	encodeSummary(&e, &sum)
	return ds, e.Bytes()
}

// loadSnapshot builds the dataset from the snapshot at p if it was made
// from the files listed in now.
func loadSnapshot(p string, now snapshot.Manifest, opts Options) (*data.Dataset, error) {
	m, payload, err := snapshot.Read(p)
	if err != nil {
		return nil, err
	}
	if diff := m.Diff(now); diff != "" {
		return nil, fmt.Errorf("stale: %s since it was written", diff)
	}
	src, sum, fill, check, err := decodePayload(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", snapshot.ErrCorrupt, err)
	}
	if len(src.Stations) == 0 {
		return nil, fmt.Errorf("%w: no station", snapshot.ErrCorrupt)
	}
	src.LoadedAt = time.Now()
	if opts.Now != nil {
		src.LoadedAt = opts.Now()
	}
	ds := data.Restore(src, sum, fill)
	if err := check(); err != nil {
		return nil, fmt.Errorf("%w: %v", snapshot.ErrCorrupt, err)
	}
	return ds, nil
}

// writeSnapshot stores payload at the first of paths where it can, unless
// the files changed during the load (before and after differ) or too
// recently to be trusted. It records in st where it wrote it, or why not.
func writeSnapshot(st *SnapshotStatus, dir string, before snapshot.Manifest, scanErr error, paths []string, payload []byte) {
	if scanErr != nil {
		st.NotWritten = "cannot list the data files: " + scanErr.Error()
		return
	}
	after, err := snapshot.Scan(dir)
	if err != nil {
		st.NotWritten = "cannot list the data files: " + err.Error()
		return
	}
	if diff := before.Diff(after); diff != "" {
		st.Postponed = "the data changed while loading: " + diff
		return
	}
	if p, racy := after.Racy(time.Now()); racy {
		st.Postponed = p + " was modified too recently to be trusted"
		return
	}
	var errs []error
	for _, p := range paths {
		err := snapshot.Write(p, after, payload)
		if err == nil {
			st.Written = p
			return
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		st.NotWritten = "nowhere to write it"
		return
	}
	st.NotWritten = errors.Join(errs...).Error()
}

// The snapshot payload is data.Sources: what the source files parse to,
// the directory records already merged into the stations, with the
// load's version; then the data.Summary of the dataset built from them,
// its final report included. Restoring the dataset from them builds only
// what a query asks for; a load of the files builds everything.

func encodeSources(e *snapshot.Encoder, src *data.Sources) {
	e.String(src.Version)
	e.Int(src.DirectoryRecords)
	var t snapshot.Encoder
	encodeTail(&t, src)
	e.Blob(t.Bytes())
	e.Uvarint(uint64(len(src.Stations)))
	for i := range src.Stations {
		encodeStation(e, &src.Stations[i])
		e.Int(src.StationLines[i])
	}
}

// encodeTail writes the sources only the commune index and the geocoder
// read, apart: a restored dataset decodes them when it first needs them.
func encodeTail(e *snapshot.Encoder, src *data.Sources) {
	e.Uvarint(uint64(len(src.Shapes)))
	for i := range src.Shapes {
		s := &src.Shapes[i]
		e.String(s.Code)
		e.String(s.Name)
		e.Ref(s.File)
		e.Int(s.Line)
		encodeBound(e, s.Bound)
		encodeMultiPolygon(e, s.Geom)
	}
	e.Uvarint(uint64(len(src.COG)))
	for i := range src.COG {
		r := &src.COG[i]
		e.String(r.Code)
		e.String(r.Nom)
		e.Ref(r.Type)
		e.Ref(r.Departement)
		e.Ref(r.Region)
		e.Strings(r.CodesPostaux)
		e.Int(r.Population)
		e.Strings(r.AnciensCodes)
		e.String(r.ChefLieu)
		e.String(r.Commune)
	}
	e.Uvarint(uint64(len(src.CommuneGeo)))
	for _, code := range sortedKeys(src.CommuneGeo) {
		g := src.CommuneGeo[code]
		e.String(code)
		encodePoint(e, g.Center)
		encodeBound(e, g.Bound)
	}
	e.Uvarint(uint64(len(src.Competence)))
	for _, code := range sortedKeys(src.Competence) {
		rows := src.Competence[code]
		e.String(code)
		e.Uvarint(uint64(len(rows)))
		for _, r := range rows {
			e.Ref(r.ServiceID)
			e.Uvarint(uint64(r.Force))
			e.Ref(r.File)
			e.Int(r.Line)
		}
	}
	e.Uvarint(uint64(len(src.Addresses)))
	for i := range src.Addresses {
		r := &src.Addresses[i]
		e.Ref(r.File)
		e.Int(r.Line)
		a := &r.Address
		e.String(a.ID)
		e.String(a.Number)
		e.String(a.Rep)
		e.String(a.Street)
		e.String(a.Postcode)
		e.String(a.Citycode)
		e.String(a.City)
		encodePoint(e, a.Point)
	}
	e.Uvarint(uint64(len(src.PostalNames)))
	for _, p := range src.PostalNames {
		e.String(p.Code)
		e.String(p.Postcode)
		e.String(p.Routing)
		e.String(p.Line5)
		e.Ref(p.File)
		e.Int(p.Line)
	}
}

func encodeSummary(e *snapshot.Encoder, s *data.Summary) {
	encodeReport(e, &s.Report)
	k := &s.Kept
	for _, n := range []int{k.COG, k.Centres, k.Competence, k.Addresses, k.Directory, s.Communes, s.Boundaries} {
		e.Int(n)
	}
}

// decodePayload reads a payload back: the sources, their boundaries apart,
// and the summary of the dataset they gave. It comes from a file: any byte string gives sources
// that data.Restore accepts, with the invariants the loaders guarantee
// (unique ids and codes, valid station positions), or an error; never a
// panic. The sources alias p, which must not be modified afterwards.
func decodePayload(p []byte) (src data.Sources, sum data.Summary, fill func(*data.Sources), check func() error, err error) {
	d := snapshot.NewDecoder(p)
	src, fill, check = decodeSources(d)
	sum.Report = decodeReport(d)
	k := &sum.Kept
	for _, n := range []*int{&k.COG, &k.Centres, &k.Competence, &k.Addresses, &k.Directory, &sum.Communes, &sum.Boundaries} {
		*n = d.Int()
	}
	if err := d.Err(); err != nil {
		return data.Sources{}, data.Summary{}, nil, nil, err
	}
	if d.Remaining() != 0 {
		return data.Sources{}, data.Summary{}, nil, nil, fmt.Errorf("%d bytes after the data", d.Remaining())
	}
	return src, sum, fill, check, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// decodeSources reads what encodeSources wrote but the tail, which it
// checks on another goroutine meanwhile: check waits for that and returns
// its error; fill then reads the tail's sources, and cannot fail. d holds
// the error of the rest.
func decodeSources(d *snapshot.Decoder) (src data.Sources, fill func(*data.Sources), check func() error) {
	src.Version = d.String()
	src.DirectoryRecords = d.Int()
	tail := d.Bytes(d.Len(1))
	var points int
	var tailErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		points, tailErr = decodeTail(tail, nil, 0)
	}()
	check = func() error {
		<-done
		return tailErr
	}
	fill = func(src *data.Sources) {
		<-done
		// Checked: the same bytes decode the same way.
		_, _ = decodeTail(tail, src, points)
	}
	n := d.Len(16)
	src.Stations = make([]data.Station, 0, n)
	src.StationLines = make([]int, 0, n)
	ids := make(map[string]bool, n)
	schedules := map[string]*hours.Schedule{}
	for range n {
		s := decodeStation(d)
		line := d.Int()
		if d.Err() != nil {
			break
		}
		if s.ID == "" || ids[s.ID] || data.ValidatePoint(s.Location) != nil {
			d.Fail(fmt.Errorf("station %q repeated or without a valid position", s.ID))
			break
		}
		ids[s.ID] = true
		s.Hours = parseSchedule(s.HoursFormat, s.HoursText, schedules)
		s.Locale = hours.LocaleFor(s.Departement)
		src.Stations = append(src.Stations, s)
		src.StationLines = append(src.StationLines, line)
	}
	return src, fill, check
}

// decodeTail reads what encodeTail wrote into src or, with src nil, only
// checks it, with the invariants the loaders guarantee (unique codes,
// codes of at least 3 characters, valid boundaries and forces), and
// counts the points of the boundaries: points is that count when src is
// not nil.
func decodeTail(tail []byte, src *data.Sources, points int) (int, error) {
	d := snapshot.NewDecoder(tail)
	check := src == nil
	var pts []orb.Point
	if !check {
		pts = make([]orb.Point, points)
	}
	points = 0
	var codes []string // to find repeated ones
	n := d.Len(8)
	if !check {
		src.Shapes = make([]data.CommuneShape, 0, n)
	}
	for range n {
		s := data.CommuneShape{Code: d.String(), Name: d.String(), File: d.Ref(), Line: d.Int()}
		s.Bound = decodeBound(d)
		blob := d.Bytes(d.Len(1))
		if d.Err() != nil {
			break
		}
		if check {
			_, np, err := decodeBoundary(blob, nil)
			if err != nil || len(s.Code) < 3 {
				d.Fail(fmt.Errorf("commune boundary %q: bad code or boundary: %v", s.Code, err))
				break
			}
			points += np
			codes = append(codes, s.Code)
			continue
		}
		s.Geom, _, _ = decodeBoundary(blob, &pts)
		src.Shapes = append(src.Shapes, s)
	}
	if check {
		if c, ok := repeated(codes); ok {
			d.Fail(fmt.Errorf("commune boundary %q twice", c))
		}
		codes = codes[:0]
	}
	n = d.Len(12)
	if !check {
		src.COG = make([]data.COGRecord, 0, n)
	}
	for range n {
		r := data.COGRecord{Code: d.String(), Nom: d.String(), Type: d.Ref(), Departement: d.Ref(), Region: d.Ref(),
			CodesPostaux: d.Strings(), Population: d.Int(), AnciensCodes: d.Strings(), ChefLieu: d.String(), Commune: d.String()}
		if d.Err() != nil {
			break
		}
		if check {
			if r.Type == data.COGCurrent || r.Type == data.COGCurrentFallback || r.Type == data.COGArrondissement {
				codes = append(codes, r.Code)
			}
			continue
		}
		src.COG = append(src.COG, r)
	}
	if c, ok := repeated(codes); check && ok {
		d.Fail(fmt.Errorf("commune %q twice", c))
	}
	if n = d.Len(1 + 6*8); n > 0 && !check {
		src.CommuneGeo = make(map[string]data.CommuneGeo, n)
	}
	for range n {
		code, g := d.String(), data.CommuneGeo{Center: decodePoint(d), Bound: decodeBound(d)}
		if !check {
			src.CommuneGeo[code] = g
		}
	}
	if n = d.Len(2); n > 0 && !check {
		src.Competence = make(map[string][]data.CompetenceRow, n)
	}
	for range n {
		code, m := d.String(), d.Len(4)
		var rows []data.CompetenceRow
		if !check {
			rows = make([]data.CompetenceRow, 0, m)
		}
		for range m {
			row := data.CompetenceRow{ServiceID: d.Ref(), Force: decodeForce(d), File: d.Ref(), Line: d.Int()}
			if !check {
				rows = append(rows, row)
			}
		}
		if !check {
			src.Competence[code] = rows
		}
	}
	n = d.Len(9 + 16)
	if !check && n > 0 {
		src.Addresses = make([]data.AddressRow, 0, n)
	}
	for range n {
		a := data.AddressRow{File: d.Ref(), Line: d.Int(), Address: geocode.Address{
			ID: d.String(), Number: d.String(), Rep: d.String(), Street: d.String(),
			Postcode: d.String(), Citycode: d.String(), City: d.String(), Point: decodePoint(d)}}
		if !check {
			src.Addresses = append(src.Addresses, a)
		}
	}
	n = d.Len(6)
	if !check && n > 0 {
		src.PostalNames = make([]data.PostalName, 0, n)
	}
	for range n {
		p := data.PostalName{Code: d.String(), Postcode: d.String(), Routing: d.String(), Line5: d.String(),
			File: d.Ref(), Line: d.Int()}
		if !check {
			src.PostalNames = append(src.PostalNames, p)
		}
	}
	if err := d.Err(); err != nil {
		return 0, err
	}
	if d.Remaining() != 0 {
		return 0, fmt.Errorf("%d bytes after the commune sources", d.Remaining())
	}
	return points, nil
}

// repeated returns a string that ss holds twice, sorting ss.
func repeated(ss []string) (string, bool) {
	slices.Sort(ss)
	for i := 1; i < len(ss); i++ {
		if ss[i] == ss[i-1] {
			return ss[i], true
		}
	}
	return "", false
}

// parseSchedule is the schedule a load gave the station: its warnings are
// in the report already.
func parseSchedule(format, text string, cache map[string]*hours.Schedule) *hours.Schedule {
	b := builder{schedules: cache}
	var scratch data.FileReport
	return b.schedule(&scratch, 0, &data.Station{HoursFormat: format, HoursText: text})
}

func encodeReport(e *snapshot.Encoder, r *data.Report) {
	e.Uvarint(uint64(len(r.Files)))
	for i := range r.Files {
		f := &r.Files[i]
		e.Ref(f.File)
		e.String(f.Format)
		e.String(f.Encoding)
		e.Int(f.Rows)
		e.Int(f.Kept)
		e.Int(f.Merged)
		e.Int(f.Ignored)
		encodeRejections(e, f.Rejections)
		encodeRejections(e, f.Warnings)
	}
	e.Uvarint(uint64(len(r.Skipped)))
	for _, s := range r.Skipped {
		e.Ref(s.File)
		e.String(s.Reason)
	}
}

// encodeRejections tells nil from empty, as the report's JSON does.
func encodeRejections(e *snapshot.Encoder, rs []data.Rejection) {
	if rs == nil {
		e.Uvarint(0)
		return
	}
	e.Uvarint(uint64(len(rs)) + 1)
	for _, r := range rs {
		e.Ref(r.File)
		e.Int(r.Line)
		e.Ref(r.Reason)
		e.String(r.Detail)
	}
}

func decodeReport(d *snapshot.Decoder) data.Report {
	var r data.Report
	if n := d.Len(11); n > 0 {
		r.Files = make([]data.FileReport, n)
	}
	for i := range r.Files {
		r.Files[i] = data.FileReport{File: d.Ref(), Format: d.String(), Encoding: d.String(),
			Rows: d.Int(), Kept: d.Int(), Merged: d.Int(), Ignored: d.Int(),
			Rejections: decodeRejections(d), Warnings: decodeRejections(d)}
	}
	if n := d.Len(2); n > 0 {
		r.Skipped = make([]data.SkippedFile, n)
	}
	for i := range r.Skipped {
		r.Skipped[i] = data.SkippedFile{File: d.Ref(), Reason: d.String()}
	}
	return r
}

func decodeRejections(d *snapshot.Decoder) []data.Rejection {
	n := d.Len(4)
	if n == 0 {
		return nil
	}
	rs := make([]data.Rejection, n-1)
	for i := range rs {
		rs[i] = data.Rejection{File: d.Ref(), Line: d.Int(), Reason: d.Ref(), Detail: d.String()}
	}
	return rs
}

func encodeStation(e *snapshot.Encoder, s *data.Station) {
	e.String(s.ID)
	e.Uvarint(uint64(s.Force))
	e.String(s.Name)
	e.String(s.Address.Street)
	e.String(s.Address.Postcode)
	e.String(s.Address.City)
	e.String(s.Address.Citycode)
	e.String(s.Departement)
	e.String(s.Phone)
	e.String(s.PhoneE164)
	e.String(s.Email)
	e.String(s.URL)
	encodePoint(e, s.Location)
	e.String(s.ServiceCode)
	e.String(s.HoursText)
	e.String(s.HoursFormat)
	e.String(s.Source)
}

func decodeStation(d *snapshot.Decoder) data.Station {
	return data.Station{
		ID:    d.String(),
		Force: decodeForce(d),
		Name:  d.String(),
		Address: data.Address{Street: d.String(), Postcode: d.String(), City: d.String(),
			Citycode: d.String()},
		Departement: d.String(),
		Phone:       d.String(),
		PhoneE164:   d.String(),
		Email:       d.String(),
		URL:         d.String(),
		Location:    decodePoint(d),
		ServiceCode: d.String(),
		HoursText:   d.String(),
		HoursFormat: d.String(),
		Source:      d.String(),
	}
}

func decodeForce(d *snapshot.Decoder) data.Force {
	f := d.Uvarint()
	if f > uint64(data.Police) {
		d.Fail(fmt.Errorf("bad force %d", f))
	}
	return data.Force(f)
}

func encodePoint(e *snapshot.Encoder, p orb.Point) {
	e.Float64(p[0])
	e.Float64(p[1])
}

func decodePoint(d *snapshot.Decoder) orb.Point {
	return orb.Point{d.Float64(), d.Float64()}
}

func encodeBound(e *snapshot.Encoder, b orb.Bound) {
	encodePoint(e, b.Min)
	encodePoint(e, b.Max)
}

func decodeBound(d *snapshot.Decoder) orb.Bound {
	return orb.Bound{Min: decodePoint(d), Max: decodePoint(d)}
}

// A boundary is written as one blob, so that a restored dataset decodes
// it only when it builds its commune index: the scale of its coordinates,
// then per polygon its rings, per ring its points. The coordinates are in
// fixed point, 10^scale units per degree, each point the difference from
// the previous one, in zigzag varints: a quarter of the size of floats,
// and so of the file to read. A boundary whose coordinates are not all
// decimals of at most 7 places, exactly, is written in floats (scale 0).

func encodeMultiPolygon(e *snapshot.Encoder, mp orb.MultiPolygon) {
	var b snapshot.Encoder
	scale := fixedScale(mp)
	b.Uvarint(uint64(scale))
	unit := math.Pow10(scale)
	var last [2]int64
	b.Uvarint(uint64(len(mp)))
	for _, poly := range mp {
		b.Uvarint(uint64(len(poly)))
		for _, r := range poly {
			b.Uvarint(uint64(len(r)))
			for _, pt := range r {
				if scale == 0 {
					b.Float64(pt[0])
					b.Float64(pt[1])
					continue
				}
				for k := range 2 {
					v := int64(math.Round(pt[k] * unit))
					b.Varint(v - last[k])
					last[k] = v
				}
			}
		}
	}
	e.Blob(b.Bytes())
}

// fixedScale returns the fewest decimal places, 5 to 7, that give every
// coordinate of mp back bit for bit as n / 10^places, or 0 when none does.
// A division of two integers held exactly is correctly rounded, as the
// parse of the decimal text is: both give the nearest float.
func fixedScale(mp orb.MultiPolygon) int {
	for scale := 5; scale <= 7; scale++ {
		unit := math.Pow10(scale)
		ok := true
		for _, poly := range mp {
			for _, r := range poly {
				for _, pt := range r {
					for _, x := range pt {
						v := math.Round(x * unit)
						ok = ok && math.Abs(v) < 1<<53 && math.Float64bits(v/unit) == math.Float64bits(x)
					}
				}
			}
		}
		if ok {
			return scale
		}
	}
	return 0
}

// decodeBoundary reads a blob that encodeMultiPolygon wrote. With pts nil
// it only checks it and counts its points; otherwise its rings are cut
// from *pts, which must have room for them, and the rest is left in *pts.
func decodeBoundary(blob []byte, pts *[]orb.Point) (mp orb.MultiPolygon, n int, err error) {
	d := snapshot.NewDecoder(blob)
	scale := d.Uvarint()
	if scale != 0 && (scale < 5 || scale > 7) {
		return nil, 0, fmt.Errorf("bad coordinate scale %d", scale)
	}
	unit := math.Pow10(int(scale))
	var last [2]int64
	np := d.Len(1)
	if pts != nil {
		mp = make(orb.MultiPolygon, np)
	}
	for i := range np {
		nr := d.Len(1)
		if pts != nil {
			mp[i] = make(orb.Polygon, nr)
		}
		for j := range nr {
			m := d.Len(2)
			var ring []orb.Point
			if pts != nil {
				if m > len(*pts) {
					return nil, 0, errors.New("boundary has more points than counted")
				}
				ring, *pts = (*pts)[:m:m], (*pts)[m:]
			}
			switch {
			case ring == nil && scale == 0:
				d.Bytes(16 * m)
			case ring == nil:
				d.SkipVarints(2 * m)
			default:
				for k := range ring {
					if scale == 0 {
						ring[k] = orb.Point{d.Float64(), d.Float64()}
						continue
					}
					for c := range 2 {
						last[c] += d.Varint()
						ring[k][c] = float64(last[c]) / unit
					}
				}
			}
			if pts != nil {
				mp[i][j] = ring
			}
			n += m
		}
	}
	if err := d.Err(); err != nil {
		return nil, 0, err
	}
	if d.Remaining() != 0 {
		return nil, 0, fmt.Errorf("%d bytes after a boundary", d.Remaining())
	}
	return mp, n, nil
}
