package load

import (
	"bufio"
	"errors"
	"guichet/data"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzStationFile feeds arbitrary bytes to Load as one file. Whatever the
// input, loading must not panic, every row must be kept or rejected, and
// every station kept must have a usable location.
func FuzzStationFile(f *testing.F) {
	entries, err := os.ReadDir("../testdata/stations")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("../testdata/stations", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// Real rows, when the national data is at hand: the header and the
	// first lines of each referential file.
	if dir := os.Getenv("GUICHET_OPENDATA"); dir != "" {
		for _, name := range []string{"pwb_ref_unite_gn.csv", "pwb_ref_unite_pn_exp.csv"} {
			if head, err := headLines(filepath.Join(dir, "forces-de-l-ordre", "pel-referentiels", name), 8); err == nil {
				f.Add([]byte(head))
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, err := FS(fstest.MapFS{"input": {Data: b}}, Options{})
		if err != nil && !errors.Is(err, ErrNoStations) {
			t.Fatalf("Load: %v", err)
		}
		for _, fr := range ds.Report().Files {
			rejected := 0
			for _, r := range fr.Rejections {
				if r.Reason != data.ReasonUnreadableFile {
					rejected++
				}
			}
			if fr.Rows != fr.Kept+rejected {
				t.Fatalf("%s: %d rows, %d kept, %d rejected: a row went missing", fr.Format, fr.Rows, fr.Kept, rejected)
			}
		}
		for _, st := range ds.Stations(data.StationFilter{}) {
			lon, lat := st.Location[0], st.Location[1]
			if !data.InFrance(st.Location) || st.Hours == nil || st.ID == "" {
				t.Fatalf("kept a station with id %q at %v,%v, hours %v", st.ID, lon, lat, st.Hours)
			}
		}
	})
}

func headLines(path string, n int) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var sb strings.Builder
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for i := 0; i < n && sc.Scan(); i++ {
		sb.WriteString(sc.Text())
		sb.WriteByte('\n')
	}
	return sb.String(), sc.Err()
}
