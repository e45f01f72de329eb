package api

import (
	"sync"
	"testing"

	"guichet/data"
	"guichet/data/load"
	"guichet/data/opendatatest"
)

// The national dataset, loaded once for every test of the package that
// needs it: a load takes a minute under the race detector.
var national struct {
	once sync.Once
	ds   *data.Dataset
	err  error
}

// nationalDataset returns the national open data, loaded once; the test
// is skipped without it, and fails under CI (see opendatatest).
func nationalDataset(tb testing.TB) *data.Dataset {
	tb.Helper()
	dir := opendatatest.Dir(tb)
	national.once.Do(func() { national.ds, national.err = load.Dir(dir, load.Options{}) })
	if national.err != nil {
		tb.Fatal(national.err)
	}
	return national.ds
}
