package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"guichet/data"
	"guichet/data/load"
)

func TestOfflineBundle(t *testing.T) {
	s := mustServer(t)
	h := s.Handler()
	ds := s.Dataset()

	plain := get(t, h, "/v1/stations/bundle")
	if plain.Code != 200 || plain.Header().Get("Content-Type") != "application/geo+json" || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("GET bundle = %d %q %q", plain.Code, plain.Header().Get("Content-Type"), plain.Header().Get("Content-Encoding"))
	}
	var fc struct {
		Type           string `json:"type"`
		DatasetVersion string `json:"dataset_version"`
		Features       []struct {
			ID       string `json:"id"`
			Geometry struct {
				Coordinates [2]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(plain.Body.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	all := ds.Stations(data.StationFilter{})
	if fc.Type != "FeatureCollection" || fc.DatasetVersion != ds.Version() || len(fc.Features) != len(all) {
		t.Fatalf("bundle: type %q, version %q, %d features; want a FeatureCollection of version %q with %d", fc.Type, fc.DatasetVersion, len(fc.Features), ds.Version(), len(all))
	}
	for i, f := range fc.Features {
		st := all[i]
		hours, _ := f.Properties["hours"].(map[string]any)
		if f.ID != st.ID || f.Properties["id"] != st.ID || f.Geometry.Coordinates != [2]float64(st.Location) ||
			hours["osm"] != st.Hours.OSM() || hours["timezone"] != st.Locale.Location.String() {
			t.Errorf("feature %d = %+v, want station %s with its osm hours and zone", i, f, st.ID)
		}
		// Nothing that depends on the instant: the file is built once.
		if hours["status"] != nil || hours["today"] != nil || f.Properties["distance_m"] != nil || f.Properties["location"] != nil {
			t.Errorf("feature %s carries per-request fields: %v", f.ID, f.Properties)
		}
	}

	decoders := map[string]func([]byte) ([]byte, error){
		"gzip": func(b []byte) ([]byte, error) {
			r, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			return io.ReadAll(r)
		},
		"zstd": func(b []byte) ([]byte, error) {
			r, err := zstd.NewReader(nil)
			if err != nil {
				return nil, err
			}
			defer r.Close()
			return r.DecodeAll(b, nil)
		},
	}
	etags := map[string]string{"": plain.Header().Get("ETag")}
	for _, tc := range []struct{ accept, coding string }{
		{"gzip", "gzip"},
		{"gzip, deflate, br, zstd", "zstd"},
		{"zstd;q=0.5, gzip", "gzip"},
		{"zstd, gzip;q=0", "zstd"},
		{"*", "zstd"},
		{"gzip;q=0, zstd;q=0", ""},
		{"br", ""},
		{"*, gzip;q=0, zstd;q=0", ""}, // and the compress middleware must not gzip it either
	} {
		rec := get(t, h, "/v1/stations/bundle", "Accept-Encoding", tc.accept)
		if got := rec.Header().Get("Content-Encoding"); rec.Code != 200 || got != tc.coding {
			t.Errorf("Accept-Encoding %q: %d with coding %q, want %q", tc.accept, rec.Code, got, tc.coding)
			continue
		}
		if rec.Header().Get("Content-Length") != itoa(rec.Body.Len()) {
			t.Errorf("Accept-Encoding %q: Content-Length %s for %d bytes", tc.accept, rec.Header().Get("Content-Length"), rec.Body.Len())
		}
		if !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: Vary %q", tc.accept, rec.Header().Get("Vary"))
		}
		etags[tc.coding] = rec.Header().Get("ETag")
		body := rec.Body.Bytes()
		if tc.coding != "" {
			var err error
			if body, err = decoders[tc.coding](body); err != nil {
				t.Fatalf("%s: %v", tc.coding, err)
			}
		}
		if !bytes.Equal(body, plain.Body.Bytes()) {
			t.Errorf("Accept-Encoding %q: the decoded body differs from the plain one", tc.accept)
		}
	}
	// Strong, and one per representation.
	seen := map[string]bool{}
	for coding, etag := range etags {
		if !strings.HasPrefix(etag, `"`) || seen[etag] {
			t.Errorf("ETag of coding %q = %s: want a strong validator of its own", coding, etag)
		}
		seen[etag] = true
		for _, accept := range []string{"", "gzip", "zstd"} {
			rec := get(t, h, "/v1/stations/bundle", "If-None-Match", etag, "Accept-Encoding", accept)
			if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
				t.Errorf("If-None-Match %s, Accept-Encoding %q: %d with %d bytes, want 304", etag, accept, rec.Code, rec.Body.Len())
			}
		}
	}
	if rec := get(t, h, "/v1/stations/bundle", "If-None-Match", `"0123", W/"x"`); rec.Code != 200 {
		t.Errorf("If-None-Match of another bundle: %d, want 200", rec.Code)
	}
	// Built once per dataset, then served as is.
	if first := s.bundleOf(ds); s.bundleOf(ds) != first {
		t.Error("bundle built again for the same dataset")
	}
	other, err := load.Dir("../data/testdata/jurisdiction", load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.SetDataset(other)
	if other.Version() == ds.Version() {
		t.Fatal("two datasets of different files have one version")
	}
	if rec := get(t, h, "/v1/stations/bundle", "If-None-Match", etags["gzip"], "Accept-Encoding", "gzip"); rec.Code != 200 || rec.Header().Get("ETag") == etags["gzip"] {
		t.Errorf("after a reload, the old ETag gives %d with ETag %s, want 200 with a new one", rec.Code, rec.Header().Get("ETag"))
	}
}

func TestCodingQ(t *testing.T) {
	for _, tc := range []struct {
		ae, coding string
		want       float64
	}{
		{"gzip", "gzip", 1},
		{"GZIP;q=0.5", "gzip", 0.5},
		{"gzip; q=0", "gzip", 0},
		{"*;q=0.3", "zstd", 0.3},
		{"zstd;q=0, *", "zstd", 0},
		{"zstd;q=abc", "zstd", 0},
		{"zstd;q=2", "zstd", 0},
		{"", "gzip", 0},
		{"identity", "gzip", 0},
	} {
		if got := codingQ(tc.ae, tc.coding); got != tc.want {
			t.Errorf("codingQ(%q, %q) = %v, want %v", tc.ae, tc.coding, got, tc.want)
		}
	}
}
