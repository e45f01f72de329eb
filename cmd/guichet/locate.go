package main

import (
	"context"
	"io"
	"net/url"
)

func runLocate(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newDataCommand("locate", stdout, stderr)
	lat := fs.String("lat", "", "latitude, WGS84 decimal degrees")
	lon := fs.String("lon", "", "longitude, WGS84 decimal degrees")
	margin := fs.String("boundary-m", "", "distance to a commune boundary, in metres, within which neighbours are named (default 50)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := requireFlags(map[string]string{"lat": *lat, "lon": *lon}); err != nil {
		return err
	}
	ds, err := fs.load()
	if err != nil {
		return err
	}
	q := url.Values{"lat": {*lat}, "lon": {*lon}}
	if *margin != "" {
		q.Set("boundary_m", *margin)
	}
	return queryAPI(ds, "/v1/jurisdiction?"+q.Encode(), stdout)
}
