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
	role  role
	alts  []alt
	// foreign marks a word of the commune that matches exactly, but in
	// no name of the postcode's communes: a misspelt city that happens
	// to spell another commune ("CHAMBREY" for Chambéry is Chambrey,
	// Moselle). It is looked up with typos among those names as well.
	foreign bool
}

// role is the part of an address a query word was written in; see the
// package documentation.
type role uint8

const (
	roleFree   role = iota // no structure tells: street and commune alike
	roleStreet             // a way type, the start of its name, or what precedes the commune slot
	roleCity               // the commune slot: after the postcode, or the last segment
	roleTail               // after the start of a street's name, with no slot: the name goes on or the commune begins
)

// Scoring constants; see Geocode.
const (
	prefixCredit    = 0.9   // autocomplete prefix match
	editPenalty     = 0.15  // per edit in a typo match
	maxAlts         = 32    // vocabulary words one query word may expand to
	broadMuni       = 256   // a word in more commune names is too broad to select candidates
	maxLocalStreets = 20000 // beyond, a typo is searched in the whole vocabulary
	missingNum      = 0.9   // factor when the house number is not on the street
	// streetEvidence is what a commune gains from query words that
	// describe the street (and what a street gains from the commune
	// slot): "Route de Saint-Palais" says where the road leads, not
	// where it is.
	streetEvidence = 0.2
	// contradicted scales the score of a place whose commune does not
	// have the query's valid postcode; such a place also ranks below
	// every place that has it.
	contradicted = 0.5
	// ambiguityGap is how close the best places of two different
	// communes must be for the answer to be called ambiguous, and
	// ambiguousScore scales the scores of such an answer.
	ambiguityGap = 0.03
	// streetUnfound scales the score of a commune when the query also
	// describes a street: a street found there explains more.
	streetUnfound  = 0.8
	ambiguousScore = 0.7
)

type candidate struct {
	score float64
	key   float64 // ranking key: score, minus 2 when the postcode is contradicted
	typ   Type
	ref   uint32 // commune, street or address
	city  uint32 // the commune, or the city of an arrondissement
}

// cityBest is the best candidate found in one city.
type cityBest struct {
	city uint32
	key  float64
}

type search struct {
	ix        *Index
	q         *Query
	words     []qword
	weightSum float64
	pc        string // postcode written in the text
	pcValid   bool   // pc is the postcode of an indexed commune
	slot      bool   // the query has an explicit commune slot
	tail      bool   // the query has words of roleTail
	number    uint32
	rep       string
	hasNumber bool
	best      []float64 // per-word credit scratch, two rows (street, commune)
	firstAt   []int     // cover's per-word scratch: 1 + the first place in the name it matches, 0 if none
	out       []candidate
	top       [2]cityBest // the best two cities, for ambiguity
	nTop      int
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
	toks, segs := tokenizeSegments(q.Text)
	if len(toks) == 0 {
		return nil, ErrBadQuery
	}
	s := search{ix: ix, q: &q}
	s.parse(toks, segs)

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
	ambiguous := s.nTop == 2 && s.top[0].key-s.top[1].key < ambiguityGap
	res := make([]Match, len(s.out))
	for i, c := range s.out {
		res[i] = s.match(c)
		if ambiguous {
			res[i].Score *= ambiguousScore
		}
		// A contradicted place may score higher than one ranked
		// before it; scores never increase down the list.
		if i > 0 {
			res[i].Score = min(res[i].Score, res[i-1].Score)
		}
	}
	res[0].Ambiguous = ambiguous
	return res, nil
}

// tokenizeSegments tokenizes the comma- or semicolon-separated parts of
// s and returns the tokens with the index of each part's first token.
func tokenizeSegments(s string) (toks []string, segs []int) {
	for part := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		n := len(toks)
		toks = tokenize(part, toks)
		if len(toks) > n {
			segs = append(segs, n)
		}
	}
	return toks, segs
}

