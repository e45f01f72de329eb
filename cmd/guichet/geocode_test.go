package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
		code int
		want string
	}{
		{"no data dir", []string{"geocode", "x.csv"}, exitUsage, "no data directory"},
		{"unknown column", []string{"geocode", "--data", "../../data/testdata/jurisdiction", "--columns", "nope", "-"}, exitFailure, `no column "nope"`},
		{"bad delimiter", []string{"geocode", "--data", "../../data/testdata/jurisdiction", "--delimiter", "::"}, exitUsage, "--delimiter"},
		{"missing file", []string{"geocode", "--data", "../../data/testdata/jurisdiction", "nope.csv"}, exitFailure, "nope.csv: no such file"},
		{"CSV flag with an address", []string{"geocode", "--data", "../../data/testdata/jurisdiction", "--postcode", "cp", "2 rue Danton, Voiron"}, exitUsage, "apply to a CSV file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, strings.NewReader("a,b\n1,2\n"), &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d mentioning %q", code, stderr.String(), tt.code, tt.want)
			}
		})
	}
}

// TestGeocodeOneAddress: an argument that is no file is an address, and
// its matches are printed for a person, or as GeoCodeJSON with --json.
func TestGeocodeOneAddress(t *testing.T) {
	const dir = "../../data/testdata/jurisdiction"
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"geocode", "--data", dir, "--limit", "1", "Alpha 38500"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if got := stdout.String(); !strings.HasPrefix(got, "1. Alpha") || !strings.Contains(got, "gendarmerie") || strings.Contains(got, "2. ") {
		t.Errorf("output %q, want one match for Alpha with its force", got)
	}

	stdout.Reset()
	if code := run(context.Background(), []string{"geocode", "--data", dir, "--json", "Alpha"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("--json: exit %d: %s", code, stderr.String())
	}
	var answer struct {
		Type     string
		Features []struct{ Properties struct{ Citycode string } }
	}
	if err := json.Unmarshal(stdout.Bytes(), &answer); err != nil || answer.Type != "FeatureCollection" || len(answer.Features) == 0 || answer.Features[0].Properties.Citycode != "38001" {
		t.Errorf("--json output %q (%v), want a FeatureCollection whose first match is 38001", stdout.String(), err)
	}
}

// TestProgressLine: the share done and the time left follow the rows
// processed, not the bytes the CSV reader has read ahead.
func TestProgressLine(t *testing.T) {
	got := progressLine(256, 5000, 4_000_000, 4_000_000, 2*time.Second)
	want := "256 of 5000 rows (5%), 204.8 kB of 4.0 MB, 128 rows/s, 37s left"
	if got != want {
		t.Errorf("progressLine = %q, want %q", got, want)
	}
	if got, want := progressLine(100, -1, 2500, -1, time.Second), "100 rows, 2.5 kB read, 100 rows/s"; got != want {
		t.Errorf("progressLine from stdin = %q, want %q", got, want)
	}
}

func TestCountRows(t *testing.T) {
	for _, tt := range []struct {
		text string
		want int
	}{{"h\na\nb\n", 2}, {"h\na\nb", 2}, {"h\n", 0}, {"", 0}} {
		path := filepath.Join(t.TempDir(), "in.csv")
		if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := countRows(f); got != tt.want {
			t.Errorf("countRows(%q) = %d, want %d", tt.text, got, tt.want)
		}
		if rest, _ := io.ReadAll(f); string(rest) != tt.text {
			t.Errorf("countRows(%q) did not rewind: %q left", tt.text, rest)
		}
		f.Close()
	}
}
