package geocode

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sort"
	"strings"
)

// Word classes and their weights in scoring: proper names count
// fully, street types half, stopwords little.
const (
	className uint8 = iota
	classType
	classStop
)

var classWeight = [...]float64{className: 1, classType: 0.5, classStop: 0.2}

func classOf(w string) uint8 {
	switch {
	case stopwords[w]:
		return classStop
	case streetTypes[w]:
		return classType
	}
	return className
}

// alt is a vocabulary word a query word may stand for, with the
// credit m in (0, 1] it earns when matched (1 for an exact match).
type alt struct {
	w uint32
	m float64
}

type qword struct {
	text  string
	class uint8
	alts  []alt
}

// Scoring constants; see Geocode.
const (
	prefixCredit    = 0.9   // autocomplete prefix match
	editPenalty     = 0.15  // per edit in a typo match
	maxAlts         = 32    // vocabulary words one query word may expand to
	broadMuni       = 256   // a word in more commune names is too broad to select candidates
	maxLocalStreets = 20000 // beyond, a typo is searched in the whole vocabulary
	missingNum      = 0.9   // factor when the house number is not on the street
)

type candidate struct {
	score float64
	typ   Type
	ref   uint32 // commune, street or address
}

type search struct {
	ix        *Index
	q         *Query
	words     []qword
	weightSum float64
	pc        string // postcode written in the text
	number    uint32
	rep       string
	hasNumber bool
	best      []float64 // per-word credit scratch, two rows (street, commune)
	firstAt   []int     // cover's per-word scratch: 1 + the first place in the name it matches, 0 if none
	out       []candidate
}

// Geocode returns the places best matching q, best first.
//
// Each candidate gets a relative score in [0, 1] from how much of the
// query it explains (query coverage), how much of its own name the query
// covers, whether the commune or postcode agrees, and a small commune
// size prior; with q.Bias, proximity counts for a fifth. Words match
// exactly, as a prefix for the last word with q.Autocomplete, or with 1
// edit for words of 4–7 letters and 2 edits from 8 letters. Words in
// another order than the name's explain less of it.
//
// It returns ErrBadQuery for an invalid query and ErrNoMatch when
// nothing matches.
func (ix *Index) Geocode(ctx context.Context, q Query) ([]Match, error) {
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	if q.Limit < 0 || q.Limit > MaxLimit || q.Type > TypeMunicipality ||
		q.Bias != nil && !(q.Bias[0] >= -180 && q.Bias[0] <= 180 && q.Bias[1] >= -90 && q.Bias[1] <= 90) {
		return nil, ErrBadQuery
	}
	toks := tokenize(q.Text, nil)
	if len(toks) == 0 {
		return nil, ErrBadQuery
	}
	s := search{ix: ix, q: &q}
	s.parse(toks)

	filter, ok := ix.filter(&q)
	if !ok {
		return nil, ErrNoMatch
	}
	if slices.ContainsFunc(s.words, func(w qword) bool { return w.needsTypoSearch() }) {
		s.fixTypos(s.munis(filter, false))
	}
	anchors := s.munis(filter, true)
	if q.Type != TypeMunicipality && len(s.words) > 0 {
		if err := s.streets(ctx, filter, anchors); err != nil {
			return nil, err
		}
	}
	if len(s.out) == 0 {
		return nil, ErrNoMatch
	}
	res := make([]Match, len(s.out))
	for i, c := range s.out {
		res[i] = s.match(c)
	}
	return res, nil
}

// parse splits the tokens into a postcode, a leading house number and
// words resolved against the vocabulary.
func (s *search) parse(toks []string) {
	for i, t := range toks {
		if len(t) == 5 && isDigits(t) && s.pc == "" {
			s.pc = t
			continue
		}
		// The house number comes first, or last as in "rue X 12".
		if (i == 0 || i == len(toks)-1 && !s.hasNumber) && len(toks) > 1 {
			if d := ordinalStem(t); d != "" && len(d) <= 4 {
				n, rep, err := splitNumber(t, "")
				if err == nil {
					s.number, s.rep, s.hasNumber = n, rep, true
					continue
				}
			}
		}
		w := qword{text: t, class: classOf(t)}
		w.alts = s.ix.resolve(t, s.q.Autocomplete && i == len(toks)-1, nil)
		s.words = append(s.words, w)
		s.weightSum += classWeight[w.class]
	}
	if s.pc != "" {
		s.weightSum++
	}
	s.best = make([]float64, 2*len(s.words))
	s.firstAt = make([]int, len(s.words))
}

