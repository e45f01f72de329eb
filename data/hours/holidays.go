package hours

import (
	"math/bits"
	"sync"
	"time"
)

// Region identifies a public-holiday calendar. The zero value is
// Metropole, the national calendar.
type Region uint8

// Holiday calendars. Each one is the national list plus its own rows in
// the table below.
const (
	Metropole Region = iota
	AlsaceMoselle
	Guadeloupe
	Martinique
	Guyane
	Reunion
	SaintPierreEtMiquelon
	Mayotte
	SaintBarthelemy
	SaintMartin
	WallisEtFutuna
	Polynesie
	NouvelleCaledonie
	numRegions
)

var regionNames = [numRegions]string{
	"Métropole", "Alsace-Moselle", "Guadeloupe", "Martinique", "Guyane",
	"La Réunion", "Saint-Pierre-et-Miquelon", "Mayotte", "Saint-Barthélemy",
	"Saint-Martin", "Wallis-et-Futuna", "Polynésie française",
	"Nouvelle-Calédonie",
}

// String returns the French name of the region.
func (r Region) String() string {
	if r < numRegions {
		return regionNames[r]
	}
	return "Region(?)"
}

// Date is a civil date, without time or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// Holiday is a public holiday on a civil date.
type Holiday struct {
	Date Date
	Name string
}

// holidayRule is one row of a calendar: a fixed day of the year, or an
// offset in days from Easter Sunday when month is zero.
type holidayRule struct {
	month  time.Month
	day    int
	easter int
	name   string
	reason string // "Jour férié : " + name, built once so At does not allocate
	// from and to bound the years the row applies to; 0 means unbounded.
	from, to int
}

// inYear reports whether the row applies in year y.
func (h *holidayRule) inYear(y int) bool {
	return (h.from == 0 || y >= h.from) && (h.to == 0 || y <= h.to)
}

// years bounds a row to the years from..to (0 for unbounded).
func (h holidayRule) years(from, to int) holidayRule {
	h.from, h.to = from, to
	return h
}

func fixed(m time.Month, d int, name string) holidayRule {
	return holidayRule{month: m, day: d, name: name}
}

func easter(offset int, name string) holidayRule {
	return holidayRule{easter: offset, name: name}
}

// national lists the eleven public holidays of Code du travail, art. L3133-1.
var national = []holidayRule{
	fixed(time.January, 1, "Jour de l'an"),
	easter(1, "Lundi de Pâques"),
	fixed(time.May, 1, "Fête du Travail"),
	fixed(time.May, 8, "Victoire 1945"),
	easter(39, "Ascension"),
	easter(50, "Lundi de Pentecôte"),
	fixed(time.July, 14, "Fête nationale"),
	fixed(time.August, 15, "Assomption"),
	fixed(time.November, 1, "Toussaint"),
	fixed(time.November, 11, "Armistice 1918"),
	fixed(time.December, 25, "Noël"),
}

// regional lists the holidays each calendar adds to the national ones.
//
// Sources:
//   - Alsace-Moselle: Code du travail, art. L3134-13 (Vendredi saint,
//     26 décembre).
//   - Abolition of slavery: loi n° 83-550 du 30 juin 1983, décret
//     n° 83-1003 du 23 novembre 1983 as amended by décret n° 2012-553
//     (Mayotte 27 avril, Saint-Barthélemy 9 octobre) and Code du travail,
//     art. L3422-2. For Saint-Martin the Code still reads 27 mai, but since
//     2018 the prefecture sets 28 mai each year by interministerial
//     circular (délibération du conseil territorial du 5 novembre 2015);
//     28 mai is used here and may need revisiting.
//   - Good Friday is not a legal holiday in Guadeloupe, Martinique or
//     Guyane (only customary there), so it is not listed for them.
//   - Polynésie française: Vendredi saint, 5 mars (arrivée de l'Évangile)
//     and, until 2024, 29 juin (fête de l'autonomie). A loi du pays adopted
//     on 6 May 2025 (rapport n° 23-2025, JOPF n° 11 NA du 25/06/2025)
//     replaced 29 juin by 20 novembre (Matāri'i i nia) from 2025.
//   - Nouvelle-Calédonie: 24 septembre (Fête de la citoyenneté).
//   - Wallis-et-Futuna: 28 avril (Saint Pierre Chanel), 29 juillet (fête
//     du territoire).
//   - Saint-Pierre-et-Miquelon: national holidays only.
var regional = [numRegions][]holidayRule{
	AlsaceMoselle: {
		easter(-2, "Vendredi saint"),
		fixed(time.December, 26, "Saint-Étienne"),
	},
	Guadeloupe:        {fixed(time.May, 27, "Abolition de l'esclavage (Guadeloupe)")},
	Martinique:        {fixed(time.May, 22, "Abolition de l'esclavage (Martinique)")},
	Guyane:            {fixed(time.June, 10, "Abolition de l'esclavage (Guyane)")},
	Reunion:           {fixed(time.December, 20, "Abolition de l'esclavage (La Réunion)")},
	Mayotte:           {fixed(time.April, 27, "Abolition de l'esclavage (Mayotte)")},
	SaintBarthelemy:   {fixed(time.October, 9, "Abolition de l'esclavage (Saint-Barthélemy)")},
	SaintMartin:       {fixed(time.May, 28, "Abolition de l'esclavage (Saint-Martin)")},
	NouvelleCaledonie: {fixed(time.September, 24, "Fête de la citoyenneté (Nouvelle-Calédonie)")},
	Polynesie: {
		easter(-2, "Vendredi saint"),
		fixed(time.March, 5, "Arrivée de l'Évangile (Polynésie française)"),
		fixed(time.June, 29, "Fête de l'autonomie (Polynésie française)").years(0, 2024),
		fixed(time.November, 20, "Matāri'i i nia (Polynésie française)").years(2025, 0),
	},
	WallisEtFutuna: {
		fixed(time.April, 28, "Saint Pierre Chanel (Wallis-et-Futuna)"),
		fixed(time.July, 29, "Fête du territoire (Wallis-et-Futuna)"),
	},
}

