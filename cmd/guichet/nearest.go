package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"

	"guichet/api"
	"guichet/data"
)

func runNearest(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("nearest", stderr)
	dir := dataFlag(fs)
	lat := fs.String("lat", "", "latitude, WGS84 decimal degrees")
	lon := fs.String("lon", "", "longitude, WGS84 decimal degrees")
	limit := fs.Int("limit", 5, "number of stations")
	force := fs.String("force", "", "gendarmerie or police (default both)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ds, err := loadData(*dir)
	if err != nil {
		return err
	}
	q := url.Values{"lat": {*lat}, "lon": {*lon}, "limit": {strconv.Itoa(*limit)}}
	if *force != "" {
		q.Set("force", *force)
	}
	return queryAPI(ds, "/v1/stations/nearest?"+q.Encode(), stdout)
}

// queryAPI answers one request in process, so that the CLI prints exactly
// what the HTTP API would return, problems included.
func queryAPI(ds *data.Dataset, target string, stdout io.Writer) error {
	rec := httptest.NewRecorder()
	api.New(api.DefaultConfig(), ds, nil).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if rec.Code != http.StatusOK {
		return fmt.Errorf("%s", rec.Body.String())
	}
	_, err := stdout.Write(rec.Body.Bytes())
	return err
}