// resolve returns the vocabulary words t stands for exactly or, when
// prefix is set, as a prefix.
func (ix *Index) resolve(t string, prefix bool, dst []alt) []alt {
	i, found := slices.BinarySearch(ix.words, t)
	if found {
		dst = append(dst, alt{uint32(i), 1})
	}
	if prefix {
		end := i + sort.Search(len(ix.words)-i, func(k int) bool { return !strings.HasPrefix(ix.words[i+k], t) })
		from := i
		if found {
			from++
		}
		room := maxAlts - len(dst)
		if end-from > room {
			// Too many words start with t ("et" begins hundreds): keep
			// those in the most names, not the alphabetically first, so
			// that "saint et" still reaches "etienne".
			ids := make([]uint32, 0, end-from)
			for j := from; j < end; j++ {
				ids = append(ids, uint32(j))
			}
			slices.SortStableFunc(ids, func(a, b uint32) int { return cmp.Compare(ix.uses(b), ix.uses(a)) })
			for _, j := range ids[:room] {
				dst = append(dst, alt{j, prefixCredit})
			}
			return dst
		}
		for j := from; j < end; j++ {
			dst = append(dst, alt{uint32(j), prefixCredit})
		}
	}
	return dst
}

// uses is the number of commune and street names word w appears in.
func (ix *Index) uses(w uint32) uint32 {
	return ix.mu.postOff[w+1] - ix.mu.postOff[w] + ix.st.postOff[w+1] - ix.st.postOff[w]
}

// needsTypoSearch reports whether w matched nothing and is long enough
// to be looked up with typos.
func (w *qword) needsTypoSearch() bool {
	return len(w.alts) == 0 && len(w.text) >= 4 && ordinalStem(w.text) == ""
}

// maxEdits is the typo tolerance for a word of n letters.
func maxEdits(n int) int {
	if n >= 8 {
		return 2
	}
	return 1
}

// fixTypos resolves the unmatched words with typo tolerance. With
// anchor communes it searches only the words of their names and
// streets; otherwise the whole vocabulary, among words of close length.
func (s *search) fixTypos(anchors []uint32) {
	ix := s.ix
	local := 0
	for _, m := range anchors {
		local += int(ix.muniStreet[m+1] - ix.muniStreet[m])
	}
	for i := range s.words {
		w := &s.words[i]
		if !w.needsTypoSearch() {
			continue
		}
		maxEd := maxEdits(len(w.text))
		try := func(id uint32) {
			if d := editDistance(w.text, ix.words[id], maxEd); d <= maxEd && len(w.alts) < maxAlts &&
				!slices.ContainsFunc(w.alts, func(a alt) bool { return a.w == id }) {
				w.alts = append(w.alts, alt{id, 1 - editPenalty*float64(d)})
			}
		}
		if len(anchors) > 0 && local <= maxLocalStreets {
			for _, m := range anchors {
				for _, id := range ix.mu.doc(m) {
					try(id)
				}
				for st := ix.muniStreet[m]; st < ix.muniStreet[m+1]; st++ {
					for _, id := range ix.st.doc(st) {
						try(id)
					}
				}
			}
			continue
		}
		for l := max(1, len(w.text)-maxEd); l <= len(w.text)+maxEd && l+1 < len(ix.lenOff); l++ {
			for _, id := range ix.byLen[ix.lenOff[l]:ix.lenOff[l+1]] {
				try(id)
			}
		}
	}
}

// filter returns the communes allowed by q.Citycode and q.Postcode, nil
// when there is no such filter, and false when the filter excludes all.
func (ix *Index) filter(q *Query) ([]uint32, bool) {
	var f []uint32
	switch {
	case q.Citycode != "":
		i, ok := ix.byCode[q.Citycode]
		if !ok {
			return nil, false
		}
		f = append(f, uint32(i))
	case q.Postcode != "":
		for _, i := range ix.byPostcode[q.Postcode] {
			f = append(f, uint32(i))
		}
	default:
		return nil, true
	}
	if q.Postcode != "" {
		f = slices.DeleteFunc(f, func(m uint32) bool { return !slices.Contains(ix.munis[m].Postcodes, q.Postcode) })
	}
	return f, len(f) > 0
}

