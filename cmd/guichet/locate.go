package main

import (
	"context"
	"io"
	"net/url"
)

func runLocate(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	fs := newFlags("locate", stdout)
	dir := dataFlag(fs)
	lat := fs.String("lat", "", "latitude, WGS84 decimal degrees")
	lon := fs.String("lon", "", "longitude, WGS84 decimal degrees")
	margin := fs.String("boundary-m", "", "distance to a commune boundary, in metres, within which neighbours are named (default 50)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := requireFlags(map[string]string{"lat": *lat, "lon": *lon}); err != nil {
		return err
	}
	ds, err := loadData(*dir)
	if err != nil {
		return err
	}
	q := url.Values{"lat": {*lat}, "lon": {*lon}}
	if *margin != "" {
		q.Set("boundary_m", *margin)
	}
	return queryAPI(ds, "/v1/jurisdiction?"+q.Encode(), stdout)
}
