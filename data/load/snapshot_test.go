package load_test

import (
	"bytes"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"guichet/api"
	"guichet/data"
	"guichet/data/load"
	"guichet/data/opendatatest"
	"guichet/data/snapshot"
)

var ageField = regexp.MustCompile(`"age_s":[0-9]+,?`)

var loadTime = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

var fixedNow = load.Options{Now: func() time.Time { return loadTime }}

// copyDir copies the fixture directory src into a new temporary directory,
// with modification times an hour old: files written just now are too
// recent for a snapshot to trust (snapshot.RacyWindow).
func copyDir(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	old := time.Now().Add(-time.Hour)
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, b, 0o644); err != nil {
			return err
		}
		return os.Chtimes(target, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// loadSnap loads dir through a snapshot kept in snapDir.
func loadSnap(t testing.TB, dir, snapDir string) (*data.Dataset, load.SnapshotStatus) {
	t.Helper()
	ds, st, err := load.DirSnapshot(dir, fixedNow, load.SnapshotOptions{Dir: snapDir})
	if err != nil {
		t.Fatalf("DirSnapshot(%s): %v", dir, err)
	}
	return ds, st
}

func loadFresh(t testing.TB, dir string) *data.Dataset {
	t.Helper()
	ds, err := load.Dir(dir, fixedNow)
	if err != nil {
		t.Fatalf("load.Dir(%s): %v", dir, err)
	}
	return ds
}

// testSeed is the seed of the random queries: GUICHET_TEST_SEED, else the
// clock; it is logged so that a failure can be replayed.
func testSeed(t testing.TB) int64 {
	seed := time.Now().UnixNano()
	if s := os.Getenv("GUICHET_TEST_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("GUICHET_TEST_SEED: %v", err)
		}
	}
	t.Logf("random queries with GUICHET_TEST_SEED=%d", seed)
	return seed
}

// sameDataset checks that got answers as want does: version, report,
// metadata, and the HTTP API's answers, byte for byte, to n random
// queries of every kind around the stations of want.
func sameDataset(t *testing.T, want, got *data.Dataset, n int) {
	t.Helper()
	if want.Version() != got.Version() {
		t.Errorf("version %s, want %s", got.Version(), want.Version())
	}
	if !reflect.DeepEqual(want.Report(), got.Report()) {
		t.Errorf("reports differ:\n got %+v\nwant %+v", got.Report(), want.Report())
	}
	if want.Len() != got.Len() || want.CommuneCount() != got.CommuneCount() || want.BoundaryCount() != got.BoundaryCount() {
		t.Errorf("sizes differ: %d stations, %d communes, %d boundaries; want %d, %d, %d",
			got.Len(), got.CommuneCount(), got.BoundaryCount(), want.Len(), want.CommuneCount(), want.BoundaryCount())
	}
	rng := rand.New(rand.NewSource(testSeed(t)))
	stations := want.Stations(data.StationFilter{})
	if len(stations) == 0 {
		t.Fatal("no station to query around")
	}
	cfg := api.DefaultConfig()
	hw, hg := api.New(cfg, want, nil).Handler(), api.New(cfg, got, nil).Handler()
	get := func(h http.Handler, target string) string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		// The age of the data grows as the test runs.
		return fmt.Sprintf("%d %s", rec.Code, ageField.ReplaceAllString(rec.Body.String(), ""))
	}
	targets := []string{"/v1/meta", "/v1/stations", "/v1/communes?postcode=38000", "/v1/geocode?q=MOUTIERS+TARENTAISE", "/v1/geocode?q=LES+FRASSES"}
	at := "2026-12-02T10:30:00%2B01:00"
	for range n {
		s := stations[rng.Intn(len(stations))]
		lat := s.Location[1] + (rng.Float64()-0.5)*0.2
		lon := s.Location[0] + (rng.Float64()-0.5)*0.2
		pt := "lat=" + strconv.FormatFloat(lat, 'f', 5, 64) + "&lon=" + strconv.FormatFloat(lon, 'f', 5, 64)
		words := strings.Fields(s.Address.City + " " + s.Address.Street)
		q := url.QueryEscape(strings.Join(words[:min(len(words), 1+rng.Intn(4))], " "))
		targets = append(targets,
			"/v1/stations/nearest?"+pt+"&limit="+strconv.Itoa(1+rng.Intn(10)),
			"/v1/stations/nearest?"+pt+"&force=police&open="+at,
			"/v1/stations/nearest?"+pt+"&competent=true",
			"/v1/jurisdiction?"+pt,
			"/v1/reverse?"+pt,
			"/v1/geocode?q="+q,
			"/v1/stations/"+url.PathEscape(s.ID),
		)
	}
	for _, target := range targets {
		if w, g := get(hw, target), get(hg, target); w != g {
			t.Errorf("GET %s:\n got %s\nwant %s", target, g, w)
		}
	}
}

