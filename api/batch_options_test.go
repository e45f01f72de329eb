package api

import (
	"encoding/csv"
	"strings"
	"testing"
)

// TestGeocodeCSVOptions checks the formulas option and the delimiter
// field: empty sniffs, a tab is a tab.
func TestGeocodeCSVOptions(t *testing.T) {
	h := geocodeServer(t, DefaultConfig()).Handler()
	firstCell := func(t *testing.T, comma rune, fields ...[2]string) string {
		t.Helper()
		rec := do(t, h, upload(t, "=x;adresse\n=1+1;Alpha\n", fields...))
		if rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		cr := csv.NewReader(rec.Body)
		cr.Comma = comma
		recs, err := cr.ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("output %v: %v", recs, err)
		}
		return recs[1][0]
	}
	if got := firstCell(t, ';'); got != "'=1+1" {
		t.Errorf("default: first cell %q, want '=1+1", got)
	}
	if got := firstCell(t, ';', [2]string{"formulas", "raw"}); got != "=1+1" {
		t.Errorf("formulas=raw: first cell %q, want =1+1", got)
	}
	if got := firstCell(t, ';', [2]string{"delimiter", ""}); got != "'=1+1" {
		t.Errorf("delimiter empty: first cell %q, want the sniffed ; to split the row", got)
	}
	rec := do(t, h, upload(t, "adresse\tcp\nAlpha\t38500\n", [2]string{"delimiter", "\t"}, [2]string{"postcode", "cp"}))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Alpha\t38500\t") {
		t.Errorf("delimiter tab: %d %s", rec.Code, rec.Body)
	}
	rec = do(t, h, upload(t, "a\n1\n", [2]string{"formulas", "maybe"}))
	if p := decodeProblem(t, rec); rec.Code != 400 || len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != "formulas" {
		t.Errorf("formulas=maybe: %d %+v, want a 400 naming formulas", rec.Code, p)
	}
}
