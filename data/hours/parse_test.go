package hours

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"guichet/data/opendatatest"
)

func TestParseFrench(t *testing.T) {
	tests := []struct{ name, in, osm string }{
		{"typical", typicalFrench, "Mo-Sa 08:00-12:00,14:00-18:00; Su 09:00-12:00,15:00-18:00; PH 09:00-12:00,15:00-18:00"},
		{"one day", "$Mercredi : 8h00-12h00", "We 08:00-12:00; PH off"},
		{"two days", "$Lundi : 8h00-12h00$Mercredi : 14h00-18h00", "Mo 08:00-12:00; We 14:00-18:00; PH off"},
		{"quarters", "$Lundi : 14h15-17h45$Jeudi : 14h15-17h45$Vendredi : 8h00-12h00$Samedi : 14h15-17h45", "Mo,Th,Sa 14:15-17:45; Fr 08:00-12:00; PH off"},
		{"holiday only differs", "$Mercredi : 14h00-18h00$Samedi : 14h00-18h00$Jours Fériés : 15h00-18h00", "We,Sa 14:00-18:00; PH 15:00-18:00"},
		{"sunday only", "$Dimanche : 9h00-12h00", "Su 09:00-12:00; PH off"},
		{"data.gouv spelling", " Lundi : 8h00-12h00 14h00-18h00 Mardi : 8h00-12h00 14h00-18h00 Mercredi : 14h00-18h00 Jeudi : 8h00-12h00 14h00-18h00 Vendredi : 8h00-12h00 14h00-18h00 Samedi : 14h00-18h00 Dimanche : 9h00-12h00 15h00-18h00",
			"Mo,Tu,Th,Fr 08:00-12:00,14:00-18:00; We,Sa 14:00-18:00; Su 09:00-12:00,15:00-18:00; PH off"},
		{"accentless holidays", "$Lundi : 8h00-12h00$Jours Feries : 9h00-12h00", "Mo 08:00-12:00; PH 09:00-12:00"},
		{"latin-1 mangled holidays", "$Lundi : 8h00-12h00$Jours FÃ©riÃ©s : 9h00-12h00", "Mo 08:00-12:00; PH 09:00-12:00"},
		{"always open", "24h/24 - 7j/7", "24/7"},
		{"no reception", "Pas d'accueil du public", "off"},
		{"unknown", "Non renseigné dans Pulsar", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := ParseFrench(tt.in)
			if err != nil {
				t.Fatalf("ParseFrench(%q): %v", tt.in, err)
			}
			if got := sc.OSM(); got != tt.osm {
				t.Errorf("ParseFrench(%q).OSM() = %q, want %q", tt.in, got, tt.osm)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		f    func(string) (*Schedule, error)
		in   string
		pos  int
		is   error
	}{
		{"french unknown day", ParseFrench, "$Lundo : 8h00-12h00", 1, ErrSyntax},
		{"french bad minutes", ParseFrench, "$Lundi : 8h0-12h00", 11, ErrSyntax},
		{"french no hours", ParseFrench, "$Lundi : $Mardi : 8h00-9h00", 9, ErrSyntax},
		{"french twice", ParseFrench, "$Lundi : 8h00-9h00$Lundi : 8h00-9h00", 19, ErrSyntax},
		{"french start at 24h00", ParseFrench, "$Lundi : 8h00-9h00 24h00-0h00", 19, ErrSyntax},
		{"osm empty", ParseOSM, "  ", 0, ErrSyntax},
		{"osm bad separator", ParseOSM, "Mo 10:00-12:00 Tu", 15, ErrSyntax},
		{"osm bad time", ParseOSM, "Mo 10:00-25:61", 9, ErrSyntax},
		{"osm school holidays", ParseOSM, "SH off", 0, ErrSchoolHolidays},
		{"osm sunrise", ParseOSM, "Mo sunrise-sunset", 3, ErrUnsupported},
		{"osm open end", ParseOSM, "Mo 10:00+", 8, ErrUnsupported},
		{"osm trailing separator", ParseOSM, "Mo 10:00-12:00;", 15, ErrSyntax},
		{"osm unterminated comment", ParseOSM, `Mo "x`, 4, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.f(tt.in)
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Pos != tt.pos || !errors.Is(err, tt.is) || pe.Input != tt.in {
				t.Errorf("parse(%q) = %v, want ParseError at %d wrapping %v", tt.in, err, tt.pos, tt.is)
			}
		})
	}
}

func TestParseOSMNormalises(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off", "Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off"},
		{"24/7", "24/7"},
		{"Mo,Tu,We 8:00-12:00", "Mo-We 08:00-12:00"},
		{"Fr-Mo 20:00-02:00", "Mo,Fr-Su 20:00-02:00"},
		{"Su[1,3],We[-1] 10:00-12:00", "We[-1],Su[1,3] 10:00-12:00"},
		{"Jan-Mar: Mo 10:00-12:00", "Jan-Mar Mo 10:00-12:00"},
		{"Dec 24-26 off", "Dec 24-26 off"},
		{"2026 Dec 24 closed", "2026 Dec 24 off"},
		{"2026-2027 Mo 10:00-12:00", "2026-2027 Mo 10:00-12:00"},
		{"week 1-10/2 Mo 10:00-12:00", "week 01-10/2 Mo 10:00-12:00"},
		{`Mo-Fr 08:00-12:00 || "sur rendez-vous"`, `Mo-Fr 08:00-12:00 || "sur rendez-vous"`},
		{`Mo 10:00-12:00 unknown "travaux"`, `Mo 10:00-12:00 unknown "travaux"`},
		{"PH,Su 10:00-12:00", "Su,PH 10:00-12:00"},
		{"Mo 10:00-12:00, We 14:00-16:00", "Mo 10:00-12:00, We 14:00-16:00"},
		{"open", "open"},
		{"off", "off"},
		{"Mo 22:00-26:00", "Mo 22:00-02:00"},
	}
	for _, tt := range tests {
		sc, err := ParseOSM(tt.in)
		if err != nil {
			t.Errorf("ParseOSM(%q): %v", tt.in, err)
			continue
		}
		if got := sc.OSM(); got != tt.want {
			t.Errorf("ParseOSM(%q).OSM() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFromPlages(t *testing.T) {
	sc, err := FromPlages([]Plage{
		{NomJourDebut: "Lundi", NomJourFin: "Vendredi", ValeurHeureDebut1: "08:30:00", ValeurHeureFin1: "12:00:00", ValeurHeureDebut2: "13:30:00", ValeurHeureFin2: "17:00:00"},
		{NomJourDebut: "Samedi", ValeurHeureDebut1: "09:00:00", ValeurHeureFin1: "12:00:00", Commentaire: "sur rendez-vous"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sc.OSM(), `Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00 open "sur rendez-vous"`; got != want {
		t.Errorf("FromPlages().OSM() = %q, want %q", got, want)
	}
	if sc, _ := FromPlages(nil); !sc.Unknown() {
		t.Errorf("FromPlages(nil) is not unknown")
	}
	for _, bad := range [][2]string{{"8h", "12:00:00"}, {"24:00", "0:00"}, {"24:00:00", "24:00:00"}} {
		_, err = FromPlages([]Plage{{NomJourDebut: "Lundi", ValeurHeureDebut1: bad[0], ValeurHeureFin1: bad[1]}})
		if !errors.Is(err, ErrSyntax) {
			t.Errorf("FromPlages(%s-%s) = %v, want ErrSyntax", bad[0], bad[1], err)
		}
	}
	// 24:00 ends a range.
	if sc, err := FromPlages([]Plage{{NomJourDebut: "Lundi", ValeurHeureDebut1: "20:00", ValeurHeureFin1: "24:00"}}); err != nil || sc.OSM() != "Mo 20:00-24:00" {
		t.Errorf("FromPlages(20:00-24:00) = %v, %v", sc, err)
	}
}

// equivalent checks a and b give the same state every 15 minutes of two
// weeks that include public holidays (14 July 2026 is a Tuesday).
func equivalent(t *testing.T, a, b *Schedule, what string) {
	t.Helper()
	loc := Locale{Location: paris(t)}
	start := time.Date(2026, 7, 8, 0, 0, 0, 0, loc.Location)
	for at := start; at.Before(start.Add(14 * 24 * time.Hour)); at = at.Add(15 * time.Minute) {
		if sa, sb := a.At(at, loc), b.At(at, loc); sa.Status != sb.Status || sa.Comment != sb.Comment || !sa.Next.Equal(sb.Next) {
			t.Errorf("%s: at %v %v/%v, round trip %v/%v", what, at, sa.Status, sa.Next, sb.Status, sb.Next)
			return
		}
	}
}

func TestOSMRoundTrip(t *testing.T) {
	for _, s := range []string{
		typicalFrench, "$Mercredi : 8h00-12h00", "24h/24 - 7j/7", "Pas d'accueil du public", "",
		"Fr 20:00-02:00; Sa off", "Su[1],We[-1] 10:00-12:00; PH off", `Mo-Fr 08:00-12:00 || "sur rendez-vous"`,
		"Jul Mo-Fr 10:00-12:00, Sa 10:00-11:00; 2026 Jul 14 off", "week 28-29 Mo-Su 09:00-10:00",
	} {
		a := mustParse(t, s)
		b, err := Parse(a.OSM())
		if err != nil {
			t.Errorf("Parse(%q) of %q: %v", a.OSM(), s, err)
			continue
		}
		equivalent(t, a, b, s)
	}
}

// distinctHours returns the distinct horaire_ouverture values of a
// referential CSV.
func distinctHours(t testing.TB, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == "horaire_ouverture" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("%s: no horaire_ouverture column", path)
	}
	out := map[string]bool{}
	for _, r := range rows[1:] {
		out[r[col]] = true
	}
	return out
}

func TestNationalFile(t *testing.T) {
	dir := filepath.Join(opendatatest.Dir(t), "forces-de-l-ordre", "pel-referentiels")
	gn := distinctHours(t, filepath.Join(dir, "pwb_ref_unite_gn.csv"))
	if len(gn) != 656 {
		t.Errorf("pwb_ref_unite_gn.csv has %d distinct horaire_ouverture, want 656", len(gn))
	}
	loc := LocaleFor("38")
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, loc.Location)
	var unknown, closed int
	for s := range gn {
		sc, err := Parse(s)
		if err != nil {
			t.Errorf("Parse(%q): %v", s, err)
			continue
		}
		switch s {
		case "", "Non renseigné dans Pulsar":
			unknown++
			if !sc.Unknown() || sc.At(at, loc).Status != Unknown {
				t.Errorf("Parse(%q) is not unknown", s)
			}
		case "Pas d'accueil du public":
			closed++
			if st := sc.At(at, loc); st.Status != Closed || !st.Next.IsZero() {
				t.Errorf("Parse(%q).At = %+v, want closed for ever", s, st)
			}
		default:
			if sc.Unknown() {
				t.Errorf("Parse(%q) is unknown", s)
			}
			b, err := Parse(sc.OSM())
			if err != nil {
				t.Errorf("Parse(OSM()) of %q: %v", s, err)
				continue
			}
			equivalent(t, sc, b, s)
		}
	}
	if unknown != 2 || closed != 1 {
		t.Errorf("found %d unknown and %d closed special values, want 2 and 1", unknown, closed)
	}
	pn := distinctHours(t, filepath.Join(dir, "pwb_ref_unite_pn_exp.csv"))
	if !pn["24h/24 - 7j/7"] {
		t.Fatal("pwb_ref_unite_pn_exp.csv has no 24h/24 - 7j/7")
	}
	sc := mustParse(t, "24h/24 - 7j/7")
	if st := sc.At(at, loc); st.Status != Open || !st.Next.IsZero() || sc.OSM() != "24/7" {
		t.Errorf("24h/24 - 7j/7: At = %+v, OSM %q", st, sc.OSM())
	}
}

// nationalOSMValues returns the OSM form of every distinct opening-hours
// value of the national gendarmerie file, real station schedules, or nil
// without GUICHET_OPENDATA.
func nationalOSMValues(tb testing.TB) []string {
	tb.Helper()
	dir := os.Getenv("GUICHET_OPENDATA")
	if dir == "" {
		return nil
	}
	var out []string
	for s := range distinctHours(tb, filepath.Join(dir, "forces-de-l-ordre", "pel-referentiels", "pwb_ref_unite_gn.csv")) {
		if sc, err := Parse(s); err == nil && sc.OSM() != "" {
			out = append(out, sc.OSM())
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
