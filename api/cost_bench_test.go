package api

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"

	stdgzip "compress/gzip"
	"github.com/klauspost/compress/gzip"
)

// What the lines of a response head cost both ends, and what compressing
// an answer costs and saves, on guichet's own answers. Run with
//
//	GUICHET_OPENDATA=/work/shared/data go test ./api -run '^$' -bench 'HeaderLines|GzipAnswer' -count 5

// nearestHeader returns the header fields of the default nearest answer at
// Grenoble as a client receives them, net/http's own (Date,
// Content-Length) included.
func nearestHeader(b *testing.B) (http.Header, []byte) {
	rec := httptest.NewRecorder()
	benchHandler(b).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/stations/nearest?lat=45.188&lon=5.724", nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d", rec.Code)
	}
	h := rec.Header().Clone()
	h["Date"] = []string{"Wed, 02 Dec 2026 08:00:00 GMT"}
	h["Content-Length"] = []string{strconv.Itoa(rec.Body.Len())}
	return h, rec.Body.Bytes()
}

// BenchmarkHeaderLines writes a response head as net/http does (sorted
// keys, one line each) and parses it as the Go client does, with every
// field of the nearest answer ("all") and without each one in turn: the
// difference is that line's cost to both ends, in CPU, beside its bytes.
func BenchmarkHeaderLines(b *testing.B) {
	full, _ := nearestHeader(b)
	run := func(b *testing.B, h http.Header) {
		var buf bytes.Buffer
		headBytes := 0
		rd := bufio.NewReader(nil)
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			buf.WriteString("HTTP/1.1 200 OK\r\n")
			h.Write(&buf)
			buf.WriteString("\r\n")
			headBytes = buf.Len()
			rd.Reset(&buf)
			resp, err := http.ReadResponse(rd, req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
		}
		b.ReportMetric(float64(headBytes), "head_bytes")
	}
	b.Run("all", func(b *testing.B) { run(b, full) })
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range full {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		h := full.Clone()
		delete(h, k)
		b.Run("without="+k, func(b *testing.B) { run(b, h) })
	}
}

// BenchmarkGzipAnswer compresses real answers of increasing size as the
// compress middleware does (klauspost gzip at BestSpeed, pooled writer),
// and decompresses them as a Go client does (compress/gzip), reporting
// the compressed size: what compressing costs both ends against the bytes
// it saves on the link.
func BenchmarkGzipAnswer(b *testing.B) {
	h := benchHandler(b)
	answers := []struct{ name, target string }{
		{"healthz", "/healthz"},
		{"problem", "/v1/stations/nearest?lat=45.188"},
		{"nearest-1", "/v1/stations/nearest?lat=45.188&lon=5.724&limit=1"},
		{"nearest-2", "/v1/stations/nearest?lat=45.188&lon=5.724&limit=2"},
		{"nearest-3", "/v1/stations/nearest?lat=45.188&lon=5.724&limit=3"},
		{"nearest-5", "/v1/stations/nearest?lat=45.188&lon=5.724"},
		{"nearest-10", "/v1/stations/nearest?lat=45.188&lon=5.724&limit=10"},
		{"station", "/v1/stations/gn-1004321"},
		{"nearest-5-complete", "/v1/stations/nearest?lat=45.188&lon=5.724&fields=*"},
	}
	for _, a := range answers {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, a.target, nil))
		body := rec.Body.Bytes()
		name := a.name + "/" + strconv.Itoa(len(body)) + "B"
		var zipped bytes.Buffer
		b.Run(name+"/gzip", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				zipped.Reset()
				w := gzipWriters.Get().(*gzip.Writer)
				w.Reset(&zipped)
				w.Write(body)
				w.Close()
				gzipWriters.Put(w)
			}
			b.ReportMetric(float64(zipped.Len()), "gz_bytes")
			b.ReportMetric(float64(len(body)-zipped.Len()), "saved_bytes")
		})
		b.Run(name+"/gunzip", func(b *testing.B) {
			var r stdgzip.Reader
			for b.Loop() {
				if err := r.Reset(bytes.NewReader(zipped.Bytes())); err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, &r)
			}
		})
	}
}

// BenchmarkHeaderMap builds the header map of the default nearest answer
// as a request does (net/http's empty map, guichet's prebuilt values
// assigned, then the copy net/http takes when the handler writes the
// status), plain and with Content-Encoding: a Go map holds eight entries
// in one group, and a ninth turns it into a table, in the handler's map
// and in its copy.
func BenchmarkHeaderMap(b *testing.B) {
	full, _ := nearestHeader(b)
	delete(full, "Date") // net/http's own, written without the map
	delete(full, "Content-Length")
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range full {
			if !yield(k) {
				return
			}
		}
	})
	run := func(b *testing.B, extra ...string) {
		b.ReportAllocs()
		for b.Loop() {
			h := make(http.Header)
			for _, k := range keys {
				h[k] = full[k]
			}
			for _, k := range extra {
				h[k] = gzipEncoding
			}
			_ = h.Clone()
		}
		b.ReportMetric(float64(len(keys)+len(extra)), "fields")
	}
	b.Run("plain", func(b *testing.B) { run(b) })
	b.Run("gzip", func(b *testing.B) { run(b, "Content-Encoding") })
}