// parse splits the tokens into a postcode, a leading house number and
// words resolved against the vocabulary, and gives each word its role.
func (s *search) parse(toks []string, segs []int) {
	pcAt := -1
	wordAt := make([]int, 0, len(toks)) // token index of each word
	for i, t := range toks {
		if len(t) == 5 && isDigits(t) && s.pc == "" {
			s.pc, pcAt = t, i
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
		wordAt = append(wordAt, i)
		s.weightSum += classWeight[w.class]
	}
	if s.pc != "" {
		s.weightSum++
		s.pcValid = len(s.ix.byPostcode[s.pc]) > 0
	}
	s.best = make([]float64, 2*len(s.words))
	s.firstAt = make([]int, len(s.words))
	s.assignRoles(segs, pcAt, wordAt)
	if s.pcValid {
		s.markForeign()
	}
}

// markForeign marks the words that may name the commune (not the
// street's) and match exactly only words absent from the names of the
// postcode's communes.
func (s *search) markForeign() {
	ix := s.ix
	for k := range s.words {
		w := &s.words[k]
		if w.class != className || w.role == roleStreet || len(w.alts) == 0 {
			continue
		}
		in := false
		for _, m := range ix.byPostcode[s.pc] {
			doc := ix.mu.doc(uint32(m))
			if slices.ContainsFunc(w.alts, func(a alt) bool { return slices.Contains(doc, a.w) }) {
				in = true
				break
			}
		}
		w.foreign = !in
	}
}

// assignRoles finds the commune slot of the query, else a street whose
// name may run into the commune; see the package documentation.
func (s *search) assignRoles(segs []int, pcAt int, wordAt []int) {
	n := len(s.words)
	slotFrom := -1
	if pcAt >= 0 {
		slotFrom = slices.IndexFunc(wordAt, func(at int) bool { return at > pcAt })
	}
	if slotFrom < 0 {
		// The last part holding a word, unless it is the first one.
		for j := len(segs) - 1; j >= 1; j-- {
			if k := slices.IndexFunc(wordAt, func(at int) bool { return at >= segs[j] }); k >= 0 {
				if k > 0 {
					slotFrom = k
				}
				break
			}
		}
	}
	if slotFrom > 0 && !s.opensStreet(slotFrom) {
		for k := range s.words {
			s.words[k].role = roleStreet
			if k >= slotFrom {
				s.words[k].role = roleCity
			}
		}
		s.slot = true
		return
	}
	for k := range n {
		first := -1
		if wayTypes[s.words[k].text] {
			first = slices.IndexFunc(s.words[k+1:], func(w qword) bool { return w.class == className })
		}
		if first < 0 {
			continue
		}
		first += k + 1
		from := k
		if k > 0 && preposed[s.words[k-1].text] {
			// "Grande Rue Recologne": the adjective before the type
			// is the street's name, so what follows may already be
			// the commune.
			from, first = k-1, k
		}
		for j := from; j < n; j++ {
			s.words[j].role = roleStreet
			if j > first {
				s.words[j].role = roleTail
				s.tail = true
			}
		}
		return
	}
}

// opensStreet reports whether word k is a way type followed by a name.
func (s *search) opensStreet(k int) bool {
	return wayTypes[s.words[k].text] && slices.ContainsFunc(s.words[k+1:], func(w qword) bool { return w.class == className })
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

// needsTypoSearch reports whether w matched nothing, or is foreign, and
// is long enough to be looked up with typos.
func (w *qword) needsTypoSearch() bool {
	return (len(w.alts) == 0 || w.foreign) && len(w.text) >= 4 && ordinalStem(w.text) == ""
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
// A foreign word is searched only in the names of the postcode's
// communes: it already matches a word, and only those names would make
// it agree with the postcode.
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
		if w.foreign {
			for _, m := range ix.byPostcode[s.pc] {
				for _, id := range ix.mu.doc(uint32(m)) {
					try(id)
				}
			}
			continue
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
// whether every proper-name word matched with at least one present. In
// a commune's name, a word the query gives for the street covers only
// streetEvidence of the word it matches: "Rue de Minihy 22220 Tréguier"
// covers all of Tréguier but little of Minihy-Tréguier. In another name
// of a commune it covers nothing: La Poste's lignes 5 are often named
// like streets ("ST CHARLES" in Haucourt-Moulaine), and "gare
// Saint-Charles, Marseille" names no such place. Nor does another name
// count unless it explains the query's last word, where the commune is
// written ("La Peyrade NAJAC" is Najac, not the ligne 5 LA PEYRADE of
// Frontignan).
func (s *search) cover(toks []uint32, best []float64, kind nameKind) (share float64, hit, complete bool) {
	if kind == extraName && !s.endsWith(toks) {
		return 0, false, false
	}
	var matched, total float64
	names, namesHit := 0, 0
	clear(s.firstAt)
	for j, t := range toks {
		class := s.ix.wordClass[t]
		wt := classWeight[class]
		total += wt
		credit := 0.0
		for i := range s.words {
			if kind == extraName && s.words[i].role == roleStreet {
				continue
			}
			for _, a := range s.words[i].alts {
				if a.w == t {
					best[i] = max(best[i], a.m)
					c := a.m
					if kind == communeName && s.words[i].role == roleStreet {
						c *= streetEvidence
					}
					credit = max(credit, c)
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

// endsWith reports whether the last proper word of the query matches a
// word of toks.
func (s *search) endsWith(toks []uint32) bool {
	for i := len(s.words) - 1; i >= 0; i-- {
		if s.words[i].class == classStop {
			continue
		}
		return slices.ContainsFunc(s.words[i].alts, func(a alt) bool { return slices.Contains(toks, a.w) })
	}
	return false
}

// nameKind tells cover what a name is.
type nameKind uint8

const (
	streetName nameKind = iota
	communeName
	extraName // Municipality.Alias
)

func kindOf(m *Municipality) nameKind {
	if m.Alias {
		return extraName
	}
	return communeName
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

// streetCoverage is the weighted share of the query explained by a
// street (credits sRow) in a commune (credits cRow) and by the postcode.
// A word of the commune slot explained only by the street's name, or a
// street word only by the commune's, counts for streetEvidence.
func (s *search) streetCoverage(pcMatch bool, sRow, cRow []float64) float64 {
	if s.weightSum == 0 {
		return 0
	}
	var got float64
	for i, w := range s.words {
		sc, cc := sRow[i], cRow[i]
		switch w.role {
		case roleCity:
			sc *= streetEvidence
		case roleStreet:
			if s.slot {
				cc *= streetEvidence
			}
		}
		got += classWeight[w.class] * max(sc, cc)
	}
	if pcMatch {
		got++
	}
	return got / s.weightSum
}

// communeCoverage is the share of the query's commune evidence that a
// commune explains with the per-word credits best and the postcode: the
// words of the commune slot (in a query with a tail, the run of tail
// words the commune explains up to the end, out of all tail words) and
// the postcode count fully, the other words for streetEvidence. A query
// without structure counts every word. city is the weight of the words
// of the commune part that the commune explains.
func (s *search) communeCoverage(best []float64, pcMatch bool) (cov, city float64) {
	if !s.slot && !s.tail {
		var got float64
		for i, w := range s.words {
			got += classWeight[w.class] * best[i]
		}
		city = got
		if pcMatch {
			got++
		}
		return got / max(s.weightSum, 1e-9), city
	}
	slotFrom := len(s.words)
	if s.tail {
		named := false
		for k := len(s.words) - 1; k >= 0 && s.words[k].role == roleTail; k-- {
			if best[k] == 0 && s.words[k].class != classStop {
				break
			}
			if best[k] > 0 && s.words[k].class != classStop {
				named = true
			}
			if named {
				slotFrom = k
			}
		}
	}
	// Every tail word weighs in: a commune explaining a longer run
	// ("Garrigues-Sainte-Eulalie") beats one explaining its end only
	// ("Sainte-Eulalie"), and one explaining none gets nothing from
	// the postcode alone.
	var inW, inGot, outW, outGot float64
	for k, w := range s.words {
		wt := classWeight[w.class]
		switch {
		case w.role == roleCity || k >= slotFrom:
			inW, inGot = inW+wt, inGot+wt*best[k]
		case w.role == roleTail:
			inW += wt
			outW, outGot = outW+wt, outGot+wt*best[k]
		default:
			outW, outGot = outW+wt, outGot+wt*best[k]
		}
	}
	city = inGot
	if s.pc != "" {
		inW++
		if pcMatch {
			inGot++
		}
	}
	if inW > 0 {
		cov = inGot / inW
	}
	if outW > 0 {
		cov += streetEvidence * outGot / outW
	}
	return min(cov, 1), city
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
	// Official names come first: an extra name explaining no more of
	// the commune part than an official one ranks below that commune,
	// so "gare Saint-Charles, Marseile" stays Marseille while "MOUTIERS
	// TARENTAISE" still finds Moûtiers rather than Moutiers (39).
	var official officialBest
	for pass := range 2 {
		for _, m := range cands {
			if ix.munis[m].Alias == (pass == 0) {
				continue
			}
			got, anchor := s.muni(m, filter, emit, &official)
			if anchor {
				anchors = append(anchors, m)
			}
			if pass == 0 && got.city > 0 && got.beats(official) {
				official = got
			}
		}
	}
	return anchors
}

// officialBest is how much of the query a commune explains: the weight
// of the commune part, then the share of its own name; key is its rank.
type officialBest struct {
	city, share, key float64
}

func (a officialBest) beats(b officialBest) bool {
	if a.city != b.city {
		return a.city > b.city
	}
	if a.share != b.share {
		return a.share > b.share
	}
	return a.key > b.key
}

// muni scores commune m, adds it to the results with emit, and returns
// what it explains and whether it anchors the query. official is the
// official name explaining most: an extra name explaining no more
// ranks below it, by ambiguityGap ("2 Rue Sainte-Croix BOULAY" names
// the routing name BOULAY of Boulay-Moselle more fully than Le Boulay).
func (s *search) muni(m uint32, filter []uint32, emit bool, official *officialBest) (got officialBest, anchor bool) {
	ix := s.ix
	mu := &ix.munis[m]
	s.resetBest()
	share, hit, complete := s.cover(ix.mu.doc(m), s.best, kindOf(mu))
	pcMatch := s.pc != "" && slices.Contains(mu.Postcodes, s.pc)
	anchor = filter != nil || pcMatch || complete
	if !emit || !hit && !pcMatch || s.q.Type != 0 && s.q.Type != TypeMunicipality {
		return got, anchor
	}
	if len(s.words) == 0 {
		// A bare postcode: the commune it designates most
		// specifically comes first.
		share = 1 / float64(len(mu.Postcodes))
	}
	cov, city := s.communeCoverage(s.best, pcMatch)
	got.city, got.share = city, share
	text := 0.55*cov + 0.45*share
	if s.slot || s.tail {
		text *= streetUnfound
	}
	ref := m
	// The postcode of one arrondissement names it rather than its
	// city: "75009 Paris" is Paris 9e.
	if pc := s.postcode(); pc != "" {
		if d, ok := ix.districtOf(m, pc); ok {
			ref = d
		}
	}
	c := s.candidate(s.final(text, m, mu.Center[0], mu.Center[1]), TypeMunicipality, ref, ref)
	got.key = c.key
	if mu.Alias && official.city > 0 && !got.beats(*official) {
		c.key = min(c.key, official.key-ambiguityGap)
	}
	s.add(c)
	return got, anchor
}

// postcode is the query's postcode: the filter's, else the text's.
func (s *search) postcode() string {
	if s.q.Postcode != "" {
		return s.q.Postcode
	}
	return s.pc
}

// districtOf returns the only arrondissement of city m that has postcode
// pc.
func (ix *Index) districtOf(m uint32, pc string) (uint32, bool) {
	found, n := uint32(0), 0
	for _, d := range ix.districts[m] {
		if slices.Contains(ix.munis[d].Postcodes, pc) {
			found, n = d, n+1
		}
	}
	return found, n == 1
}

// candidate makes the candidate of a place in commune muni: its city
// for ambiguity, and its rank below every consistent place when muni
// does not have the query's valid postcode.
func (s *search) candidate(score float64, typ Type, ref, muni uint32) candidate {
	c := candidate{score: score, key: score, typ: typ, ref: ref, city: muni}
	if p := s.ix.parent[muni]; p >= 0 {
		c.city = uint32(p)
	}
	if s.contradicts(muni) {
		c.score *= contradicted
		c.key = c.score - 2
	}
	return c
}

// contradicts reports whether commune m lacks the query's valid postcode.
func (s *search) contradicts(m uint32) bool {
	return s.pcValid && !slices.Contains(s.ix.munis[m].Postcodes, s.pc)
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
		s.cover(ix.mu.doc(m), s.best, kindOf(&ix.munis[m]))
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
	sShare, hit, _ := s.cover(ix.st.doc(st), sRow, streetName)
	if !hit {
		return
	}
	cShare, _, _ := s.cover(ix.mu.doc(str.muni), cRow, kindOf(&ix.munis[str.muni]))
	pcMatch := s.pc != "" && ix.pcs[str.pc] == s.pc
	if pcMatch {
		cShare = 1
	}
	text := 0.45*s.streetCoverage(pcMatch, sRow, cRow) + 0.35*sShare + 0.2*cShare
	ub := s.candidate(s.upperBound(text, str.muni), TypeStreet, st, str.muni)
	if ub.key < s.floor() && !s.mayBeRunnerUp(ub) {
		return
	}
	first, last := ix.addrFirst[st], ix.addrFirst[st+1]
	if s.hasNumber {
		if a, ok := s.findNumber(first, last); ok && s.q.Type != TypeStreet {
			if s.q.Type == 0 || s.q.Type == TypeHousenumber {
				s.add(s.candidate(s.final(text, str.muni, ix.fLon(a), ix.fLat(a)), TypeHousenumber, a, str.muni))
			}
			return
		} else if !ok {
			text *= missingNum
		}
	}
	if s.q.Type == 0 || s.q.Type == TypeStreet {
		mid := first + (last-first)/2
		s.add(s.candidate(s.final(text, str.muni, ix.fLon(mid), ix.fLat(mid)), TypeStreet, st, str.muni))
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
// key, then type, then index position, so that results do not depend
// on the order candidates are visited. A place already kept keeps its
// best key.
func (s *search) add(c candidate) {
	s.track(c)
	if i := slices.IndexFunc(s.out, func(o candidate) bool { return o.typ == c.typ && o.ref == c.ref }); i >= 0 {
		if s.out[i].key >= c.key {
			return
		}
		s.out = slices.Delete(s.out, i, i+1)
	}
	pos, _ := slices.BinarySearchFunc(s.out, c, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.key, a.key), cmp.Compare(a.typ, b.typ), cmp.Compare(a.ref, b.ref))
	})
	if pos >= s.q.Limit {
		return
	}
	if len(s.out) == s.q.Limit {
		s.out = s.out[:len(s.out)-1]
	}
	s.out = slices.Insert(s.out, pos, c)
}

// track keeps the best key of the best two cities seen.
func (s *search) track(c candidate) {
	b := cityBest{c.city, c.key}
	switch {
	case s.nTop > 0 && s.top[0].city == c.city:
		s.top[0].key = max(s.top[0].key, c.key)
	case s.nTop > 1 && s.top[1].city == c.city:
		if c.key > s.top[1].key {
			s.top[1].key = c.key
			if s.top[1].key > s.top[0].key {
				s.top[0], s.top[1] = s.top[1], s.top[0]
			}
		}
	case s.nTop == 0 || c.key > s.top[0].key:
		s.top[1], s.top[0] = s.top[0], b
		s.nTop = min(s.nTop+1, 2)
	case s.nTop == 1 || c.key > s.top[1].key:
		s.top[1], s.nTop = b, 2
	}
}

// mayBeRunnerUp reports whether c could make the answer ambiguous: only
// a candidate within ambiguityGap of the best city can.
func (s *search) mayBeRunnerUp(c candidate) bool {
	return s.nTop == 0 || c.key >= s.top[0].key-ambiguityGap && c.city != s.top[0].city
}

// floor is the key a candidate must reach to be kept, once q.Limit
// candidates are kept; -3 before.
func (s *search) floor() float64 {
	if len(s.out) < s.q.Limit {
		return -3
	}
	return s.out[len(s.out)-1].key
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
		case s.q.Postcode != "" && slices.Contains(mu.Postcodes, s.q.Postcode):
			m.Postcode = s.q.Postcode
		case len(mu.Postcodes) > 0:
			m.Postcode = mu.Postcodes[0]
		}
		if p := ix.parent[c.ref]; p >= 0 && ix.munis[c.ref].District {
			m.City = ix.munis[p].Name
		}
	}
	if i, ok := ix.byCode[m.Citycode]; ok && ix.munis[i].District && ix.parent[i] >= 0 {
		m.ParentCitycode = ix.munis[ix.parent[i]].Code
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
