package hours

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

var osmDays = [7]string{"Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"} // by time.Weekday

var osmMonths = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// Parse parses opening hours in any supported syntax: the French ministry
// text (including "24h/24 - 7j/7", "Pas d'accueil du public", empty and
// "Non renseigné…"), or OpenStreetMap opening_hours.
func Parse(s string) (*Schedule, error) {
	t := strings.TrimSpace(s)
	if t == "" || strings.HasPrefix(t, "$") || strings.Contains(t, "24h/24") ||
		frenchDay(strings.SplitN(t, ":", 2)[0]) >= 0 {
		return ParseFrench(s)
	}
	switch f := fold(t); {
	case strings.HasPrefix(f, "nonrenseign"), f == "pasdaccueildupublic":
		return ParseFrench(s)
	}
	return ParseOSM(s)
}

// osmParser is a recursive-descent parser over the input bytes.
type osmParser struct {
	s string
	i int
}

// ParseOSM parses the subset of OpenStreetMap opening_hours (spec 0.6)
// described in the package documentation: year, month, month-day, date and
// ISO week selectors, weekdays with nth occurrences, PH, time ranges
// (past midnight too), 24/7, open/closed/off/unknown, comments, and the
// ";", "," and "||" rule separators. SH, sunrise/sunset and open-ended
// ranges are rejected.
func ParseOSM(s string) (*Schedule, error) {
	p := &osmParser{s: s}
	p.space()
	if p.eof() {
		return nil, syntaxErr(s, 0, "empty opening_hours")
	}
	var rules []rule
	kind := ruleNormal
	for {
		r, err := p.rule()
		if err != nil {
			return nil, err
		}
		r.kind = kind
		rules = append(rules, r)
		p.space()
		switch {
		case p.eof():
			return (&Schedule{rules: rules}).finish(), nil
		case p.take("||"):
			kind = ruleFallback
		case p.take(";"):
			kind = ruleNormal
		case p.take(","):
			kind = ruleAdditional
		default:
			return nil, p.errf("expected ';', ',' or '||'")
		}
		p.space()
		if p.eof() {
			return nil, p.errf("missing rule after separator")
		}
	}
}

func (p *osmParser) eof() bool { return p.i >= len(p.s) }

func (p *osmParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *osmParser) peek(pre string) bool { return strings.HasPrefix(p.s[p.i:], pre) }

func (p *osmParser) take(pre string) bool {
	if p.peek(pre) {
		p.i += len(pre)
		return true
	}
	return false
}

func (p *osmParser) errf(format string, args ...any) error {
	return syntaxErr(p.s, p.i, format, args...)
}

func (p *osmParser) unsupported(sentinel error, msg string) error {
	return &ParseError{Pos: p.i, Msg: msg, Input: p.s, err: sentinel}
}

