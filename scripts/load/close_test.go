package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// rawServer answers every request with the bytes of raw, written as they
// are on the hijacked connection, then closes it: a server that sends
// what net/http's own would refuse to (truncated bodies, bad chunks).
func rawServer(t *testing.T, raw string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		conn.Write([]byte(raw))
		conn.Close()
	}))
	t.Cleanup(srv.Close)
	return srv
}

func mustClient(t *testing.T, target string, gz bool) *closeClient {
	t.Helper()
	c, err := newCloseClient(target, 2, gz)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCloseClientAgainstNetHTTP(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []*http.Request
	)
	body := strings.Repeat("nearest ", 5000) // 40 KB: several reads, a grown buffer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r)
		mu.Unlock()
		switch r.URL.Path {
		case "/missing":
			http.NotFound(w, r)
		case "/chunked":
			// Two flushes before the end: net/http frames the body in
			// chunks, having no length to send.
			io.WriteString(w, body[:100])
			w.(http.Flusher).Flush()
			io.WriteString(w, body[100:])
			w.(http.Flusher).Flush()
		case "/gzip":
			if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				io.WriteString(w, body)
				return
			}
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			io.WriteString(zw, body)
			zw.Close()
		default:
			io.WriteString(w, body)
		}
	}))
	defer srv.Close()

	plain := mustClient(t, srv.URL+"/v1/stations/nearest?lat={lat}&lon={lon}", false)
	if fail := plain.get(srv.URL + "/v1/stations/nearest?lat=45.18800&lon=5.72400"); fail != "" {
		t.Errorf("200 with a Content-Length: %s", fail)
	}
	if fail := plain.get(srv.URL + "/chunked"); fail != "" {
		t.Errorf("200 chunked: %s", fail)
	}
	if fail := plain.get(srv.URL + "/missing"); !strings.Contains(fail, "404") {
		t.Errorf("404 reported as %q", fail)
	}
	zipped := mustClient(t, srv.URL+"/gzip", true)
	if fail := zipped.get(srv.URL + "/gzip"); fail != "" {
		t.Errorf("200 gzipped: %s", fail)
	}
	if fail := plain.get(srv.URL + "/gzip"); fail != "" {
		t.Errorf("200 plain from the gzip route: %s", fail)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 5 {
		t.Fatalf("server saw %d requests, want 5", len(seen))
	}
	r := seen[0]
	if r.Method != "GET" || r.URL.RequestURI() != "/v1/stations/nearest?lat=45.18800&lon=5.72400" || r.Host != strings.TrimPrefix(srv.URL, "http://") {
		t.Errorf("request %s %s Host %s", r.Method, r.URL.RequestURI(), r.Host)
	}
	for i, r := range seen {
		if !r.Close {
			t.Errorf("request %d (%s) without Connection: close", i, r.URL.Path)
		}
	}
	if got := seen[3].Header.Get("Accept-Encoding"); got != "gzip" {
		t.Errorf("with gzip: Accept-Encoding %q", got)
	}
	if got := seen[4].Header.Get("Accept-Encoding"); got != "" {
		t.Errorf("without gzip: Accept-Encoding %q", got)
	}
}

// TestCloseClientIncompleteAnswers serves answers cut short or badly
// framed: each must count as an error, each complete one as a success.
func TestCloseClientIncompleteAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		ok        bool
	}{
		{"complete", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", true},
		{"body cut short", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello", false},
		{"body longer than its length", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhello", false},
		{"header cut short", "HTTP/1.1 200 OK\r\nContent-Len", false},
		{"nothing", "", false},
		{"no length, until close", "HTTP/1.0 200 OK\r\n\r\nhello", true},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", true},
		{"chunked with trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nEtag: 1\r\n\r\n", true},
		{"chunked without last chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", false},
		{"chunk cut short", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nhello", false},
		{"chunked without final CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n", false},
		{"status 503", "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", false},
		{"not HTTP", "SSH-2.0-OpenSSH\r\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := rawServer(t, tc.raw)
			fail := mustClient(t, srv.URL+"/", false).get(srv.URL + "/")
			if (fail == "") != tc.ok {
				t.Errorf("failure %q, want success %v", fail, tc.ok)
			}
			// net/http's reading of the same bytes is the oracle.
			if ok := netHTTPComplete([]byte(tc.raw)); ok != tc.ok {
				t.Errorf("net/http reads it complete: %v, the case says %v", ok, tc.ok)
			}
		})
	}
}

func TestCloseClientRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/"
	ln.Close()
	if fail := mustClient(t, url, false).get(url); fail == "" {
		t.Error("no error from a closed port")
	}
}

func TestNewCloseClientRejects(t *testing.T) {
	for _, target := range []string{"https://127.0.0.1:1/", "http:///x", "http://u:p@127.0.0.1:1/", "http://127.0.0.1:99999/"} {
		if _, err := newCloseClient(target, 1, false); err == nil {
			t.Errorf("%s: no error", target)
		}
	}
}

// netHTTPComplete reports whether net/http reads resp as a status 200
// whose body ends where resp does.
func netHTTPComplete(resp []byte) bool {
	br := bufio.NewReader(bytes.NewReader(resp))
	r, err := http.ReadResponse(br, nil)
	if err != nil {
		return false
	}
	_, err = io.Copy(io.Discard, r.Body)
	if err != nil || r.StatusCode != http.StatusOK {
		return false
	}
	_, err = br.ReadByte()
	return err == io.EOF
}

// FuzzCheckResponse checks checkResponse against net/http on the answers
// net/http parses: both must find the same ones complete. Answers whose
// header net/http rejects are left out: checkResponse reads only the
// status and the framing fields and is laxer about the rest.
func FuzzCheckResponse(f *testing.F) {
	for _, seed := range []string{
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\nVary: Accept-Encoding\r\n\r\n{\"stations\":[]}",
		"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nEtag: 1\r\n\r\n",
		"HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n5\r\nhello\r\n0\r\n\n",
		"HTTP/1.0 200 OK\r\n\r\nhello",
		"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, resp []byte) {
		err := checkResponse(resp)
		br := bufio.NewReader(bytes.NewReader(resp))
		if _, herr := http.ReadResponse(br, nil); herr != nil {
			return
		}
		// Obsolete line folding: net/http joins the lines, checkResponse
		// rejects them, as RFC 9112 lets a client do.
		if head, _, _ := bytes.Cut(resp, []byte("\n\r\n")); bytes.Contains(head, []byte("\n ")) || bytes.Contains(head, []byte("\n\t")) {
			return
		}
		if want := netHTTPComplete(resp); (err == nil) != want {
			t.Fatalf("checkResponse: %v; net/http reads it complete: %v\n%q", err, want, resp)
		}
	})
}
