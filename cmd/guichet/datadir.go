package main

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"guichet/data"
	"guichet/data/load"
)

// dataCommand is the flag set of a command that reads a data directory,
// with the flags they all share and the one way they load it.
type dataCommand struct {
	*flags
	dir         string
	noSnapshot  bool
	snapshotDir string
	stderr      io.Writer
}

func newDataCommand(name string, stdout, stderr io.Writer) *dataCommand {
	c := &dataCommand{flags: newFlags(name, stdout), stderr: stderr}
	c.StringVar(&c.dir, "data", envOr("GUICHET_DATA", ""), "directory of open-data files (env GUICHET_DATA)")
	defineSnapshotFlags(c.FlagSet, &c.noSnapshot, &c.snapshotDir)
	return c
}

// defineSnapshotFlags defines the snapshot flags of the data commands.
// serve defines the same as settings (config.go).
func defineSnapshotFlags(fs interface {
	BoolVar(*bool, string, bool, string)
	StringVar(*string, string, string, string)
}, disabled *bool, dir *string) {
	fs.BoolVar(disabled, "no-snapshot", false, noSnapshotUsage+" (env GUICHET_NO_SNAPSHOT=1)")
	fs.StringVar(dir, "snapshot-dir", "", snapshotDirUsage+" (env GUICHET_SNAPSHOT_DIR)")
}

const (
	noSnapshotUsage  = "always parse the data files: neither read nor write the compiled snapshot"
	snapshotDirUsage = "directory for the compiled snapshot of the data; by default it is kept beside the data, or in the user cache directory when the data directory is read-only"
)

// snapshotOptions applies the environment to the snapshot flags: a flag
// set on the command line wins.
func snapshotOptions(disabled bool, dir string) load.SnapshotOptions {
	if !disabled {
		disabled, _ = strconv.ParseBool(os.Getenv("GUICHET_NO_SNAPSHOT"))
	}
	if dir == "" {
		dir = os.Getenv("GUICHET_SNAPSHOT_DIR")
	}
	return load.SnapshotOptions{Disabled: disabled, Dir: dir}
}

// requireDir fails when no data directory was named, before a command
// does any other work.
func (c *dataCommand) requireDir() error { return requireDataDir(c.dir) }

// load loads the data directory, through its snapshot unless disabled.
// Like load.Dir it returns the dataset with load.ErrNoStations, so
// that its report can be printed. A snapshot that could not be used or
// written is told on stderr; the answer is the same either way.
func (c *dataCommand) load() (*data.Dataset, error) {
	if err := c.requireDir(); err != nil {
		return nil, err
	}
	ds, st, err := load.DirSnapshot(c.dir, load.Options{}, snapshotOptions(c.noSnapshot, c.snapshotDir))
	for _, r := range st.Refused {
		fmt.Fprintf(c.stderr, "guichet %s: snapshot not used, the data files were loaded instead: %s\n", c.name, r)
	}
	if st.NotWritten != "" {
		fmt.Fprintf(c.stderr, "guichet %s: snapshot not written: %s\n", c.name, st.NotWritten)
	}
	return ds, err
}

// requireDataDir fails when no data directory was named.
func requireDataDir(dir string) error {
	if dir == "" {
		return usagef("no data directory: pass --data DIR or set GUICHET_DATA")
	}
	return nil
}