// cover matches the query words against the word ids of one name. It
// raises best[i] to the credit of word i, and returns the weighted share
// of the name that is matched, whether a non-stopword matched, and
// whether every proper-name word matched with at least one present.
func (s *search) cover(toks []uint32, best []float64) (share float64, hit, complete bool) {
	var matched, total float64
	names, namesHit := 0, 0
	clear(s.firstAt)
	for j, t := range toks {
		class := s.ix.wordClass[t]
		wt := classWeight[class]
		total += wt
		credit := 0.0
		for i := range s.words {
			for _, a := range s.words[i].alts {
				if a.w == t {
					best[i] = max(best[i], a.m)
					credit = max(credit, a.m)
					if s.firstAt[i] == 0 {
						s.firstAt[i] = j + 1
					}
				}
			}
		}
		matched += wt * credit
		if credit > 0 && class != classStop {
			hit = true
		}
		if class == className {
			names++
			if credit > 0 {
				namesHit++
			}
		}
	}
	if total == 0 {
		return 0, false, false
	}
	share = matched / total
	if !s.inOrder() {
		share *= outOfOrderShare
	}
	return share, hit, names > 0 && namesHit == names
}

// outOfOrderShare scales the share of a name whose words the query gives
// in another order: "Pargny-les-Bois" must not tie with Bois-lès-Pargny,
// where only the communes' sizes would then decide.
const outOfOrderShare = 0.8

// inOrder reports whether the query's words that matched the name in the
// last cover, stopwords aside, come in the name's order.
func (s *search) inOrder() bool {
	last := 0
	for i := range s.words {
		at := s.firstAt[i]
		if at == 0 || s.words[i].class == classStop {
			continue
		}
		if at < last {
			return false
		}
		last = at
	}
	return true
}

// queryCoverage is the weighted share of the query explained by the
// per-word credits in the given rows and by the postcode.
func (s *search) queryCoverage(pcMatch bool, rows ...[]float64) float64 {
	if s.weightSum == 0 {
		return 0
	}
	var got float64
	for i, w := range s.words {
		c := 0.0
		for _, r := range rows {
			c = max(c, r[i])
		}
		got += classWeight[w.class] * c
	}
	if pcMatch {
		got++
	}
	return got / s.weightSum
}

func (s *search) resetBest() {
	clear(s.best)
}

// munis returns the anchors: communes the query names outright (by
// postcode or every proper-name word). With emit, it also adds the
// matching communes to the results.
func (s *search) munis(filter []uint32, emit bool) []uint32 {
	ix := s.ix
	cands := filter
	if filter == nil {
		if s.pc != "" {
			for _, m := range ix.byPostcode[s.pc] {
				cands = append(cands, uint32(m))
			}
		}
		// Words found in few commune names select candidates; the
		// rarest one does even when broad.
		rarest, rarestN := -1, math.MaxInt
		for i, w := range s.words {
			if w.class == classStop {
				continue
			}
			n := ix.mu.count(w)
			if n > 0 && n < rarestN {
				rarest, rarestN = i, n
			}
			if n > 0 && n <= broadMuni {
				cands = s.appendMuniDocs(cands, w)
			}
		}
		if rarest >= 0 && rarestN > broadMuni {
			cands = s.appendMuniDocs(cands, s.words[rarest])
		}
		slices.Sort(cands)
		cands = slices.Compact(cands)
	}
	var anchors []uint32
	for _, m := range cands {
		s.resetBest()
		mu := &ix.munis[m]
		share, hit, complete := s.cover(ix.mu.doc(m), s.best)
		pcMatch := s.pc != "" && slices.Contains(mu.Postcodes, s.pc)
		if filter != nil || pcMatch || complete {
			anchors = append(anchors, m)
		}
		if !emit || !hit && !pcMatch || s.q.Type != 0 && s.q.Type != TypeMunicipality {
			continue
		}
		if len(s.words) == 0 {
			// A bare postcode: the commune it designates most
			// specifically comes first.
			share = 1 / float64(len(mu.Postcodes))
		}
		text := 0.55*s.queryCoverage(pcMatch, s.best) + 0.45*share
		s.add(candidate{s.final(text, m, mu.Center[0], mu.Center[1]), TypeMunicipality, m})
	}
	return anchors
}

