package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestLocateCommand(t *testing.T) {
	const dir = "../../data/testdata/jurisdiction"
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"locate", "--data", dir, "--lat", "48.85", "--lon", "2.28"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("guichet locate = %d: %s", code, errOut.String())
	}
	var got struct {
		Commune   struct{ Code string }
		Force     string
		Precision string
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if got.Commune.Code != "75101" || got.Force != "police" || got.Precision != "arrondissement-approximate" {
		t.Errorf("guichet locate in Paris = %+v, want 75101 police arrondissement-approximate", got)
	}

	// Errors name the flag, as a command line would, not the HTTP query.
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--lat", "47", "--lon", "-3"}, exitFailure, "guichet locate: data: not found: no commune at lat 47.00000, lon -3.00000"},
		{[]string{"--lat", "north", "--lon", "5"}, exitUsage, `guichet locate: --lat must be a decimal number, got "north"`},
		{[]string{"--lat", "45.05", "--lon", "5.05", "--boundary-m", "-5"}, exitUsage, "guichet locate: --boundary-m "},
		{[]string{"--lat", "45.05"}, exitUsage, "guichet locate: --lon is required"},
	} {
		out.Reset()
		errOut.Reset()
		args := append([]string{"locate", "--data", dir}, tc.args...)
		code := run(context.Background(), args, nil, &out, &errOut)
		if code != tc.code || !strings.HasPrefix(errOut.String(), tc.want) || strings.Contains(errOut.String(), "{") {
			t.Errorf("guichet %v = %d, stderr %q; want %d and %q, without JSON", args, code, errOut.String(), tc.code, tc.want)
		}
	}
}
