package geocode

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// Builder collects addresses and communes and builds an Index.
// It is not safe for concurrent use.
type Builder struct {
	munis     []Municipality
	muniIdx   map[string]int32
	declared  []bool      // given by AddMunicipality rather than inferred from addresses
	centerSum []orb.Point // coordinate sums of inferred communes, for their centres
	centerN   []int

	streets   []bStreet
	streetIdx map[bStreet]uint32
	recs      []bAddr
	ids       []byte

	pcs   []string
	pcIdx map[string]uint16
	reps  []string
	repIx map[string]uint8
}

type bStreet struct {
	name string
	muni int32
	pc   uint16
}

type bAddr struct {
	street   uint32
	num      uint32 // number<<8 | rep index
	lon, lat int32  // micro-degrees
	idOff    uint32
	idLen    uint32
}

const (
	maxNumber = 1<<24 - 1
	microDeg  = 1e6
)

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{
		muniIdx:   map[string]int32{},
		streetIdx: map[bStreet]uint32{},
		pcIdx:     map[string]uint16{},
		reps:      []string{""},
		repIx:     map[string]uint8{"": 0},
	}
}

// AddMunicipality adds or replaces a commune. Communes that only
// appear in addresses are added implicitly, centred on their addresses.
func (b *Builder) AddMunicipality(m Municipality) {
	m.Code = strings.Clone(m.Code)
	m.Name = strings.Clone(m.Name)
	m.Postcodes = slices.Clone(m.Postcodes)
	m.Parent = strings.Clone(m.Parent)
	i := b.muni(m.Code, m.Name)
	for _, pc := range b.munis[i].Postcodes {
		if !slices.Contains(m.Postcodes, pc) {
			m.Postcodes = append(m.Postcodes, pc)
		}
	}
	b.munis[i] = m
	b.declared[i] = true
}

func (b *Builder) muni(code, name string) int32 {
	if i, ok := b.muniIdx[code]; ok {
		return i
	}
	i := int32(len(b.munis))
	b.muniIdx[code] = i
	b.munis = append(b.munis, Municipality{Code: code, Name: name})
	b.declared = append(b.declared, false)
	b.centerSum = append(b.centerSum, orb.Point{})
	b.centerN = append(b.centerN, 0)
	return i
}

// AddAddress adds one address. It returns an error wrapping
// ErrBadAddress when the row has no street or commune code, an
// unparsable number or coordinates out of range.
func (b *Builder) AddAddress(a Address) error {
	num, rep, err := splitNumber(a.Number, a.Rep)
	if err != nil {
		return err
	}
	lon, lat := a.Point[0], a.Point[1]
	if !(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90) {
		return fmt.Errorf("%w: coordinates %v", ErrBadAddress, a.Point)
	}
	if a.Street == "" || a.Citycode == "" {
		return fmt.Errorf("%w: missing street or commune code", ErrBadAddress)
	}
	if len(b.ids)+len(a.ID) > math.MaxUint32 {
		return fmt.Errorf("%w: identifiers exceed 4 GiB", ErrBadAddress)
	}
	ri, ok := b.repIx[rep]
	if !ok {
		if len(b.reps) > math.MaxUint8 {
			return fmt.Errorf("%w: too many distinct repetition indices", ErrBadAddress)
		}
		ri = uint8(len(b.reps))
		rep = strings.Clone(rep)
		b.reps = append(b.reps, rep)
		b.repIx[rep] = ri
	}
	pc, ok := b.pcIdx[a.Postcode]
	if !ok {
		if len(b.pcs) > math.MaxUint16 {
			return fmt.Errorf("%w: too many distinct postcodes", ErrBadAddress)
		}
		pc = uint16(len(b.pcs))
		code := strings.Clone(a.Postcode)
		b.pcs = append(b.pcs, code)
		b.pcIdx[code] = pc
	}
	mi, ok := b.muniIdx[a.Citycode]
	if !ok {
		mi = b.muni(strings.Clone(a.Citycode), strings.Clone(a.City))
	}
	m := &b.munis[mi]
	if a.Postcode != "" && !slices.Contains(m.Postcodes, b.pcs[pc]) {
		m.Postcodes = append(m.Postcodes, b.pcs[pc])
	}
	if !b.declared[mi] {
		b.centerSum[mi][0] += lon
		b.centerSum[mi][1] += lat
		b.centerN[mi]++
	}
	key := bStreet{name: a.Street, muni: mi, pc: pc}
	si, ok := b.streetIdx[key]
	if !ok {
		key.name = strings.Clone(a.Street)
		si = uint32(len(b.streets))
		b.streets = append(b.streets, key)
		b.streetIdx[key] = si
	}
	b.recs = append(b.recs, bAddr{
		street: si,
		num:    num<<8 | uint32(ri),
		lon:    int32(math.Round(lon * microDeg)),
		lat:    int32(math.Round(lat * microDeg)),
		idOff:  uint32(len(b.ids)),
		idLen:  uint32(len(a.ID)),
	})
	b.ids = append(b.ids, a.ID...)
	return nil
}

