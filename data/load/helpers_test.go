package load

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"guichet/data"
	"guichet/data/opendatatest"
)

// copyFixtures copies files of the shared data/testdata into one fresh
// directory, since Dir reads a whole directory.
func copyFixtures(tb testing.TB, files ...string) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("../testdata", f))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

var national struct {
	once sync.Once
	ds   *data.Dataset
	err  error
}

// nationalDataset loads the whole national open-data directory once per
// test binary.
func nationalDataset(tb testing.TB) *data.Dataset {
	tb.Helper()
	dir := opendatatest.Dir(tb)
	national.once.Do(func() { national.ds, national.err = Dir(dir, Options{}) })
	if national.err != nil {
		tb.Fatalf("Dir(%s) = %v", dir, national.err)
	}
	return national.ds
}