func (p *osmParser) isDigit() bool { return p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' }

// listGoesOn takes a ',' (spaces around it are ignored, as opening_hours.js
// ignores all spaces between tokens) when what follows satisfies more, and
// reports whether it did; otherwise the cursor does not move.
func (p *osmParser) listGoesOn(more func() bool) bool {
	save := p.i
	p.space()
	if p.take(",") {
		p.space()
		if !p.eof() && more() {
			return true
		}
	}
	p.i = save
	return false
}

// dash takes a '-' with optional spaces around it.
func (p *osmParser) dash() bool {
	save := p.i
	p.space()
	if p.take("-") {
		p.space()
		return true
	}
	p.i = save
	return false
}

// year4 reports whether a four-digit year starts at the cursor.
func (p *osmParser) year4() bool {
	if p.i+4 > len(p.s) {
		return false
	}
	for k := range 4 {
		if c := p.s[p.i+k]; c < '0' || c > '9' {
			return false
		}
	}
	return p.i+4 == len(p.s) || p.s[p.i+4] < '0' || p.s[p.i+4] > '9'
}

func (p *osmParser) month() time.Month {
	for k, m := range osmMonths {
		if p.peek(m) {
			return time.Month(k + 1)
		}
	}
	return 0
}

func (p *osmParser) weekday() int {
	for k, d := range osmDays {
		if p.peek(d) {
			return k
		}
	}
	return -1
}

// monthAfterYear reports whether a date "YYYY Mon DD" starts at the
// cursor. A year followed by a month without a day is a year selector
// then a month selector, as in opening_hours.js: "2027 Nov-Feb" is
// November to February, in 2027.
func (p *osmParser) monthAfterYear() bool {
	if !p.year4() {
		return false
	}
	save := p.i
	defer func() { p.i = save }()
	p.i += 4
	p.space()
	if p.month() == 0 {
		return false
	}
	p.i += 3
	p.space()
	if !p.isDigit() || p.year4() {
		return false
	}
	p.number(2)
	return !p.peek(":")
}

func (p *osmParser) rule() (rule, error) {
	start := p.i
	r := rule{status: Open}
	explicit := false
	if p.take("24/7") {
		r.times = []timeRange{{0, 1440}}
		p.space()
	} else {
		if p.year4() && !p.monthAfterYear() {
			if err := p.years(&r); err != nil {
				return r, err
			}
			p.space()
		}
		if p.month() != 0 || p.monthAfterYear() {
			if err := p.dates(&r); err != nil {
				return r, err
			}
			p.space()
		}
		if p.take("week") {
			p.space()
			if err := p.weeks(&r); err != nil {
				return r, err
			}
			p.space()
		}
		if p.take(":") {
			p.space()
		}
		if err := p.weekdays(&r); err != nil {
			return r, err
		}
		p.space()
		for _, w := range []string{"sunrise", "sunset", "dawn", "dusk", "("} {
			if p.peek(w) {
				return r, p.unsupported(ErrUnsupported, "variable times are not supported")
			}
		}
		if p.isDigit() {
			if err := p.times(&r); err != nil {
				return r, err
			}
			p.space()
		}
	}
	for _, m := range [...]struct {
		word string
		st   Status
	}{{"open", Open}, {"closed", Closed}, {"off", Closed}, {"unknown", Unknown}} {
		if p.take(m.word) {
			r.status, explicit = m.st, true
			p.space()
			break
		}
	}
	if p.take(`"`) {
		end := strings.IndexByte(p.s[p.i:], '"')
		if end < 0 {
			return r, p.errf("unterminated comment")
		}
		r.comment = p.s[p.i : p.i+end]
		p.i += end + 1
		if !explicit {
			// A comment without a state says nothing certain, as in
			// opening_hours.js: "Sa 09:00-12:00 \"sur rendez-vous\"" is
			// unknown then.
			r.status = Unknown
		}
	}
	if p.i == start {
		return r, p.errf("expected a rule")
	}
	return r, nil
}

// number reads 1 to max digits.
func (p *osmParser) number(max int) (int, bool) {
	start := p.i
	n, i := digits(p.s, p.i, max)
	p.i = i
	return n, i > start
}

func (p *osmParser) years(r *rule) error {
	for {
		y, _ := p.number(4)
		if y < 1900 {
			p.i -= 4
			return p.errf("year before 1900")
		}
		yr := yearRange{y, y}
		if p.dash() {
			if !p.year4() {
				return p.errf("expected year")
			}
			yr.to, _ = p.number(4)
			if yr.to < yr.from {
				return p.errf("year range goes backwards")
			}
		}
		r.years = append(r.years, yr)
		if !p.listGoesOn(p.year4) {
			return nil
		}
	}
}

// dateSpec parses "[YYYY ]Mon[ DD]".
func (p *osmParser) dateSpec() (dateSpec, error) {
	var d dateSpec
	if p.year4() {
		if d.year, _ = p.number(4); d.year < 1900 {
			p.i -= 4
			return d, p.errf("year before 1900")
		}
		p.space()
	}
	m := p.month()
	if m == 0 {
		return d, p.errf("expected month name")
	}
	d.month = m
	p.i += 3
	save := p.i
	p.space()
	if p.isDigit() && !p.year4() {
		start := p.i
		n, _ := p.number(2)
		if p.peek(":") {
			// That was an hour, not a day.
			p.i = save
			return d, nil
		}
		if n < 1 || n > 31 {
			p.i = start
			return d, p.errf("day of month out of range")
		}
		d.day = n
	} else {
		p.i = save
	}
	return d, nil
}

func (p *osmParser) dates(r *rule) error {
	for {
		from, err := p.dateSpec()
		if err != nil {
			return err
		}
		to := from
		if p.dash() {
			if p.isDigit() && !p.year4() && from.day != 0 {
				to.day, _ = p.number(2)
				if to.day < 1 || to.day > 31 {
					return p.errf("day of month out of range")
				}
			} else if to, err = p.dateSpec(); err != nil {
				return err
			}
			if from.year != 0 && to.year == 0 {
				to.year = from.year
			}
			if from.year == 0 && to.year != 0 {
				return p.errf("date range needs a year at its start")
			}
			if (from.day == 0) != (to.day == 0) {
				return p.errf("mixing months and days in a date range")
			}
		}
		if from.year != 0 && to.key(31) < from.key(1) {
			return p.errf("date range goes backwards")
		}
		r.dates = append(r.dates, dateRange{from, to})
		if !p.listGoesOn(func() bool { return p.month() != 0 || p.monthAfterYear() }) {
			return nil
		}
	}
}

func (p *osmParser) weeks(r *rule) error {
	for {
		from, ok := p.number(2)
		if !ok || from < 1 || from > 53 {
			return p.errf("expected week number 01-53")
		}
		w := weekRange{from, from, 1}
		if p.dash() {
			to, ok := p.number(2)
			if !ok || to < from || to > 53 {
				return p.errf("expected week number after '-'")
			}
			w.to = to
			if p.take("/") {
				st, ok := p.number(2)
				if !ok || st < 1 {
					return p.errf("expected week step")
				}
				w.step = st
			}
			if w.to == w.from {
				w.step = 1 // a single week has nothing to step over
			}
		}
		r.weeks = append(r.weeks, w)
		if !p.listGoesOn(p.isDigit) {
			return nil
		}
	}
}

func (p *osmParser) weekdays(r *rule) error {
	for {
		switch {
		case p.take("PH"):
			r.ph, r.hasWd = true, true
		case p.peek("SH"):
			return p.unsupported(ErrSchoolHolidays, "school holidays (SH) are not supported")
		default:
			d := p.weekday()
			if d < 0 {
				if r.hasWd {
					return p.errf("expected weekday or PH")
				}
				return nil
			}
			p.i += 2
			r.hasWd = true
			switch {
			case p.dash():
				e := p.weekday()
				if e < 0 {
					return p.errf("expected weekday after '-'")
				}
				p.i += 2
				for k := d; ; k = (k + 1) % 7 {
					r.wdays[k] = nthSel{on: true, all: true}
					if k == e {
						break
					}
				}
			case p.take("["):
				if err := p.nth(&r.wdays[d]); err != nil {
					return err
				}
			default:
				r.wdays[d] = nthSel{on: true, all: true}
			}
		}
		if !p.listGoesOn(func() bool { return p.weekday() >= 0 || p.peek("PH") || p.peek("SH") }) {
			return nil
		}
	}
}

// nth parses the inside of "[1,3]", "[-1]" or "[1-2]" and the closing
// bracket. A day also given plain stays every occurrence of it.
func (p *osmParser) nth(sel *nthSel) error {
	var pos, neg uint8
	for {
		p.space()
		neg1 := p.take("-")
		n, ok := p.number(1)
		if !ok || n < 1 || n > 5 {
			return p.errf("expected occurrence 1-5 or -1 to -5")
		}
		to := n
		if !neg1 && p.dash() {
			if to, ok = p.number(1); !ok || to < n || to > 5 {
				return p.errf("bad occurrence range")
			}
		}
		for k := n; k <= to; k++ {
			if neg1 {
				neg |= 1 << (k - 1)
			} else {
				pos |= 1 << (k - 1)
			}
		}
		p.space()
		if p.take("]") {
			break
		}
		if !p.take(",") {
			return p.errf("expected ',' or ']'")
		}
	}
	if p.peek(" +") || p.peek(" -") || p.peek("+") {
		return p.unsupported(ErrUnsupported, "day offsets after [n] are not supported")
	}
	if !sel.all {
		sel.on = true
		sel.pos |= pos
		sel.neg |= neg
	}
	return nil
}

// hhmm reads "HH:MM" up to max minutes.
func (p *osmParser) hhmm(max int) (int, error) {
	start := p.i
	h, ok := p.number(2)
	if !ok || !p.take(":") {
		p.i = start
		return 0, p.errf("expected time HH:MM")
	}
	m, _ := p.number(2)
	if p.i-start < 4 || m > 59 || h*60+m > max {
		p.i = start
		return 0, p.errf("time out of range")
	}
	return h*60 + m, nil
}

func (p *osmParser) times(r *rule) error {
	for {
		from, err := p.hhmm(1439)
		if err != nil {
			return err
		}
		if p.peek("+") {
			return p.unsupported(ErrUnsupported, "open-ended times are not supported")
		}
		if !p.dash() {
			return p.unsupported(ErrUnsupported, "points in time are not supported; use a range")
		}
		for _, w := range []string{"sunrise", "sunset", "dawn", "dusk", "("} {
			if p.peek(w) {
				return p.unsupported(ErrUnsupported, "variable times are not supported")
			}
		}
		to, err := p.hhmm(2880)
		if err != nil {
			return err
		}
		if to <= 1440 {
			r.times = append(r.times, span24(from, to))
		} else {
			r.times = append(r.times, timeRange{from, to})
		}
		if p.peek("/") {
			return p.unsupported(ErrUnsupported, "periodic times are not supported")
		}
		// "08:00-12:00, 14:00-18:00" is one list of times: a ',' starts
		// another rule only before something else than a time.
		if !p.listGoesOn(p.isDigit) {
			return nil
		}
	}
}

// OSM returns the schedule as a normalised OpenStreetMap opening_hours
// value. An unknown schedule gives "", the absence of the tag.
func (s *Schedule) OSM() string {
	s.osmOnce.Do(func() { s.osm = s.computeOSM() })
	return s.osm
}

func (s *Schedule) computeOSM() string {
	if s.unknown {
		return ""
	}
	var b strings.Builder
	for i := range s.rules {
		r := &s.rules[i]
		if i > 0 {
			b.WriteString([...]string{"; ", ", ", " || "}[r.kind])
		}
		// A ',' that would continue a list of times or days must follow
		// a state to start a rule.
		forceState := false
		if i+1 < len(s.rules) && s.rules[i+1].kind == ruleAdditional {
			nx := &s.rules[i+1]
			startsWithDay := len(nx.years) == 0 && (len(nx.dates) > 0 && nx.dates[0].from.year == 0 || len(nx.weeks) > 0 || nx.hasWd)
			forceState = len(r.times) == 0 || !startsWithDay || len(r.years)+len(r.dates)+len(r.weeks) == 0 && !r.hasWd
		}
		r.write(&b, forceState)
	}
	return b.String()
}

func (r *rule) write(b *strings.Builder, forceState bool) {
	n := b.Len()
	sep := func() {
		if b.Len() > n {
			b.WriteByte(' ')
		}
	}
	for k, y := range r.years {
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(y.from))
		if y.to != y.from {
			fmt.Fprintf(b, "-%d", y.to)
		}
	}
	if len(r.dates) > 0 {
		sep()
		for k, d := range r.dates {
			if k > 0 {
				b.WriteByte(',')
			}
			d.from.write(b)
			if d.to == d.from {
				continue
			}
			b.WriteByte('-')
			if d.to.year == d.from.year && d.to.month == d.from.month && d.to.day != 0 {
				fmt.Fprintf(b, "%02d", d.to.day)
			} else {
				if d.to.year == d.from.year {
					d.to.year = 0
				}
				d.to.write(b)
			}
		}
	}
	if len(r.weeks) > 0 {
		sep()
		b.WriteString("week ")
		for k, w := range r.weeks {
			if k > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(b, "%02d", w.from)
			if w.to != w.from {
				fmt.Fprintf(b, "-%02d", w.to)
			}
			if w.step > 1 {
				fmt.Fprintf(b, "/%d", w.step)
			}
		}
	}
	if r.hasWd {
		sep()
		r.writeWeekdays(b)
	}
	full := len(r.times) == 1 && r.times[0] == timeRange{0, 1440}
	if len(r.times) > 0 && !(full && b.Len() == n && r.status == Open) {
		sep()
		for k, t := range r.times {
			if k > 0 {
				b.WriteByte(',')
			}
			to := t.to
			if to > 1440 && to-1440 <= t.from {
				to -= 1440
			}
			fmt.Fprintf(b, "%02d:%02d-%02d:%02d", t.from/60, t.from%60, to/60, to%60)
		}
	} else if full {
		b.WriteString("24/7")
	}
	switch {
	case r.status == Closed:
		sep()
		b.WriteString("off")
	case r.status == Unknown && (r.comment == "" || b.Len() > n):
		sep()
		b.WriteString("unknown")
	case r.status == Open && (b.Len() == n || r.comment != "" || forceState):
		// Without a state, a comment would make the rule unknown.
		sep()
		b.WriteString("open")
	}
	if r.comment != "" {
		sep()
		// The syntax has no escape for '"'.
		b.WriteString(`"` + strings.ReplaceAll(r.comment, `"`, "'") + `"`)
	}
}

