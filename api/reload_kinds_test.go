package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"guichet/data"
	"guichet/data/load"
)

// headerOnly keeps the first line of a file, as a truncated download or
// an export of an empty table would.
func headerOnly(b []byte) []byte {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return append(line, '\n')
}

// TestReloadRefusesLostKinds guts or corrupts the files of one kind of
// data at a time and reloads: each reload must be refused naming the
// kind, the data serving must stay, and so must its answers.
func TestReloadRefusesLostKinds(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		spoil func([]byte) []byte
		kind  string
	}{
		{"gendarmerie files cut to their header", []string{"stations/referential-gn.csv", "stations/datagouv-gn-latin1.csv", "jurisdiction/units-gn.csv", "stations/stations.geojson"}, headerOnly, "gendarmerie stations"},
		{"police files cut to their header", []string{"stations/referential-pn.csv", "stations/datagouv-pn-bom.csv", "jurisdiction/units-pn.csv"}, headerOnly, "police stations"},
		{"commune list truncated", []string{"jurisdiction/cog-communes.json"}, func(b []byte) []byte { return b[:len(b)/3] }, "COG commune records"},
		{"commune centres emptied", []string{"jurisdiction/communes-geo.json"}, func([]byte) []byte { return []byte("{}") }, "commune centres"},
		{"every commune source truncated", []string{"jurisdiction/cog-communes.json", "jurisdiction/communes-geo.json", "jurisdiction/communes-38-fixture.geojson", "jurisdiction/contours-communes.geojson.gz"}, func(b []byte) []byte { return b[:len(b)/3] }, "communes"},
		{"boundaries replaced by garbage", []string{"jurisdiction/communes-38-fixture.geojson", "jurisdiction/contours-communes.geojson.gz"}, func([]byte) []byte { return []byte("\x00\x01\x02 not a layer") }, "commune boundaries"},
		{"jurisdiction tables cut to their header", []string{"jurisdiction/competence_securite_publique.csv", "jurisdiction/competence-territoriale.csv"}, headerOnly, "jurisdiction rows"},
		{"addresses cut to their header", []string{"ban/adresses-38-fixture.csv"}, headerOnly, "BAN addresses"},
	}
	good := fixtureFS(t)
	first := loadFS(t, good)
	const probe = "/v1/stations/nearest?lat=45.36&lon=5.59&limit=3&at=2026-12-02T10:00:00Z"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spoilt := fstest.MapFS{}
			for name, f := range good {
				spoilt[name] = f
			}
			for _, name := range tt.files {
				f, ok := good[name]
				if !ok {
					t.Fatalf("no fixture %s", name)
				}
				spoilt[name] = &fstest.MapFile{Data: tt.spoil(f.Data)}
			}
			cfg := DefaultConfig()
			cfg.Loader = func(context.Context) (*data.Dataset, error) { return load.FS(spoilt, load.Options{}) }
			s := New(cfg, first, nil)
			before := get(t, s.Handler(), probe).Body.String()
			err := s.Reload(context.Background())
			if !errors.Is(err, ErrReloadRefused) || !strings.Contains(err.Error(), tt.kind) {
				t.Fatalf("Reload = %v, want a refusal naming %s", err, tt.kind)
			}
			if s.Dataset() != first {
				t.Fatal("a refused reload replaced the dataset")
			}
			if after := get(t, s.Handler(), probe).Body.String(); after != before {
				t.Errorf("answer changed after a refused reload:\n%s\n%s", before, after)
			}
			var ready struct {
				Status string
				Reload reloadJSON
			}
			rec := get(t, s.Handler(), "/readyz")
			if err := json.Unmarshal(rec.Body.Bytes(), &ready); err != nil || ready.Status != "degraded" || !strings.Contains(ready.Reload.Error, tt.kind) {
				t.Errorf("readyz = %s, want degraded naming %s", rec.Body, tt.kind)
			}
		})
	}
}

// TestReloadErrorsNameNoServerPath checks that a failed reload tells what
// went wrong in /readyz, /v1/meta and the admin answer without the
// server's paths, which only the log shows.
func TestReloadErrorsNameNoServerPath(t *testing.T) {
	const dir = "/srv/secret-mount/guichet-data"
	var logs bytes.Buffer
	cfg := DefaultConfig()
	cfg.AdminToken = "s3cret"
	cfg.Loader = func(context.Context) (*data.Dataset, error) { return load.Dir(dir, load.Options{}) }
	s := mustConfiguredServer(t, cfg, &logs)
	req := httptest.NewRequest(http.MethodPost, "/admin/reload", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	admin := do(t, s.Handler(), req)
	if admin.Code != http.StatusUnprocessableEntity {
		t.Fatalf("reload = %d %s, want 422", admin.Code, admin.Body)
	}
	for _, answer := range []string{admin.Body.String(), get(t, s.Handler(), "/readyz").Body.String(), get(t, s.Handler(), "/v1/meta").Body.String()} {
		if strings.Contains(answer, "secret-mount") || !strings.Contains(answer, "no such file or directory") {
			t.Errorf("answer %s names the server path or not the problem", answer)
		}
	}
	if !strings.Contains(logs.String(), dir) {
		t.Errorf("the log lacks the path: %s", logs.String())
	}
}

func TestPublicError(t *testing.T) {
	tests := []struct{ in, want string }{
		{"data: cannot open data directory: stat /srv/x/data: no such file or directory", "data: cannot open data directory: stat (path withheld): no such file or directory"},
		{"fetch https://www.data.gouv.fr/x.csv: 404", "fetch https://www.data.gouv.fr/x.csv: 404"},
		{`open "/var/cache/g/a.csv" failed`, `open "(path withheld)" failed`},
		{"api: reload refused: less than 50% remains", "api: reload refused: less than 50% remains"},
	}
	for _, tt := range tests {
		if got := publicError(errors.New(tt.in)); got != tt.want {
			t.Errorf("publicError(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