// fixtures are the data directories of the tests that a snapshot must
// reproduce exactly.
var fixtures = []string{"jurisdiction", "police-territory", "stations", "servicepublic", "ban", "ban-gz", "postal"}

// TestSnapshotRoundTrip: a dataset read back from its snapshot answers
// every query as the load of the files does, with the same report and
// version.
func TestSnapshotRoundTrip(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			dir := copyDir(t, filepath.Join("../testdata", name))
			snapDir := t.TempDir()
			fresh, err := load.Dir(dir, fixedNow)
			if err != nil {
				t.Skipf("%s loads no station: %v", name, err)
			}
			first, st := loadSnap(t, dir, snapDir)
			if st.Used != "" || st.Written == "" {
				t.Fatalf("first load: %+v, want a snapshot written and none used", st)
			}
			second, st := loadSnap(t, dir, snapDir)
			if st.Used == "" || len(st.Refused) > 0 {
				t.Fatalf("second load: %+v, want the snapshot used", st)
			}
			sameDataset(t, fresh, first, 20)
			sameDataset(t, fresh, second, 50)
		})
	}
}

// TestSnapshotNational: the same on the national open data, whose
// directory may be read-only: the snapshot goes to a directory of the test.
func TestSnapshotNational(t *testing.T) {
	dir := opendatatest.Dir(t)
	snapDir := t.TempDir()
	fresh := loadFresh(t, dir)
	_, st := loadSnap(t, dir, snapDir)
	if st.Written == "" {
		t.Fatalf("no snapshot written: %+v", st)
	}
	start := time.Now()
	warm, st := loadSnap(t, dir, snapDir)
	t.Logf("national data read from its snapshot in %v", time.Since(start))
	if st.Used == "" {
		t.Fatalf("snapshot not used: %+v", st)
	}
	sameDataset(t, fresh, warm, 300)
}

// TestSnapshotInvalidation: any change to the source files, even one that
// keeps a file's size and modification time, makes the next load read the
// files, say why, and write a new snapshot that reflects the change.
func TestSnapshotInvalidation(t *testing.T) {
	const file = "competence_securite_publique.csv"
	cases := []struct {
		name   string
		change func(t *testing.T, dir string)
		reason string
	}{
		{"modified", func(t *testing.T, dir string) {
			appendLine(t, filepath.Join(dir, file), "\n")
		}, file + " changed size"},
		{"same size, new time", func(t *testing.T, dir string) {
			p := filepath.Join(dir, file)
			rewrite(t, p, func(b []byte) []byte {
				return bytes.Replace(b, []byte("\"38001\",\"3002739\""), []byte("\"38001\",\"3002741\""), 1)
			})
		}, file + " was modified"},
		{"same size and time", func(t *testing.T, dir string) {
			p := filepath.Join(dir, file)
			st, _ := os.Stat(p)
			rewrite(t, p, func(b []byte) []byte {
				return bytes.Replace(b, []byte("\"38001\",\"3002739\""), []byte("\"38001\",\"3002741\""), 1)
			})
			os.Chtimes(p, st.ModTime(), st.ModTime())
		}, file + " changed content"},
		{"added", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "sub", "more.csv")
			os.MkdirAll(filepath.Dir(p), 0o755)
			appendLine(t, p, "not,a,known,format\n")
		}, "sub/more.csv was added"},
		{"removed", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "units-pn.csv")); err != nil {
				t.Fatal(err)
			}
		}, "units-pn.csv was removed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, "../testdata/jurisdiction")
			snapDir := t.TempDir()
			before, st := loadSnap(t, dir, snapDir)
			if st.Written == "" {
				t.Fatalf("no snapshot written: %+v", st)
			}
			tc.change(t, dir)
			backdate(t, dir, tc.name == "same size and time")
			after, st := loadSnap(t, dir, snapDir)
			if st.Used != "" || len(st.Refused) != 1 || !strings.Contains(st.Refused[0], "stale: "+tc.reason) {
				t.Fatalf("after the change: %+v, want the snapshot refused because %s", st, tc.reason)
			}
			if st.Written == "" {
				t.Errorf("no new snapshot written: %+v", st)
			}
			if after.Version() == before.Version() {
				t.Errorf("version %s unchanged", after.Version())
			}
			sameDataset(t, loadFresh(t, dir), after, 10)
			again, st := loadSnap(t, dir, snapDir)
			if st.Used == "" {
				t.Errorf("the new snapshot is not used: %+v", st)
			}
			sameDataset(t, loadFresh(t, dir), again, 10)
		})
	}
}

