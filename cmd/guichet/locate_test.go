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

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--lat", "47", "--lon", "-3"}, "/problems/not-found"},
		{[]string{"--lat", "north", "--lon", "5"}, "/problems/invalid-parameter"},
		{[]string{"--lat", "45.05", "--lon", "5.05", "--boundary-m", "-5"}, "boundary_m"},
	} {
		out.Reset()
		errOut.Reset()
		args := append([]string{"locate", "--data", dir}, tc.args...)
		if code := run(context.Background(), args, nil, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("guichet %v = %d, stderr %q; want 1 and %q", args, code, errOut.String(), tc.want)
		}
	}
}
