package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"

	"guichet/api"
	"guichet/data"
)

func runNearest(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newDataCommand("nearest", stdout, stderr)
	lat := fs.String("lat", "", "latitude, WGS84 decimal degrees")
	lon := fs.String("lon", "", "longitude, WGS84 decimal degrees")
	limit := fs.Int("limit", 5, "number of stations, 1 to 100")
	force := fs.String("force", "", "gendarmerie or police (default both)")
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
	q := url.Values{"lat": {*lat}, "lon": {*lon}, "limit": {strconv.Itoa(*limit)}}
	if *force != "" {
		q.Set("force", *force)
	}
	return queryAPI(ds, "/v1/stations/nearest?"+q.Encode(), stdout)
}

// requireFlags fails, naming the first flag in alphabetical order, when a
// required flag is empty: before any data is loaded.
func requireFlags(values map[string]string) error {
	for _, name := range sortedKeys(values) {
		if values[name] == "" {
			return usagef("--%s is required", name)
		}
	}
	return nil
}

// queryAPI answers one request in process, so that the CLI prints exactly
// what the HTTP API would return. A problem is turned back into the
// command's terms: a faulty query parameter is named as its flag.
func queryAPI(ds *data.Dataset, target string, stdout io.Writer) error {
	rec := httptest.NewRecorder()
	api.New(api.DefaultConfig(), ds, nil).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if rec.Code != http.StatusOK {
		return problemError(rec.Body.Bytes())
	}
	_, err := stdout.Write(rec.Body.Bytes())
	return err
}

// problemError turns an API problem into the error a command prints:
// "--lon is required" rather than the problem's JSON.
func problemError(body []byte) error {
	var p struct {
		Detail        string `json:"detail"`
		InvalidParams []struct {
			Name   string `json:"name"`
			Reason string `json:"reason"`
		} `json:"invalid_params"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return errors.New(strings.TrimSpace(string(body)))
	}
	if len(p.InvalidParams) == 0 {
		return errors.New(p.Detail)
	}
	var msgs []string
	for _, ip := range p.InvalidParams {
		msgs = append(msgs, fmt.Sprintf("--%s %s", strings.ReplaceAll(ip.Name, "_", "-"), ip.Reason))
	}
	return usagef("%s", strings.Join(msgs, "; "))
}
