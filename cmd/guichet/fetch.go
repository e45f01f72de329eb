package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"guichet/data/fetch"
	"guichet/data/load"
)

// offlineHelp is printed, to a person, when the official sources cannot
// be reached; offlineHint is the same as one line, for a log record.
const (
	offlineHelp = `guichet could not reach the official open-data sources.

To run without network access, point guichet at a directory that already
holds the open-data files:

    guichet serve --data DIR        (or GUICHET_DATA=DIR guichet serve)

A directory prepared on a connected machine with 'guichet fetch --to DIR'
works, as does any directory of files in the formats listed in README.md.
`
	offlineHint = "to run without network access, start with --data DIR (or GUICHET_DATA=DIR) naming a directory of open-data files, e.g. one prepared on a connected machine with 'guichet fetch --to DIR'"
)

func runFetch(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("fetch", stdout)
	dir := fs.String("to", envOr("GUICHET_DATA", defaultDataDir()), "directory to download into (env GUICHET_DATA)")
	ban := fs.String("ban", "", "comma-separated départements whose BAN address files to fetch, e.g. 38,69")
	list := fs.String("sources", "", "JSON file overriding the list of sources (for mirrors)")
	if err := fs.parse(args); err != nil {
		return err
	}
	sources, err := sourceList(*list, *ban)
	if err != nil {
		return err
	}
	f := newFetcher(*dir)
	f.Progress = stderr
	m, err := fetchSources(ctx, f, sources)
	for _, e := range m.Sources {
		fmt.Fprintf(stdout, "%-24s %-13s %10d bytes %7d rows  %s\n", e.Name, e.Status, e.Size, e.Rows, e.Error)
	}
	if errors.Is(err, fetch.ErrUnreachable) {
		// Each failure is already on stderr, as it happened.
		fmt.Fprint(stderr, "\n"+offlineHelp)
		return reported{err}
	}
	return err
}

// sourceList returns the default sources, or those of an override file,
// plus the BAN files of the given départements.
func sourceList(overrideFile, ban string) ([]fetch.Source, error) {
	sources := fetch.Default
	if overrideFile != "" {
		f, err := os.Open(overrideFile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if sources, err = fetch.LoadList(f); err != nil {
			return nil, fmt.Errorf("%s: %w", overrideFile, err)
		}
	}
	for _, dep := range strings.Split(ban, ",") {
		if dep = strings.TrimSpace(dep); dep == "" {
			continue
		}
		s, err := fetch.BAN(dep)
		if err != nil {
			return nil, err
		}
		sources = append(sources, s)
	}
	return sources, nil
}

func fetchSources(ctx context.Context, f *fetch.Fetcher, sources []fetch.Source) (fetch.Manifest, error) {
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return fetch.Manifest{}, err
	}
	return f.Fetch(ctx, sources)
}

// newFetcher returns the fetcher of the official sources into dir: a
// network failure on the first source stops it at once, other failures
// are retried.
func newFetcher(dir string) *fetch.Fetcher {
	return &fetch.Fetcher{
		Dir: dir,
		Client: &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 30 * time.Second,
		}},
		Verify: func(path string, s fetch.Source) (int, error) {
			return load.VerifyFile(path, s.Format)
		},
		Retries: 3,
		Backoff: time.Second,
	}
}

// defaultDataDir is where guichet keeps the data it downloads itself: the
// user's cache directory, since everything there can be fetched again.
func defaultDataDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "guichet-data")
	}
	return filepath.Join(dir, "guichet")
}
