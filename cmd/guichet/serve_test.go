package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"guichet/data/fetch"
	"guichet/data/load"
)

// copyDir copies the regular files of src into a new directory dst.
func copyDir(tb testing.TB, src, dst string) {
	tb.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		tb.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// MustRunMain starts a Main on a free loopback port and waits until its
// data is loaded.
func MustRunMain(tb testing.TB, m *Main) {
	tb.Helper()
	m.Addr = "127.0.0.1:0"
	var logs bytes.Buffer
	if err := m.Run(context.Background(), &syncWriter{w: &logs}); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { shutdown(m) })
	select {
	case err := <-m.loaded:
		if err != nil {
			tb.Fatalf("load: %v\n%s", err, logs.String())
		}
	case <-time.After(60 * time.Second):
		tb.Fatal("data did not load within 60 s")
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

const extraStation = "service;identifiant_public_unite;adresse_geographique;departement;geocodage_x_GPS;geocodage_y_GPS\n" +
	"Brigade de Saint-Égrève;1004999;1 Rue de la Gare 38120 SAINT EGREVE;38;5.6830;45.2330\n"

// TestReloadUnderLoad reloads 20 times, alternating good and corrupt data,
// while clients query without pause: no request may fail, every response
// must come from one complete dataset, and a corrupt reload must leave the
// previous dataset serving.
func TestReloadUnderLoad(t *testing.T) {
	root := t.TempDir()
	good := []string{filepath.Join(root, "a"), filepath.Join(root, "b")}
	copyDir(t, "../../data/testdata/stations", good[0])
	copyDir(t, "../../data/testdata/stations", good[1])
	if err := os.WriteFile(filepath.Join(good[1], "extra.csv"), []byte(extraStation), 0o644); err != nil {
		t.Fatal(err)
	}
	corrupt := []string{filepath.Join(root, "empty"), filepath.Join(root, "truncated")}
	if err := os.MkdirAll(corrupt[0], 0o755); err != nil {
		t.Fatal(err)
	}
	copyDir(t, "../../data/testdata/stations", corrupt[1])
	for _, name := range []string{"referential-gn.csv", "datagouv-gn-latin1.csv", "stations.geojson"} {
		os.Remove(filepath.Join(corrupt[1], name))
	}

	// Each good dataset answers a list query with its own station count.
	wantTotal := map[string]int{}
	for _, dir := range good {
		ds, err := load.Dir(dir, load.Options{})
		if err != nil {
			t.Fatal(err)
		}
		wantTotal[ds.Version()] = ds.Len()
	}
	if len(wantTotal) != 2 {
		t.Fatal("the two good datasets have the same version")
	}

	live := filepath.Join(root, "live")
	point := func(dir string) {
		tmp := live + ".tmp"
		os.Remove(tmp)
		if err := os.Symlink(dir, tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, live); err != nil {
			t.Fatal(err)
		}
	}
	point(good[0])

	m := NewMain()
	m.DataDir = live
	m.API.AdminToken = "test-token"
	MustRunMain(t, m)
	base := m.URL()

	ctx, cancel := context.WithCancel(context.Background())
	var requests, failures atomic.Int64
	var failMu sync.Mutex
	var failLog []string
	fail := func(format string, args ...any) {
		failures.Add(1)
		failMu.Lock()
		if len(failLog) < 10 {
			failLog = append(failLog, fmt.Sprintf(format, args...))
		}
		failMu.Unlock()
	}
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				resp, err := client.Get(base + "/v1/stations?per_page=500")
				if err != nil {
					fail("GET: %v", err)
					continue
				}
				var body struct{ Total int }
				err = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				requests.Add(1)
				version := resp.Header.Get("X-Dataset-Version")
				switch want, known := wantTotal[version]; {
				case resp.StatusCode != 200 || err != nil:
					fail("status %d, decode error %v", resp.StatusCode, err)
				case !known:
					fail("response from unknown dataset version %q", version)
				case body.Total != want:
					fail("version %s answered %d stations, want %d: a mixed dataset", version, body.Total, want)
				}
			}
		}()
	}

	reload := func() (int, string) {
		req, _ := http.NewRequest(http.MethodPost, base+"/admin/reload", nil)
		req.Header.Set("Authorization", "Bearer test-token")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	current := func() string {
		resp, err := client.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r struct{ Status, Version string }
		json.NewDecoder(resp.Body).Decode(&r)
		return r.Status + " " + r.Version
	}
	for i := 0; i < 20; i++ {
		before := current()
		if i%2 == 0 {
			point(good[(i/2+1)%2])
			if code, body := reload(); code != 200 {
				t.Fatalf("reload %d of good data = %d %s", i, code, body)
			}
			if now := current(); !strings.HasPrefix(now, "ready ") || now == before {
				t.Errorf("after good reload %d readyz = %q (before %q)", i, now, before)
			}
		} else {
			point(corrupt[(i/2)%2])
			if code, body := reload(); code != http.StatusUnprocessableEntity {
				t.Fatalf("reload %d of corrupt data = %d %s, want 422", i, code, body)
			}
			_, version, _ := strings.Cut(before, " ")
			if now := current(); now != "degraded "+version {
				t.Errorf("after corrupt reload %d readyz = %q, want degraded on %s", i, now, version)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if failures.Load() > 0 {
		t.Errorf("%d of %d requests failed: %v", failures.Load(), requests.Load(), failLog)
	}
	if requests.Load() < 100 {
		t.Errorf("only %d requests ran during the reloads: the test proved little", requests.Load())
	}
	t.Logf("%d requests during 20 reloads, %d failed", requests.Load(), failures.Load())
}

// TestServeOfflineGuidance: with no data and sources that refuse
// connections, serve stops after the first source, logs the way to run
// offline once, in the log's own format, and exits non-zero.
func TestServeOfflineGuidance(t *testing.T) {
	sources := filepath.Join(t.TempDir(), "sources.json")
	var list []string
	for _, name := range []string{"gendarmerie-units", "police-services", "referential"} {
		list = append(list, fmt.Sprintf(`{"name":%q,"url":"http://127.0.0.1:1/%[1]s.csv","format":"datagouv-gendarmerie-csv","licence":"Licence Ouverte","feeds":"stations","file":"%[1]s.csv"}`, name))
	}
	if err := os.WriteFile(sources, []byte("["+strings.Join(list, ",")+"]"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "empty"), "--sources", sources}, nil, io.Discard, &syncWriter{w: &stderr})
	if code == 0 {
		t.Fatal("serve with no data and no network exited 0")
	}
	assertOfflineLog(t, stderr.String())
	if strings.Contains(stderr.String(), "police-services") {
		t.Errorf("serve tried the second source after the first could not be reached:\n%s", stderr.String())
	}
}

// assertOfflineLog checks serve's log of a start without network: JSON
// lines only, the refusal reported once, the --data hint given once.
func assertOfflineLog(t *testing.T, log string) {
	t.Helper()
	for line := range strings.Lines(log) {
		if !json.Valid([]byte(line)) {
			t.Errorf("a line of the log is not JSON: %q", line)
		}
	}
	if n := strings.Count(log, "--data DIR"); n != 1 {
		t.Errorf("the --data DIR hint appears %d times, want once:\n%s", n, log)
	}
	if n := strings.Count(log, "connection refused"); n != 1 {
		t.Errorf("the refusal is reported %d times, want once:\n%s", n, log)
	}
}

// TestServeWithoutNetwork runs the guichet binary as a person would, on
// the real list of official sources, behind a proxy that refuses every
// connection: it must give up, with the hint, well within ten seconds.
func TestServeWithoutNetwork(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxy := "http://" + closed.Addr().String()
	closed.Close() // nothing listens there any more: connections are refused

	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "empty"))
	cmd.Env = append(os.Environ(), runMainEnv+"=1", "HTTPS_PROXY="+proxy, "HTTP_PROXY="+proxy, "NO_PROXY=", "GUICHET_DATA=", "GUICHET_SOURCES=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("serve still running after 30 s without network:\n%s", stderr.String())
	}
	took := time.Since(start)
	if err == nil {
		t.Errorf("serve exited 0 without network")
	}
	if took > 10*time.Second {
		t.Errorf("serve took %v to give up without network, want at most 10 s", took)
	}
	assertOfflineLog(t, stderr.String())
	t.Logf("gave up after %v", took.Round(time.Millisecond))
}

