package main

import (
	"guichet/data"
	"guichet/data/load"
)

// dataFlag defines the --data flag of the commands that read a data
// directory.
func dataFlag(fs *flags) *string {
	return fs.String("data", envOr("GUICHET_DATA", ""), "directory of open-data files (env GUICHET_DATA)")
}

// loadData loads the directory named by --data. Like load.Dir it
// returns the dataset with load.ErrNoStations, so that its report can be
// printed.
func loadData(dir string) (*data.Dataset, error) {
	if err := requireDataDir(dir); err != nil {
		return nil, err
	}
	return load.Dir(dir, load.Options{})
}

// requireDataDir fails when no data directory was named, before a command
// does any other work.
func requireDataDir(dir string) error {
	if dir == "" {
		return usagef("no data directory: pass --data DIR or set GUICHET_DATA")
	}
	return nil
}
