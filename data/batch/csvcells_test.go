package batch

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
)

func TestNeutraliseFormula(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+33 4 76 00 00 00", "'+33 4 76 00 00 00"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"-1.55", "-1.55"},
		{"+45.2", "+45.2"},
		{"-1e-3", "-1e-3"},
		{"-", "'-"},
		{"-.", "'-."},
		{"-1e", "'-1e"},
		{"12 rue = 3", "12 rue = 3"},
		{"", ""},
		{"'=already", "'=already"},
	}
	for _, tt := range tests {
		if got := neutraliseFormula(tt.in); got != tt.want {
			t.Errorf("neutraliseFormula(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestGeocodeCSVNeutralisesFormulas checks every cell of the output, the
// echoed input and the header included, by default and with RawCells.
func TestGeocodeCSVNeutralisesFormulas(t *testing.T) {
	ds := mustLoad(t, "../testdata/jurisdiction")
	in := "=cmd,adresse\n@evil,Alpha\n-1.5,+33 6\n"
	for _, raw := range []bool{false, true} {
		var out bytes.Buffer
		if _, err := GeocodeCSV(context.Background(), ds, strings.NewReader(in), &out, Options{Columns: []string{"adresse"}, RawCells: raw}, nil); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&out).ReadAll()
		if err != nil || len(recs) != 3 {
			t.Fatalf("output %q: %v", out.String(), err)
		}
		want := [][2]string{{"'=cmd", "adresse"}, {"'@evil", "Alpha"}, {"-1.5", "'+33 6"}}
		if raw {
			want = [][2]string{{"=cmd", "adresse"}, {"@evil", "Alpha"}, {"-1.5", "+33 6"}}
		}
		for i, w := range want {
			if recs[i][0] != w[0] || recs[i][1] != w[1] {
				t.Errorf("raw=%v row %d = %q, want %q", raw, i, recs[i][:2], w)
			}
		}
		for _, r := range recs[1:] {
			for _, c := range r {
				if !raw && c != "" && strings.ContainsRune("=+@\t\r", rune(c[0])) {
					t.Errorf("cell %q came back as a formula", c)
				}
			}
		}
	}
}
