package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"guichet/data/load"
	"guichet/data/opendatatest"
)

// geocodeServer serves the commune fixtures of data/testdata/jurisdiction.
func geocodeServer(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	ds, err := load.Dir("../data/testdata/jurisdiction", load.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return New(cfg, ds, nil)
}

// upload builds a multipart batch request: the file under "data", then
// the fields in order.
func upload(tb testing.TB, file string, fields ...[2]string) *http.Request {
	tb.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("data", "in.csv")
	fw.Write([]byte(file))
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, batchCSVRoute, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

func TestGeocodeGET(t *testing.T) {
	s := geocodeServer(t, DefaultConfig())
	rec := do(t, s.Handler(), httptest.NewRequest(http.MethodGet, "/v1/geocode?q=alph&type=municipality&autocomplete=1", nil))
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var got geocodeCollectionJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Type != "FeatureCollection" || got.Version != "draft" || got.Licence != "ETALAB-2.0" || got.Query != "alph" || got.Filters["type"] != "municipality" || got.Limit != 5 {
		t.Errorf("collection envelope %+v", got)
	}
	if len(got.Features) == 0 {
		t.Fatalf("no feature for alph: %s", rec.Body)
	}
	f := got.Features[0]
	if p := f.Properties; p.Citycode != "38001" || p.Type != "municipality" || p.Name != "Alpha" || p.Force == "" || p.Competent == nil {
		t.Errorf("first feature %+v", p)
	}
	if f.Geometry.Type != "Point" || f.Geometry.Coordinates != [2]float64{5.05, 45.05} {
		t.Errorf("geometry %+v, want Point [5.05, 45.05] (lon, lat)", f.Geometry)
	}
	rec = do(t, s.Handler(), httptest.NewRequest(http.MethodGet, "/v1/reverse?lat=45.05&lon=5.05", nil))
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
		t.Fatalf("reverse: %d %s", rec.Code, rec.Body)
	}
	if len(got.Features) != 1 || got.Features[0].Properties.Distance == nil {
		t.Errorf("reverse: %s, want one feature with a distance", rec.Body)
	}
}

func TestGeocodeBadRequests(t *testing.T) {
	s := geocodeServer(t, DefaultConfig())
	tests := []struct{ target, param string }{
		{"/v1/geocode", "q"},
		{"/v1/geocode?q=ab", "q"},
		{"/v1/geocode?q=a&postcode=3850", "postcode"},
		{"/v1/geocode?q=" + strings.Repeat("a", 201), "q"},
		{"/v1/geocode?q=%21%21%21", "q"},
		{"/v1/geocode?q=alpha&type=locality", "type"},
		{"/v1/geocode?q=alpha&limit=51", "limit"},
		{"/v1/geocode?q=alpha&limit=x", "limit"},
		{"/v1/geocode?q=alpha&citycode=ABCDE", "citycode"},
		{"/v1/geocode?q=alpha&lat=45", "lon"},
		{"/v1/geocode?q=alpha&lat=95&lon=5", "lat"},
		{"/v1/geocode?q=alpha&autocomplete=maybe", "autocomplete"},
		{"/v1/geocode?q=alpha&q=beta", "q"},
		{"/v1/reverse?lon=5", "lat"},
		{"/v1/reverse?lat=45&lon=5&limit=0", "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := do(t, s.Handler(), httptest.NewRequest(http.MethodGet, tt.target, nil))
			if rec.Code != 400 || !strings.HasPrefix(rec.Header().Get("Content-Type"), problemContentType) {
				t.Fatalf("status %d %s, want 400 problem: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			if p := decodeProblem(t, rec); len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != tt.param {
				t.Errorf("invalid_params %+v, want %s", p.InvalidParams, tt.param)
			}
		})
	}
	// A single character is enough once a filter narrows the search.
	if rec := do(t, s.Handler(), httptest.NewRequest(http.MethodGet, "/v1/geocode?q=a&postcode=38500", nil)); rec.Code != 200 {
		t.Errorf("q=a&postcode=38500: status %d, want 200", rec.Code)
	}
}

func TestGeocodeCSVUpload(t *testing.T) {
	s := geocodeServer(t, DefaultConfig())
	rec := do(t, s.Handler(), upload(t, "id;adresse;cp\n1;Alpha;38500\n2;;\n3;x;y;z\n4;Gamma;\n", [2]string{"columns", "adresse"}, [2]string{"postcode", "cp"}))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	cr := csv.NewReader(rec.Body)
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	if err != nil || len(recs) != 5 {
		t.Fatalf("output %v, %v; want header and 4 rows", recs, err)
	}
	status := slices.Index(recs[0], "result_status")
	if status < 0 {
		t.Fatalf("header %v", recs[0])
	}
	want := []string{"ok", "skipped", "error", "ok"}
	for i, w := range want {
		if recs[i+1][0] != string(rune('1'+i)) || recs[i+1][status] != w {
			t.Errorf("row %d = %v, want id %d status %s", i+1, recs[i+1], i+1, w)
		}
	}
}

func TestGeocodeCSVOfficialExampleOverHTTP(t *testing.T) {
	dir := opendatatest.Dir(t)
	file, err := os.ReadFile(filepath.Join(dir, "adresses", "exemple-geocodage-search.csv"))
	if err != nil {
		t.Fatal(err)
	}
	s := New(DefaultConfig(), nationalDataset(t), nil)
	// Exactly as the documentation's curl does: the file, then columns.
	rec := do(t, s.Handler(), upload(t, string(file), [2]string{"columns", "adresse"}, [2]string{"columns", "postcode"}, [2]string{"columns", "city"}))
	recs, err := csv.NewReader(rec.Body).ReadAll()
	if rec.Code != 200 || err != nil || len(recs) != 5 {
		t.Fatalf("status %d, %v: %v", rec.Code, err, recs)
	}
	citycode, status := slices.Index(recs[0], "result_citycode"), slices.Index(recs[0], "result_status")
	for _, r := range recs[1:] {
		if !strings.HasPrefix(r[citycode], "54") || r[status] != "ok" {
			t.Errorf("row %v: want an ok match in Meurthe-et-Moselle", r)
		}
	}
}

func TestGeocodeCSVRefusals(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBatchRows = 3
	s := geocodeServer(t, cfg)
	noData := func() *http.Request {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("columns", "adresse")
		mw.Close()
		req := httptest.NewRequest(http.MethodPost, batchCSVRoute, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return req
	}
	plain := httptest.NewRequest(http.MethodPost, batchCSVRoute, strings.NewReader("adresse\nAlpha\n"))
	plain.Header.Set("Content-Type", "text/csv")
	tests := []struct {
		name   string
		req    *http.Request
		status int
		param  string
	}{
		{"too many rows", upload(t, "a\nw\nx\ny\nz\n"), 413, ""},
		{"rows at the limit", upload(t, "a\nx\ny\nz\n"), 200, ""},
		{"only identifiers", upload(t, "id,ref\n1,2\n"), 400, "columns"},
		{"empty file", upload(t, ""), 400, "data"},
		{"binary file", upload(t, "\x89PNG\r\n\x1a\n\x00\x00\x00"), 400, "data"},
		{"10,000 columns", upload(t, strings.Repeat("c,", 9999)+"c\n1\n"), 400, "data"},
		{"unknown column", upload(t, "a,b\n1,2\n", [2]string{"columns", "adresse"}), 400, "columns"},
		{"unknown postcode column", upload(t, "a,b\n1,2\n", [2]string{"postcode", "cp"}), 400, "postcode"},
		{"bad delimiter", upload(t, "a,b\n1,2\n", [2]string{"delimiter", "::"}), 400, "delimiter"},
		{"no data part", noData(), 400, "data"},
		{"not multipart", plain, 415, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, s.Handler(), tt.req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == 200 {
				return
			}
			p := decodeProblem(t, rec)
			if tt.param != "" && (len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != tt.param) {
				t.Errorf("invalid_params %+v, want %s", p.InvalidParams, tt.param)
			}
			if tt.status == 413 && (p.Type != typeTooLarge || !strings.Contains(p.Detail, "rows")) {
				t.Errorf("problem %+v, want a row-count 413", p)
			}
		})
	}
}

func TestGeocodeCSVColumnsOption(t *testing.T) {
	s := geocodeServer(t, DefaultConfig())
	input := "id_plainte;adresse;ville\n1;rue Haute;Alpha\n"
	for _, tt := range []struct {
		name   string
		fields [][2]string
		want   string
	}{
		{"comma-separated", [][2]string{{"columns", "adresse,ville"}}, "adresse,ville"},
		{"repeated", [][2]string{{"columns", "ville"}, {"columns", "adresse"}}, "ville,adresse"},
		{"default: address parts, no identifier", nil, "adresse,ville"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, s.Handler(), upload(t, input, tt.fields...))
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if got := rec.Header().Get("X-Batch-Columns"); got != tt.want {
				t.Errorf("X-Batch-Columns %q, want %q", got, tt.want)
			}
		})
	}
	rec := do(t, s.Handler(), upload(t, input, [2]string{"columns", "adresse,"}))
	if rec.Code != 400 || decodeProblem(t, rec).InvalidParams[0].Name != "columns" {
		t.Errorf("columns=adresse, : status %d %s, want 400 naming columns", rec.Code, rec.Body)
	}
}

func TestGeocodeArrondissementFromPostcode(t *testing.T) {
	s := geocodeServer(t, DefaultConfig())
	rec := do(t, s.Handler(), httptest.NewRequest(http.MethodGet, "/v1/geocode?q=12+rue+de+la+Paix+75002+Paris&limit=1", nil))
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var out struct {
		Features []struct{ Properties geocodePropsJSON }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Features) != 1 {
		t.Fatalf("answer %s: %v", rec.Body, err)
	}
	p := out.Features[0].Properties
	if p.Citycode != "75102" || p.ParentCitycode != "75056" || p.Postcode != "75002" || p.City != "Paris" || p.Name != "Paris 2e Arrondissement" {
		t.Errorf("properties %+v, want citycode 75102, parent_citycode 75056, postcode 75002, city Paris, name Paris 2e Arrondissement", p)
	}
}