// count returns the number of documents holding one of w's words.
func (p *postings) count(w qword) int {
	n := 0
	for _, a := range w.alts {
		n += len(p.docs(a.w))
	}
	return n
}

func (s *search) appendMuniDocs(dst []uint32, w qword) []uint32 {
	for _, a := range w.alts {
		dst = append(dst, s.ix.mu.docs(a.w)...)
	}
	return dst
}

// streets scores candidate streets. Candidates come from the rarest
// word not explained by an anchor commune's name, restricted to the
// anchors (or the filter) when that leaves any.
func (s *search) streets(ctx context.Context, filter, anchors []uint32) error {
	ix := s.ix
	explained := make([]bool, len(s.words))
	for _, m := range anchors {
		s.resetBest()
		s.cover(ix.mu.doc(m), s.best)
		for i := range s.words {
			explained[i] = explained[i] || s.best[i] >= prefixCredit
		}
	}
	restrict := filter
	if restrict == nil {
		restrict = anchors
	}
	// Within the restricting communes every word not explained by a
	// commune name selects candidates. Postings are sorted by street
	// and a commune's streets are contiguous, so each commune is a
	// sub-range found by binary search.
	var cands []uint32
	for i, w := range s.words {
		if w.class == classStop || explained[i] {
			continue
		}
		for _, a := range w.alts {
			docs := ix.st.docs(a.w)
			for _, m := range restrict {
				lo, _ := slices.BinarySearch(docs, ix.muniStreet[m])
				hi, _ := slices.BinarySearch(docs, ix.muniStreet[m+1])
				cands = append(cands, docs[lo:hi]...)
			}
		}
	}
	// Without a commune, or when the communes named have no such
	// street, the word in fewest streets selects them nationally.
	if len(cands) == 0 && filter == nil {
		gen, genN := -1, math.MaxInt
		for i, w := range s.words {
			if w.class == classStop || explained[i] {
				continue
			}
			if n := ix.st.count(w); n > 0 && n < genN {
				gen, genN = i, n
			}
		}
		if gen < 0 {
			return nil
		}
		for _, a := range s.words[gen].alts {
			cands = append(cands, ix.st.docs(a.w)...)
		}
	}
	slices.Sort(cands)
	cands = slices.Compact(cands)
	for n, st := range cands {
		if n%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		s.scoreStreet(st)
	}
	return nil
}

func (s *search) scoreStreet(st uint32) {
	ix := s.ix
	str := &ix.streets[st]
	if s.q.Postcode != "" && ix.pcs[str.pc] != s.q.Postcode {
		return
	}
	s.resetBest()
	sRow, cRow := s.best[:len(s.words)], s.best[len(s.words):]
	sShare, hit, _ := s.cover(ix.st.doc(st), sRow)
	if !hit {
		return
	}
	cShare, _, _ := s.cover(ix.mu.doc(str.muni), cRow)
	pcMatch := s.pc != "" && ix.pcs[str.pc] == s.pc
	if pcMatch {
		cShare = 1
	}
	text := 0.45*s.queryCoverage(pcMatch, sRow, cRow) + 0.35*sShare + 0.2*cShare
	if s.upperBound(text, str.muni) < s.floor() {
		return
	}
	first, last := ix.addrFirst[st], ix.addrFirst[st+1]
	if s.hasNumber {
		if a, ok := s.findNumber(first, last); ok && s.q.Type != TypeStreet {
			if s.q.Type == 0 || s.q.Type == TypeHousenumber {
				s.add(candidate{s.final(text, str.muni, ix.fLon(a), ix.fLat(a)), TypeHousenumber, a})
			}
			return
		} else if !ok {
			text *= missingNum
		}
	}
	if s.q.Type == 0 || s.q.Type == TypeStreet {
		mid := first + (last-first)/2
		s.add(candidate{s.final(text, str.muni, ix.fLon(mid), ix.fLat(mid)), TypeStreet, st})
	}
}