// CheckHouseNumber reports whether number and rep make a house number the
// index accepts, so that a reader of addresses can refuse a row on the
// line it reads.
func CheckHouseNumber(number, rep string) error {
	_, _, err := splitNumber(number, rep)
	return err
}

// splitNumber parses a BAN house number, taking a suffix glued to it
// ("12bis") as the repetition index when rep is empty.
func splitNumber(number, rep string) (uint32, string, error) {
	digits := ordinalStem(number)
	if digits == "" || len(digits) > 8 {
		return 0, "", fmt.Errorf("%w: house number %q", ErrBadAddress, number)
	}
	var n uint32
	for _, c := range digits {
		n = n*10 + uint32(c-'0')
	}
	if n > maxNumber {
		return 0, "", fmt.Errorf("%w: house number %q", ErrBadAddress, number)
	}
	if rep == "" {
		rep = number[len(digits):]
	} else if len(digits) != len(number) {
		return 0, "", fmt.Errorf("%w: house number %q with repetition %q", ErrBadAddress, number, rep)
	}
	return n, strings.ToLower(strings.TrimSpace(rep)), nil
}

// Build returns the Index of everything added so far. The Builder
// must not be used afterwards.
func (b *Builder) Build() *Index {
	for i := range b.munis {
		if !b.declared[i] && b.centerN[i] > 0 {
			n := float64(b.centerN[i])
			b.munis[i].Center = orb.Point{b.centerSum[i][0] / n, b.centerSum[i][1] / n}
		}
	}
	ix := &Index{
		munis:      b.munis,
		byCode:     b.muniIdx,
		byPostcode: map[string][]int32{},
		pcs:        b.pcs,
		reps:       b.reps,
	}
	ix.parent = make([]int32, len(b.munis))
	ix.districts = map[uint32][]uint32{}
	for i, m := range b.munis {
		for _, pc := range m.Postcodes {
			ix.byPostcode[pc] = append(ix.byPostcode[pc], int32(i))
		}
		ix.parent[i] = -1
		if p, ok := b.muniIdx[m.Parent]; ok && m.Parent != m.Code {
			ix.parent[i] = p
			if m.District {
				ix.districts[uint32(p)] = append(ix.districts[uint32(p)], uint32(i))
			}
		}
	}

	// Streets are renumbered by commune so that each commune's streets
	// are contiguous, then addresses are grouped by street and sorted
	// by number for binary search.
	order := make([]uint32, len(b.streets))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(x, y uint32) int {
		sx, sy := &b.streets[x], &b.streets[y]
		return cmp.Or(cmp.Compare(sx.muni, sy.muni), strings.Compare(sx.name, sy.name), cmp.Compare(sx.pc, sy.pc))
	})
	rank := make([]uint32, len(order))
	ix.streets = make([]street, len(order))
	ix.muniStreet = make([]uint32, len(b.munis)+1)
	for newI, oldI := range order {
		rank[oldI] = uint32(newI)
		s := b.streets[oldI]
		ix.streets[newI] = street{name: s.name, muni: uint32(s.muni), pc: s.pc}
		ix.muniStreet[s.muni+1]++
	}
	for i := 1; i < len(ix.muniStreet); i++ {
		ix.muniStreet[i] += ix.muniStreet[i-1]
	}
	b.streetIdx = nil
	b.streets = nil
	for i := range b.recs {
		b.recs[i].street = rank[b.recs[i].street]
	}
	slices.SortFunc(b.recs, func(x, y bAddr) int {
		return cmp.Or(cmp.Compare(x.street, y.street), cmp.Compare(x.num, y.num))
	})

	n := len(b.recs)
	ix.addrFirst = make([]uint32, len(ix.streets)+1)
	ix.num = make([]uint32, n)
	ix.lon = make([]int32, n)
	ix.lat = make([]int32, n)
	ix.idOff = make([]uint32, n+1)
	var ids strings.Builder
	ids.Grow(len(b.ids))
	for i, r := range b.recs {
		ix.addrFirst[r.street+1]++
		ix.num[i] = r.num
		ix.lon[i], ix.lat[i] = r.lon, r.lat
		ix.idOff[i] = uint32(ids.Len())
		ids.Write(b.ids[r.idOff : r.idOff+r.idLen])
	}
	ix.idOff[n] = uint32(ids.Len())
	ix.ids = ids.String()
	for i := 1; i < len(ix.addrFirst); i++ {
		ix.addrFirst[i] += ix.addrFirst[i-1]
	}
	b.recs, b.ids = nil, nil

	ix.buildText()
	for i := range n {
		p := ix.point(uint32(i))
		lo := [2]float32{down32(p[0]), down32(p[1])}
		hi := [2]float32{up32(p[0]), up32(p[1])}
		ix.tree.Insert(lo, hi, uint32(i))
	}
	return ix
}

