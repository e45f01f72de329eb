package hours

import (
	"slices"
	"strings"
	"time"
)

// frenchDays lists the French day names in week order, Monday first, with
// their time.Weekday.
var frenchDays = [7]struct {
	name string
	wd   time.Weekday
}{
	{"lundi", time.Monday}, {"mardi", time.Tuesday}, {"mercredi", time.Wednesday},
	{"jeudi", time.Thursday}, {"vendredi", time.Friday}, {"samedi", time.Saturday},
	{"dimanche", time.Sunday},
}

// phLabel is the pseudo-day index of "Jours Fériés" in a week table.
const phLabel = 7

// weekTable collects hours per day (Monday first) and for public holidays,
// before they become rules.
type weekTable struct {
	times   [8][]timeRange
	set     [8]bool
	comment [8]string
}

// phPolicy says what a week table implies for public holidays.
type phPolicy uint8

const (
	phAsWeekday       phPolicy = iota // no PH rule: holidays follow their weekday
	phClosedUnlessSet                 // French convention: absent "Jours Fériés" means closed
)

// rules groups days with identical hours into one rule each, in week
// order, then appends the public-holiday rule.
func (w *weekTable) rules(policy phPolicy) []rule {
	var out []rule
	done := [7]bool{}
	for i := range 7 {
		if done[i] || !w.set[i] {
			continue
		}
		r := rule{hasWd: true, times: w.times[i], status: Open, comment: w.comment[i]}
		for j := i; j < 7; j++ {
			if w.set[j] && !done[j] && w.comment[j] == w.comment[i] && slices.Equal(w.times[j], w.times[i]) {
				r.wdays[frenchDays[j].wd].on = true
				done[j] = true
			}
		}
		out = append(out, r)
	}
	switch {
	case w.set[phLabel]:
		out = append(out, rule{hasWd: true, ph: true, times: w.times[phLabel], status: Open, comment: w.comment[phLabel]})
	case policy == phClosedUnlessSet:
		out = append(out, rule{hasWd: true, ph: true, status: Closed})
	}
	return out
}

// add records ranges for day i, keeping them sorted.
func (w *weekTable) add(i int, tr ...timeRange) {
	w.set[i] = true
	w.times[i] = append(w.times[i], tr...)
	slices.SortFunc(w.times[i], func(a, b timeRange) int { return a.from - b.from })
}

func unknownSchedule() *Schedule {
	return (&Schedule{unknown: true, rules: []rule{{status: Unknown}}}).finish()
}

func closedSchedule() *Schedule {
	return (&Schedule{rules: []rule{{status: Closed}}}).finish()
}

func alwaysOpen() *Schedule {
	return (&Schedule{rules: []rule{{times: []timeRange{{0, 1440}}, status: Open}}}).finish()
}

// ParseFrench parses the Interior Ministry's French opening-hours text:
//
//	$Lundi : 8h00-12h00 14h00-18h00$Mardi : …$Jours Fériés : 9h00-12h00
//
// Parts may be separated by "$" or by spaces. A day that is absent is
// closed; without a "Jours Fériés" part the station is closed on public
// holidays, with one those hours replace the weekday's. "24h/24 - 7j/7" is
// always open and "Pas d'accueil du public" always closed. An empty string
// or "Non renseigné…" gives an unknown schedule, never a closed one.
func ParseFrench(s string) (*Schedule, error) {
	t := strings.TrimSpace(s)
	switch {
	case t == "" || strings.HasPrefix(fold(t), "nonrenseign"):
		return unknownSchedule(), nil
	case fold(t) == "pasdaccueildupublic":
		return closedSchedule(), nil
	case strings.ReplaceAll(t, " ", "") == "24h/24-7j/7":
		return alwaysOpen(), nil
	}
	var w weekTable
	i := 0
	for {
		for i < len(s) && (s[i] == '$' || s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i == len(s) {
			break
		}
		colon := strings.IndexByte(s[i:], ':')
		if colon < 0 {
			return nil, syntaxErr(s, i, "expected \"<day> :\"")
		}
		label := strings.TrimSpace(s[i : i+colon])
		d := frenchDay(label)
		if d < 0 {
			return nil, syntaxErr(s, i, "unknown day %q", label)
		}
		if w.set[d] {
			return nil, syntaxErr(s, i, "day %q given twice", label)
		}
		i += colon + 1
		w.set[d] = true
		for {
			for i < len(s) && s[i] == ' ' {
				i++
			}
			if i == len(s) || s[i] < '0' || s[i] > '9' {
				break
			}
			tr, n, err := frenchRange(s, i)
			if err != nil {
				return nil, err
			}
			w.add(d, tr)
			i = n
		}
		if len(w.times[d]) == 0 {
			return nil, syntaxErr(s, i, "no hours for %q", label)
		}
	}
	return (&Schedule{rules: w.rules(phClosedUnlessSet)}).finish(), nil
}

// fold lowercases ASCII letters and drops everything else, so that
// "Fériés", "Feries" and the Latin-1 mangled "FÃ©riÃ©s" differ only by
// their 'e's (see frenchDay).
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case r == 'é' || r == 'è' || r == 'ê' || r == 'É':
			b.WriteByte('e')
		}
	}
	return b.String()
}

// frenchDay returns the week-table index of a day label, phLabel for
// public holidays, or -1.
func frenchDay(label string) int {
	f := fold(label)
	for i, d := range frenchDays {
		if f == d.name {
			return i
		}
	}
	// Compare without 'e': mangled encodings lose the accented letter.
	switch strings.ReplaceAll(f, "e", "") {
	case "joursfris", "jourfri", "jourfris":
		return phLabel
	}
	return -1
}