// TestSnapshotIgnoresHiddenFiles: the snapshot itself, and other hidden
// files the loader skips, are not sources.
func TestSnapshotIgnoresHiddenFiles(t *testing.T) {
	dir := copyDir(t, "../testdata/jurisdiction")
	_, st, err := load.DirSnapshot(dir, fixedNow, load.SnapshotOptions{})
	if err != nil || st.Written != filepath.Join(dir, snapshot.FileName) {
		t.Fatalf("snapshot written to %q (%v), want beside the data", st.Written, err)
	}
	appendLine(t, filepath.Join(dir, ".notes"), "hidden\n")
	if _, st, _ := load.DirSnapshot(dir, fixedNow, load.SnapshotOptions{}); st.Used == "" {
		t.Errorf("snapshot not used after a hidden file was added: %+v", st)
	}
}

func appendLine(t *testing.T, p, s string) {
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(s)
	f.Close()
}

func rewrite(t *testing.T, p string, fn func([]byte) []byte) {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	nb := fn(b)
	if bytes.Equal(b, nb) || len(b) != len(nb) {
		t.Fatal("rewrite must change the content and keep the size")
	}
	if err := os.WriteFile(p, nb, 0o644); err != nil {
		t.Fatal(err)
	}
}

// backdate moves the files modified just now out of the racy window, to
// a time of their own so that the change of time is seen; keep leaves
// restored times alone.
func backdate(t *testing.T, dir string, keep bool) {
	if keep {
		return
	}
	when := time.Now().Add(-30 * time.Minute)
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) < time.Minute {
				os.Chtimes(p, when, when)
			}
		}
		return nil
	})
}

// TestSnapshotDamaged: a snapshot that is corrupt, truncated, of another
// format version or not a snapshot at all is refused with its reason, the
// files are loaded instead, and a good snapshot replaces it.
func TestSnapshotDamaged(t *testing.T) {
	dir := copyDir(t, "../testdata/jurisdiction")
	snapDir := t.TempDir()
	fresh := loadFresh(t, dir)
	_, st := loadSnap(t, dir, snapDir)
	good, err := os.ReadFile(st.Written)
	if err != nil {
		t.Fatal(err)
	}
	path := st.Written
	flip := func(at int) []byte {
		b := bytes.Clone(good)
		b[at] ^= 0x40
		return b
	}
	cases := []struct {
		name, reason string
		content      []byte
	}{
		{"payload byte flipped", "checksum mismatch", flip(len(good) - 100)},
		{"manifest byte flipped", "stale", flip(bytes.Index(good, []byte("cog-communes.json")) + 1)},
		{"truncated", "truncated", good[:len(good)/2]},
		{"truncated in the header", "corrupt", good[:20]},
		{"empty", "not a snapshot file", nil},
		{"another version", "another format version", bytes.Replace(good, append([]byte("GUICHET-SNAPSHOT\n"), snapshot.FormatVersion), []byte("GUICHET-SNAPSHOT\n\x63"), 1)},
		{"another build", "another build", bytes.Replace(good, []byte(snapshot.Identity()), []byte(strings.Repeat("x", len(snapshot.Identity()))), 1)},
		{"trailing bytes", "after the payload", append(bytes.Clone(good), 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, tc.content, 0o644); err != nil {
				t.Fatal(err)
			}
			ds, st := loadSnap(t, dir, snapDir)
			if st.Used != "" || len(st.Refused) != 1 || !strings.Contains(st.Refused[0], tc.reason) {
				t.Fatalf("%+v, want the snapshot refused for %q", st, tc.reason)
			}
			if st.Written != path {
				t.Errorf("written to %q, want %q replaced", st.Written, path)
			}
			sameDataset(t, fresh, ds, 5)
			if _, st := loadSnap(t, dir, snapDir); st.Used != path {
				t.Errorf("the replacement is not used: %+v", st)
			}
		})
	}
}