// calendars holds, per region, the national rows followed by the regional ones.
var calendars = func() (c [numRegions][]holidayRule) {
	for r := range c {
		rows := append(append([]holidayRule(nil), national...), regional[r]...)
		for i := range rows {
			rows[i].reason = "Jour férié : " + rows[i].name
		}
		c[r] = rows
	}
	return c
}()

func calendar(r Region) []holidayRule {
	if r >= numRegions {
		r = Metropole
	}
	return calendars[r]
}

// easterDay returns the day number (days since 1970-01-01) of Gregorian
// Easter Sunday, by the anonymous Gregorian algorithm (Meeus, Astronomical
// Algorithms, ch. 8).
func easterDay(y int) int {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return daysFromCivil(y, time.Month(month), day)
}

// holidayAt returns the calendar row for the civil date, if any. dn is the
// day number of (y, m, d).
func holidayAt(dn, y int, m time.Month, d int, r Region) *holidayRule {
	rows := calendar(r)
	ed := -1 << 31
	for i := range rows {
		h := &rows[i]
		if !h.inYear(y) {
			continue
		}
		if h.month != 0 {
			if h.month == m && h.day == d {
				return h
			}
			continue
		}
		if ed == -1<<31 {
			ed = easterDay(y)
		}
		if dn == ed+h.easter {
			return h
		}
	}
	return nil
}

// holidayBits marks, per region, the holidays of bitsFirstYear up to
// bitsLastYear so that the evaluation hot path tests one bit per day. The
// rows of the marked days follow in day order: the row of a marked day is
// found by counting the marked days before it (rank holds the count
// before each word).
var holidayBits [numRegions]struct {
	once   sync.Once
	lo, hi int // days covered, [lo, hi)
	bits   []uint64
	rank   []uint16
	rows   []*holidayRule
}

const bitsFirstYear, bitsLastYear = 1990, 2100

// holidayOnDay returns the calendar row for day number dn, or nil.
func holidayOnDay(dn int, r Region) *holidayRule {
	if r >= numRegions {
		r = Metropole
	}
	hb := &holidayBits[r]
	hb.once.Do(func() {
		hb.lo = daysFromCivil(bitsFirstYear, time.January, 1)
		hb.hi = daysFromCivil(bitsLastYear+1, time.January, 1)
		hb.bits = make([]uint64, (hb.hi-hb.lo+63)/64)
		for y := bitsFirstYear; y <= bitsLastYear; y++ {
			for _, h := range Holidays(y, r) {
				k := daysFromCivil(h.Date.Year, h.Date.Month, h.Date.Day) - hb.lo
				hb.bits[k/64] |= 1 << (k % 64)
			}
		}
		hb.rank = make([]uint16, len(hb.bits))
		for i, w := range hb.bits {
			hb.rank[i] = uint16(len(hb.rows))
			for ; w != 0; w &= w - 1 {
				dn := hb.lo + i*64 + bits.TrailingZeros64(w)
				y, m, d := civilFromDays(dn)
				hb.rows = append(hb.rows, holidayAt(dn, y, m, d, r))
			}
		}
	})
	// The last word also covers days after hi, which are not marked.
	if k := dn - hb.lo; k >= 0 && dn < hb.hi {
		w, bit := hb.bits[k/64], uint64(1)<<(k%64)
		if w&bit == 0 {
			return nil
		}
		return hb.rows[int(hb.rank[k/64])+bits.OnesCount64(w&(bit-1))]
	}
	y, m, d := civilFromDays(dn)
	return holidayAt(dn, y, m, d, r)
}