// TestReadyzWhileFetching: while serve downloads its sources, /readyz says
// which one, as n of N, with the bytes received.
func TestReadyzWhileFetching(t *testing.T) {
	body, err := os.ReadFile("../../data/fetch/testdata/gendarmerie.csv")
	if err != nil {
		t.Fatal(err)
	}
	half := len(body) / 2
	release := make(chan struct{})
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body[:half])
		w.(http.Flusher).Flush()
		<-release
		w.Write(body[half:])
	}))
	defer src.Close()
	sources := filepath.Join(t.TempDir(), "sources.json")
	list := fmt.Sprintf(`[{"name":"gendarmerie-units","url":%q,"format":"datagouv-gendarmerie-csv","licence":"Licence Ouverte","feeds":"stations","file":"gn.csv"},
		{"name":"police-services","url":%q,"format":"datagouv-gendarmerie-csv","licence":"Licence Ouverte","feeds":"stations","file":"pn.csv","optional":true}]`, src.URL+"/gn.csv", src.URL+"/pn.csv")
	if err := os.WriteFile(sources, []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	m := NewMain()
	m.Addr = "127.0.0.1:0"
	m.DataDir = filepath.Join(t.TempDir(), "data")
	m.SourcesFile = sources
	if err := m.Run(context.Background(), &syncWriter{w: io.Discard}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		// Let the fetch finish before its directory is removed.
		close(release)
		select {
		case <-m.loaded:
		case <-time.After(20 * time.Second):
			t.Error("the fetch did not finish once released")
		}
		shutdown(m)
	}()
	want := fmt.Sprintf("downloading gendarmerie-units (1 of 2), %s of %s", fetch.FormatSize(int64(half)), fetch.FormatSize(int64(len(body))))
	var detail string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(m.URL() + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		var p struct{ Detail string }
		json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if detail = p.Detail; resp.StatusCode == http.StatusServiceUnavailable && strings.HasSuffix(detail, want) {
			return
		}
	}
	t.Errorf("/readyz while the first source is half downloaded says %q, want it to end with %q", detail, want)
}

// TestServeFetchFailureLoggedOnce: a source that answers 404 fails the
// start; its error is one log record, not repeated in a summary.
func TestServeFetchFailureLoggedOnce(t *testing.T) {
	missing := httptest.NewServer(http.NotFoundHandler())
	defer missing.Close()
	sources := filepath.Join(t.TempDir(), "sources.json")
	list := fmt.Sprintf(`[{"name":"gendarmerie-units","url":%q,"format":"datagouv-gendarmerie-csv","licence":"Licence Ouverte","feeds":"stations","file":"gn.csv"}]`, missing.URL+"/gn.csv")
	if err := os.WriteFile(sources, []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "empty"), "--sources", sources}, nil, io.Discard, &syncWriter{w: &stderr})
	if code == 0 {
		t.Fatal("serve exited 0 with a required source missing")
	}
	log := stderr.String()
	for line := range strings.Lines(log) {
		if !json.Valid([]byte(line)) {
			t.Errorf("a line of the log is not JSON: %q", line)
		}
	}
	if n := strings.Count(log, "404 Not Found"); n != 1 {
		t.Errorf("the 404 is reported %d times, want once:\n%s", n, log)
	}
}