// frenchRange parses "8h00-12h00" at s[i:], returning the range and the
// offset after it.
func frenchRange(s string, i int) (timeRange, int, error) {
	start := i
	from, i, err := frenchTime(s, i)
	if err != nil {
		return timeRange{}, 0, err
	}
	if from == 1440 {
		// 24h00 ends a day; as a start it names no instant of this one.
		return timeRange{}, 0, syntaxErr(s, start, "a range cannot start at 24h00")
	}
	if i >= len(s) || s[i] != '-' {
		return timeRange{}, 0, syntaxErr(s, i, "expected '-' in time range")
	}
	to, i, err := frenchTime(s, i+1)
	if err != nil {
		return timeRange{}, 0, err
	}
	return span24(from, to), i, nil
}

// span24 turns clock times into a range; an end at or before the start
// means the next day.
func span24(from, to int) timeRange {
	if to <= from {
		to += 1440
	}
	return timeRange{from, to}
}

func frenchTime(s string, i int) (int, int, error) {
	start := i
	h, i := digits(s, i, 2)
	if i == start || i >= len(s) || s[i] != 'h' {
		return 0, 0, syntaxErr(s, start, "expected time like 8h00")
	}
	mStart := i + 1
	m, i := digits(s, mStart, 2)
	if i-mStart != 2 {
		return 0, 0, syntaxErr(s, mStart, "expected two-digit minutes")
	}
	if m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, 0, syntaxErr(s, start, "time out of range")
	}
	return h*60 + m, i, nil
}

// digits reads up to max decimal digits at s[i:].
func digits(s string, i, max int) (int, int) {
	n := 0
	for k := 0; k < max && i < len(s) && s[i] >= '0' && s[i] <= '9'; k++ {
		n = n*10 + int(s[i]-'0')
		i++
	}
	return n, i
}

// Plage is one opening range of a service-public.fr directory record
// (field plage_ouverture): days NomJourDebut to NomJourFin, one or two
// time ranges "08:30:00", and a free comment.
type Plage struct {
	NomJourDebut      string `json:"nom_jour_debut"`
	NomJourFin        string `json:"nom_jour_fin"`
	ValeurHeureDebut1 string `json:"valeur_heure_debut_1"`
	ValeurHeureFin1   string `json:"valeur_heure_fin_1"`
	ValeurHeureDebut2 string `json:"valeur_heure_debut_2"`
	ValeurHeureFin2   string `json:"valeur_heure_fin_2"`
	Commentaire       string `json:"commentaire"`
}

// FromPlages builds a schedule from service-public.fr ranges. Ranges for
// the same day add up. The directory says nothing about public holidays,
// so they follow their weekday. No ranges give an unknown schedule. Errors
// are *ParseError whose Input is the offending field and Pos the index of
// the plage.
func FromPlages(p []Plage) (*Schedule, error) {
	if len(p) == 0 {
		return unknownSchedule(), nil
	}
	var w weekTable
	for k, pl := range p {
		first := plageDay(pl.NomJourDebut)
		if first < 0 {
			return nil, syntaxErr(pl.NomJourDebut, k, "plage %d: unknown day", k)
		}
		last := first
		if strings.TrimSpace(pl.NomJourFin) != "" {
			if last = plageDay(pl.NomJourFin); last < 0 {
				return nil, syntaxErr(pl.NomJourFin, k, "plage %d: unknown day", k)
			}
		}
		var trs []timeRange
		for _, pair := range [2][2]string{{pl.ValeurHeureDebut1, pl.ValeurHeureFin1}, {pl.ValeurHeureDebut2, pl.ValeurHeureFin2}} {
			if pair[0] == "" && pair[1] == "" {
				continue
			}
			from, err := clock(pair[0], k)
			if err != nil {
				return nil, err
			}
			if from == 1440 {
				return nil, syntaxErr(pair[0], k, "plage %d: a range cannot start at 24:00", k)
			}
			to, err := clock(pair[1], k)
			if err != nil {
				return nil, err
			}
			trs = append(trs, span24(from, to))
		}
		if len(trs) == 0 {
			return nil, syntaxErr(pl.ValeurHeureDebut1, k, "plage %d: no hours", k)
		}
		comment := strings.TrimSpace(pl.Commentaire)
		for d := first; ; d = (d + 1) % 7 {
			w.add(d, trs...)
			switch c := w.comment[d]; {
			case c == "":
				w.comment[d] = comment
			case comment != "" && c != comment:
				w.comment[d] = c + " ; " + comment
			}
			if d == last {
				break
			}
		}
	}
	return (&Schedule{rules: w.rules(phAsWeekday)}).finish(), nil
}

func plageDay(s string) int {
	if d := frenchDay(s); d >= 0 && d < phLabel {
		return d
	}
	return -1
}

// clock parses "08:30:00" or "08:30".
func clock(s string, k int) (int, error) {
	t := strings.TrimSpace(s)
	h, i := digits(t, 0, 2)
	if i == 0 || i >= len(t) || t[i] != ':' {
		return 0, syntaxErr(s, k, "plage %d: bad time", k)
	}
	m, j := digits(t, i+1, 2)
	if j-i-1 != 2 || m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, syntaxErr(s, k, "plage %d: bad time", k)
	}
	if j < len(t) {
		if t[j] != ':' || len(t) != j+3 {
			return 0, syntaxErr(s, k, "plage %d: bad time", k)
		}
		if sec, n := digits(t, j+1, 2); n != len(t) || sec > 59 {
			return 0, syntaxErr(s, k, "plage %d: bad time", k)
		}
	}
	return h*60 + m, nil
}
