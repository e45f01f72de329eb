package main

import (
	"context"
	"errors"
	"io"
	"net/url"

	"guichet/data"
)

func runLocate(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("locate", stderr)
	dir := fs.String("data", envOr("GUICHET_DATA", ""), "directory of open-data files (env GUICHET_DATA)")
	lat := fs.String("lat", "", "latitude, WGS84 decimal degrees")
	lon := fs.String("lon", "", "longitude, WGS84 decimal degrees")
	margin := fs.String("boundary-m", "", "distance to a commune boundary, in metres, within which neighbours are named (default 50)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("no data directory: pass --data DIR or set GUICHET_DATA")
	}
	ds, err := data.LoadDir(*dir, data.Options{})
	if err != nil {
		return err
	}
	q := url.Values{"lat": {*lat}, "lon": {*lon}}
	if *margin != "" {
		q.Set("boundary_m", *margin)
	}
	return queryAPI(ds, "/v1/jurisdiction?"+q.Encode(), stdout)
}
