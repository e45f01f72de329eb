package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGeocodeCommand(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(in, []byte("nom;ville;cp\nA;Alpha;38500\nB;;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"geocode", "--data", "../../data/testdata/jurisdiction", "--columns", "ville", "--postcode", "cp", in}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	cr := csv.NewReader(&stdout)
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("output %v, %v", recs, err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	if recs[1][col["result_citycode"]] != "38001" || recs[1][col["result_status"]] != "ok" || recs[2][col["result_status"]] != "skipped" {
		t.Errorf("rows %v", recs[1:])
	}
	if !strings.Contains(stderr.String(), "2 rows: 1 ok") {
		t.Errorf("summary %q", stderr.String())
	}
	// Progress is drawn only on a terminal: a buffer gets no carriage return.
	if strings.Contains(stderr.String(), "\r") {
		t.Errorf("progress drawn on a non-terminal: %q", stderr.String())
	}
}

func TestGeocodeCommandErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no data dir", []string{"geocode", "x.csv"}, "no data directory"},
		{"unknown column", []string{"geocode", "--data", "../../data/testdata/jurisdiction", "--columns", "nope", "-"}, `no column "nope"`},
		{"bad delimiter", []string{"geocode", "--data", "../../data/testdata/jurisdiction", "--delimiter", "::"}, "--delimiter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, strings.NewReader("a,b\n1,2\n"), &stdout, &stderr)
			if code != 1 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 mentioning %q", code, stderr.String(), tt.want)
			}
		})
	}
}