// TestSnapshotRacy: files modified within the racy window are loaded, but
// no snapshot is written from them.
func TestSnapshotRacy(t *testing.T) {
	dir := copyDir(t, "../testdata/jurisdiction")
	now := time.Now()
	os.Chtimes(filepath.Join(dir, "units-gn.csv"), now, now)
	_, st := loadSnap(t, dir, t.TempDir())
	if st.Written != "" || !strings.Contains(st.Postponed, "units-gn.csv was modified too recently") {
		t.Fatalf("%+v, want no snapshot written for a file modified just now", st)
	}
}

// TestSnapshotDisabled writes and reads nothing.
func TestSnapshotDisabled(t *testing.T) {
	dir := copyDir(t, "../testdata/jurisdiction")
	snapDir := t.TempDir()
	for range 2 {
		_, st, err := load.DirSnapshot(dir, fixedNow, load.SnapshotOptions{Disabled: true, Dir: snapDir})
		if err != nil || !reflect.DeepEqual(st, load.SnapshotStatus{}) {
			t.Fatalf("%+v %v, want no snapshot activity", st, err)
		}
	}
	if entries, _ := os.ReadDir(snapDir); len(entries) > 0 {
		t.Errorf("files written: %v", entries)
	}
}

// TestSnapshotReadOnlyData: a data directory without write permission is
// left alone; the snapshot goes to the user cache directory, and a
// snapshot already beside the data is still read.
func TestSnapshotReadOnlyData(t *testing.T) {
	dir := copyDir(t, "../testdata/jurisdiction")
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	_, st := loadSnap(t, dir, "")
	if !strings.HasPrefix(st.Written, cache) {
		t.Fatalf("snapshot written to %q, want under the cache %s", st.Written, cache)
	}
	if _, err := os.Stat(filepath.Join(dir, snapshot.FileName)); err == nil {
		t.Error("snapshot written into the read-only data directory")
	}
	if _, st := loadSnap(t, dir, ""); st.Used == "" {
		t.Errorf("cached snapshot not used: %+v", st)
	}
}

// TestSnapshotConcurrentWriters: processes loading the same directory at
// once each write a whole snapshot, and the one left is valid.
func TestSnapshotConcurrentWriters(t *testing.T) {
	dir := copyDir(t, "../testdata/jurisdiction")
	snapDir := t.TempDir()
	fresh := loadFresh(t, dir)
	var wg sync.WaitGroup
	results := make([]*data.Dataset, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ds, _, err := load.DirSnapshot(dir, fixedNow, load.SnapshotOptions{Dir: snapDir})
			if err != nil {
				t.Error(err)
			}
			results[i] = ds
		}()
	}
	wg.Wait()
	for _, ds := range results {
		if ds != nil && ds.Version() != fresh.Version() {
			t.Errorf("version %s, want %s", ds.Version(), fresh.Version())
		}
	}
	entries, _ := os.ReadDir(snapDir)
	if len(entries) != 1 {
		t.Errorf("snapshot directory holds %d files, want 1 (no temporary file left)", len(entries))
	}
	ds, st := loadSnap(t, dir, snapDir)
	if st.Used == "" {
		t.Fatalf("snapshot not used after concurrent writes: %+v", st)
	}
	sameDataset(t, fresh, ds, 10)
}