// findNumber finds the queried house number among addresses [lo, hi).
func (s *search) findNumber(lo, hi uint32) (uint32, bool) {
	rep := slices.Index(s.ix.reps, s.rep)
	if rep < 0 {
		return 0, false
	}
	key := s.number<<8 | uint32(rep)
	i, ok := slices.BinarySearch(s.ix.num[lo:hi], key)
	return lo + uint32(i), ok
}

func (ix *Index) fLon(a uint32) float64 { return float64(ix.lon[a]) / microDeg }
func (ix *Index) fLat(a uint32) float64 { return float64(ix.lat[a]) / microDeg }

// prior is the commune size prior: 0 for no inhabitants, 1 from about
// 3 million.
func (ix *Index) prior(muni uint32) float64 {
	return min(1, math.Log10(float64(ix.munis[muni].Population)+1)/6.5)
}

// final blends the text score with the commune size prior and, with a
// bias point, proximity (1 at the point, 0.5 at 10 km).
func (s *search) final(text float64, muni uint32, lon, lat float64) float64 {
	score := 0.95*text + 0.05*s.ix.prior(muni)
	if s.q.Bias != nil {
		d := distanceM(*s.q.Bias, [2]float64{lon, lat})
		score = 0.8*score + 0.2/(1+d/10000)
	}
	return min(1, max(0, score))
}

// upperBound is the best final score a candidate of this text score in
// this commune can reach, whatever its position.
func (s *search) upperBound(text float64, muni uint32) float64 {
	score := 0.95*text + 0.05*s.ix.prior(muni)
	if s.q.Bias != nil {
		score = 0.8*score + 0.2
	}
	return score
}

// add keeps c if it ranks among the q.Limit best so far, in order: by
// score, then type, then index position, so that results do not depend
// on the order candidates are visited.
func (s *search) add(c candidate) {
	pos, _ := slices.BinarySearchFunc(s.out, c, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.typ, b.typ), cmp.Compare(a.ref, b.ref))
	})
	if pos >= s.q.Limit {
		return
	}
	if len(s.out) == s.q.Limit {
		s.out = s.out[:len(s.out)-1]
	}
	s.out = slices.Insert(s.out, pos, c)
}

// floor is the score a candidate must reach to be kept, once q.Limit
// candidates are kept; -1 before.
func (s *search) floor() float64 {
	if len(s.out) < s.q.Limit {
		return -1
	}
	return s.out[len(s.out)-1].score
}

func (s *search) match(c candidate) Match {
	ix := s.ix
	var m Match
	switch c.typ {
	case TypeHousenumber:
		m = ix.addressMatch(c.ref)
	case TypeStreet:
		m = ix.streetMatch(c.ref)
	default:
		mu := &ix.munis[c.ref]
		m = Match{ID: mu.Code, Type: TypeMunicipality, Label: mu.Name, City: mu.Name, Citycode: mu.Code, Point: mu.Center}
		switch {
		case s.pc != "" && slices.Contains(mu.Postcodes, s.pc):
			m.Postcode = s.pc
		case len(mu.Postcodes) > 0:
			m.Postcode = mu.Postcodes[0]
		}
	}
	m.Score = c.score
	if s.q.Bias != nil {
		m.DistanceM = distanceM(*s.q.Bias, m.Point)
	}
	return m
}

// editDistance returns the optimal string alignment distance between a
// and b (Levenshtein plus adjacent transpositions), or max+1 when it
// exceeds max.
func editDistance(a, b string, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	if max == 1 {
		return withinOneEdit(a, b)
	}
	const width = 48
	if len(b)+1 > width {
		return max + 1
	}
	var rows [3][width]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// withinOneEdit is editDistance(a, b, 1) without the table: after the
// common prefix, the rest must agree up to one substitution, insertion,
// deletion or transposition.
func withinOneEdit(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	switch {
	case len(a) == len(b) && i == len(a):
		return 0
	case len(a) == len(b):
		if a[i+1:] == b[i+1:] || i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] {
			return 1
		}
	case len(a) == len(b)+1:
		if a[i+1:] == b[i:] {
			return 1
		}
	case len(b) == len(a)+1:
		if a[i:] == b[i+1:] {
			return 1
		}
	}
	return 2
}