func (d dateSpec) write(b *strings.Builder) {
	if d.year != 0 {
		fmt.Fprintf(b, "%d ", d.year)
	}
	b.WriteString(osmMonths[d.month-1])
	if d.day != 0 {
		fmt.Fprintf(b, " %02d", d.day)
	}
}

// writeWeekdays writes weekdays Monday first, collapsing runs of three or
// more plain days into ranges, then PH.
func (r *rule) writeWeekdays(b *strings.Builder) {
	first := true
	item := func(s string) {
		if !first {
			b.WriteByte(',')
		}
		b.WriteString(s)
		first = false
	}
	plain := func(k int) bool { // k counts from Monday
		w := r.wdays[(k+1)%7]
		return w.on && w.pos|w.neg == 0
	}
	for k := 0; k < 7; k++ {
		wd := (k + 1) % 7
		w := r.wdays[wd]
		if !w.on {
			continue
		}
		if w.pos|w.neg != 0 {
			item(osmDays[wd] + nthString(w))
			continue
		}
		e := k
		for e+1 < 7 && plain(e+1) {
			e++
		}
		if e-k >= 2 {
			item(osmDays[wd] + "-" + osmDays[(e+1)%7])
			k = e
			continue
		}
		item(osmDays[wd])
	}
	if r.ph {
		item("PH")
	}
}

func nthString(w nthSel) string {
	var parts []string
	for k := range 5 {
		if w.pos&(1<<k) != 0 {
			parts = append(parts, strconv.Itoa(k+1))
		}
	}
	for k := range 5 {
		if w.neg&(1<<k) != 0 {
			parts = append(parts, strconv.Itoa(-k-1))
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}
