package load

import (
	"guichet/data"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func TestNormalisePhone(t *testing.T) {
	tests := []struct {
		text, dep, want string
	}{
		{"04 76 05 01 83", "38", "+33476050183"},
		{"+33 4 50 40 59 30", "01", "+33450405930"},
		{"04.76.05.01.83", "38", "+33476050183"},
		// Overseas numbers are dialled in their own plan.
		{"05 90 82 00 17", "971", "+590590820017"},
		{"0590 82 00 17", "971", "+590590820017"},
		{"+681 72 20 17", "986", "+681722017"},
		{"27 31 56", "988", "+687273156"},
		// Truncated, empty of digits, too short, too long: not callable.
		{"+590 41 14 20", "971", ""},
		{"04 76 05", "38", ""},
		{"non communiqué", "38", ""},
		{"17", "75", ""},
		{strings.Repeat("0", 200), "38", ""},
	}
	for _, tt := range tests {
		got, why := normalisePhone(tt.text, tt.dep)
		if got != tt.want || (got == "") != (why != "") {
			t.Errorf("normalisePhone(%q, %q) = %q, %q; want %q", tt.text, tt.dep, got, why, tt.want)
		}
	}
}

// A station whose published number cannot be called is kept, with the
// text as published, no number to call, and a warning naming file and line.
func TestInvalidPhoneWarned(t *testing.T) {
	csv := "service;identifiant_public_unite;departement;geocodage_x_GPS;geocodage_y_GPS;telephone;adresse_geographique\n" +
		"Brigade de Voiron;1004321;38;5.58963;45.36421;04 76 05 01 83;2 Rue Danton 38500 VOIRON\n" +
		"Brigade de Baie-Mahault;1004322;971;-61.585;16.267;+590 41 14 20;Rue 97122 BAIE-MAHAULT\n"
	ds, err := FS(fstest.MapFS{"gn.csv": {Data: []byte(csv)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ok, err := ds.Station("gn-1004321")
	if err != nil {
		t.Fatal(err)
	}
	if ok.PhoneE164 != "+33476050183" || ok.Phone != "04 76 05 01 83" {
		t.Errorf("valid phone: E.164 %q, text %q", ok.PhoneE164, ok.Phone)
	}
	bad, err := ds.Station("gn-1004322")
	if err != nil {
		t.Fatal(err)
	}
	if bad.PhoneE164 != "" || bad.Phone != "+590 41 14 20" {
		t.Errorf("truncated phone: E.164 %q, text %q; want none and the text kept", bad.PhoneE164, bad.Phone)
	}
	w := ds.Report().Warnings()
	if len(w) != 1 || w[0].Reason != ReasonBadPhone || w[0].Line != 3 || w[0].File != "gn.csv" || !strings.Contains(w[0].Detail, "gn-1004322") {
		t.Errorf("warnings = %v, want one %s on gn.csv line 3 naming gn-1004322", w, ReasonBadPhone)
	}
}

// On the national data, every number offered to call is E.164 and every
// published number that is not is reported.
func TestNationalPhones(t *testing.T) {
	ds := nationalDataset(t)
	e164 := regexp.MustCompile(`^\+[1-9]\d{6,14}$`)
	warned := map[string]bool{}
	for _, w := range ds.Report().Warnings() {
		if w.Reason == ReasonBadPhone {
			warned[strings.SplitN(w.Detail, ":", 2)[0]] = true
		}
	}
	var valid, invalid, overseasInvalid int
	for _, s := range ds.Stations(data.StationFilter{}) {
		switch {
		case s.PhoneE164 != "":
			valid++
			if !e164.MatchString(s.PhoneE164) {
				t.Errorf("%s: phone %q normalised to %q, not E.164", s.ID, s.Phone, s.PhoneE164)
			}
		case strings.TrimSpace(s.Phone) != "":
			invalid++
			if s.Departement >= "971" && s.Departement <= "973" {
				overseasInvalid++
			}
			if !warned[s.ID] && !warned[s.Name] {
				t.Errorf("%s: phone %q not callable and not reported", s.ID, s.Phone)
			}
		}
	}
	if valid == 0 {
		t.Fatal("no valid phone number in the national data")
	}
	t.Logf("%d phones callable, %d reported as invalid (%d in 971–973)", valid, invalid, overseasInvalid)
}

// FuzzNormalisePhone: any text gives either a valid E.164 number, which
// normalises to itself, or a reason; never both, never a panic.
func FuzzNormalisePhone(f *testing.F) {
	for _, s := range []string{"04 76 05 01 83", "+33 4 50 40 59 30", "+590 41 14 20", "05 90 82 00 17", "27 31 56", "+681 72 20 17", "0590.99.63.60", "Non renseigné", "", "+", "00 33 4 76 05 01 83", "04 76 05 01 83 poste 12"} {
		f.Add(s, "38")
		f.Add(s, "971")
		f.Add(s, "988")
	}
	e164 := regexp.MustCompile(`^\+[1-9]\d{6,14}$`)
	f.Fuzz(func(t *testing.T, text, dep string) {
		got, why := normalisePhone(text, dep)
		if (got == "") == (why == "") {
			t.Fatalf("normalisePhone(%q, %q) = %q, %q: want exactly one of number and reason", text, dep, got, why)
		}
		if got == "" {
			return
		}
		if !e164.MatchString(got) {
			t.Fatalf("normalisePhone(%q, %q) = %q, not E.164", text, dep, got)
		}
		if again, _ := normalisePhone(got, dep); again != got {
			t.Fatalf("normalisePhone(%q) = %q, want itself", got, again)
		}
	})
}