// down32 and up32 round outward so that float32 index rectangles
// always contain the exact point.
func down32(v float64) float32 {
	f := float32(v)
	if float64(f) > v {
		f = math.Nextafter32(f, float32(math.Inf(-1)))
	}
	return f
}

func up32(v float64) float32 {
	f := float32(v)
	if float64(f) < v {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return f
}

// buildText tokenises street and commune names into a sorted
// vocabulary with posting lists from word to streets and communes.
func (ix *Index) buildText() {
	stToks := make([][]string, len(ix.streets))
	muToks := make([][]string, len(ix.munis))
	vocab := map[string]uint32{}
	for i := range ix.streets {
		stToks[i] = tokenize(ix.streets[i].name, nil)
		for _, t := range stToks[i] {
			vocab[t] = 0
		}
	}
	for i := range ix.munis {
		muToks[i] = tokenize(ix.munis[i].Name, nil)
		for _, t := range muToks[i] {
			vocab[t] = 0
		}
	}
	ix.words = make([]string, 0, len(vocab))
	for w := range vocab {
		ix.words = append(ix.words, w)
	}
	slices.Sort(ix.words)
	ix.wordClass = make([]uint8, len(ix.words))
	for i, w := range ix.words {
		vocab[w] = uint32(i)
		ix.wordClass[i] = classOf(w)
	}
	ix.st = newPostings(stToks, vocab, len(ix.words))
	ix.mu = newPostings(muToks, vocab, len(ix.words))

	// Word ids ordered by length, for typo search among words of
	// similar length only.
	ix.byLen = make([]uint32, len(ix.words))
	for i := range ix.byLen {
		ix.byLen[i] = uint32(i)
	}
	slices.SortStableFunc(ix.byLen, func(x, y uint32) int {
		return cmp.Compare(len(ix.words[x]), len(ix.words[y]))
	})
	maxLen := 0
	if len(ix.byLen) > 0 {
		maxLen = len(ix.words[ix.byLen[len(ix.byLen)-1]])
	}
	ix.lenOff = make([]uint32, maxLen+2)
	for _, w := range ix.byLen {
		ix.lenOff[len(ix.words[w])+1]++
	}
	for i := 1; i < len(ix.lenOff); i++ {
		ix.lenOff[i] += ix.lenOff[i-1]
	}
}

// postings maps documents (streets or communes) to their word ids and
// word ids back to documents, both as flat offset-indexed arrays.
type postings struct {
	tok, tokOff   []uint32
	post, postOff []uint32
}

func newPostings(docs [][]string, vocab map[string]uint32, nwords int) postings {
	var p postings
	p.tokOff = make([]uint32, len(docs)+1)
	p.postOff = make([]uint32, nwords+1)
	for d, toks := range docs {
		for _, t := range toks {
			id := vocab[t]
			p.tok = append(p.tok, id)
			if !slices.Contains(p.tok[p.tokOff[d]:len(p.tok)-1], id) {
				p.postOff[id+1]++
			}
		}
		p.tokOff[d+1] = uint32(len(p.tok))
	}
	for i := 1; i < len(p.postOff); i++ {
		p.postOff[i] += p.postOff[i-1]
	}
	fill := slices.Clone(p.postOff[:nwords])
	p.post = make([]uint32, p.postOff[nwords])
	for d := range docs {
		toks := p.doc(uint32(d))
		for j, id := range toks {
			if !slices.Contains(toks[:j], id) {
				p.post[fill[id]] = uint32(d)
				fill[id]++
			}
		}
	}
	p.tok = slices.Clip(p.tok)
	return p
}

func (p *postings) doc(d uint32) []uint32 { return p.tok[p.tokOff[d]:p.tokOff[d+1]] }

func (p *postings) docs(w uint32) []uint32 { return p.post[p.postOff[w]:p.postOff[w+1]] }

func (p *postings) bytes() int {
	return 4 * (cap(p.tok) + cap(p.tokOff) + cap(p.post) + cap(p.postOff))
}
