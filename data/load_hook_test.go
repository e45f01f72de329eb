package data_test

import (
	"io/fs"

	"guichet/data"
	"guichet/data/load"
)

func init() {
	data.SetTestLoaders(
		func(dir string) (*data.Dataset, error) { return load.Dir(dir, load.Options{}) },
		func(fsys fs.FS) (*data.Dataset, error) { return load.FS(fsys, load.Options{}) },
		load.ErrNoStations)
}