// HolidayOn reports whether the civil date of t, in t's own location, is a
// public holiday in region r, and returns its name.
func HolidayOn(t time.Time, r Region) (name string, ok bool) {
	y, m, d := t.Date()
	if h := holidayAt(daysFromCivil(y, m, d), y, m, d, r); h != nil {
		return h.name, true
	}
	return "", false
}

// Holidays returns the public holidays of year in region r, sorted by date.
func Holidays(year int, r Region) []Holiday {
	rows := calendar(r)
	out := make([]Holiday, 0, len(rows))
	ed := easterDay(year)
	for _, h := range rows {
		if !h.inYear(year) {
			continue
		}
		dn := daysFromCivil(year, h.month, h.day)
		if h.month == 0 {
			dn = ed + h.easter
		}
		y, m, d := civilFromDays(dn)
		out = append(out, Holiday{Date{y, m, d}, h.name})
	}
	// Insertion sort: calendars have at most 15 rows.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && dateLess(out[j].Date, out[j-1].Date); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func dateLess(a, b Date) bool {
	return daysFromCivil(a.Year, a.Month, a.Day) < daysFromCivil(b.Year, b.Month, b.Day)
}

// daysFromCivil returns the number of days from 1970-01-01 to the proleptic
// Gregorian date (Howard Hinnant, "chrono-Compatible Low-Level Date
// Algorithms").
func daysFromCivil(y int, m time.Month, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (int(m) + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int) (int, time.Month, int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := (mp+2)%12 + 1
	if m <= 2 {
		y++
	}
	return y, time.Month(m), d
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Locale is where a schedule is evaluated: the IANA zone of the station
// and its holiday calendar. A nil Location means UTC.
type Locale struct {
	Location *time.Location
	Region   Region
}

// territory maps an overseas code to its zone, calendar and standard
// offset; the offset is only used if the zone database is missing.
type territory struct {
	zone   string
	region Region
	offset int // seconds east of UTC
}

var territories = map[string]territory{
	"971": {"America/Guadeloupe", Guadeloupe, -4 * 3600},
	"972": {"America/Martinique", Martinique, -4 * 3600},
	"973": {"America/Cayenne", Guyane, -3 * 3600},
	"974": {"Indian/Reunion", Reunion, 4 * 3600},
	"975": {"America/Miquelon", SaintPierreEtMiquelon, -3 * 3600},
	"976": {"Indian/Mayotte", Mayotte, 3 * 3600},
	"977": {"America/St_Barthelemy", SaintBarthelemy, -4 * 3600},
	"978": {"America/Marigot", SaintMartin, -4 * 3600},
	"986": {"Pacific/Wallis", WallisEtFutuna, 12 * 3600},
	"987": {"Pacific/Tahiti", Polynesie, -10 * 3600},
	"988": {"Pacific/Noumea", NouvelleCaledonie, 11 * 3600},
	"57":  {"Europe/Paris", AlsaceMoselle, 3600},
	"67":  {"Europe/Paris", AlsaceMoselle, 3600},
	"68":  {"Europe/Paris", AlsaceMoselle, 3600},
}

var zones sync.Map // zone name → *time.Location

// LocaleFor returns the locale of a département or territory code such as
// "38", "2A", "57" or "974". Unlisted codes get Europe/Paris and the
// national calendar. Zones are loaded once and cached; if the zone
// database is unavailable the territory's standard offset is used, so
// callers should link time/tzdata.
func LocaleFor(dep string) Locale {
	t, ok := territories[dep]
	if !ok {
		t = territory{"Europe/Paris", Metropole, 3600}
	}
	if l, ok := zones.Load(t.zone); ok {
		return Locale{l.(*time.Location), t.region}
	}
	l, err := time.LoadLocation(t.zone)
	if err != nil {
		l = time.FixedZone(t.zone, t.offset)
	}
	zones.Store(t.zone, l)
	return Locale{l, t.region}
}
