package widget_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// maxPageBytes is the budget for a first load of the widget without the
// map: every response the browser receives, compressed, headers included.
const maxPageBytes = 25 * 1024

// maxMapPageBytes is the same budget for a first load with the map open,
// tiles included.
const maxMapPageBytes = 150 * 1024

// maxFirstStationMs is the budget from navigation to the first station
// shown, on loopback (best of five loads: other packages' tests share the
// machine).
const maxFirstStationMs = 1000

// e2eResult is the last line of scripts/widget-e2e/run.mjs.
type e2eResult struct {
	OK     bool `json:"ok"`
	Checks []struct {
		Name   string `json:"name"`
		OK     bool   `json:"ok"`
		Detail string `json:"detail"`
	} `json:"checks"`
	Conditional     map[string]string `json:"conditional"`
	PageWeightBytes int               `json:"page_weight_bytes"`
	FirstStationMs  int               `json:"first_station_ms"`
	MapPageBytes    int               `json:"map_page_weight_bytes"`
	Screenshots     string            `json:"screenshots"`
}

// enableE2E says how to install what the browser test needs.
const enableE2E = "to run the browser test, apt-get install -y chromium nodejs npm, then (cd scripts/widget-e2e && npm ci)"

// requireE2E skips the test, or fails it in CI, when something the browser
// test needs is missing.
func requireE2E(t *testing.T, ok bool, why string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (required when CI=true)", why)
	}
	t.Skip(why)
}

// TestWidgetInBrowser starts guichet on the national data and drives the
// widget in headless Chromium: location granted and denied, the API down,
// address search, embedding in partner pages (light, dark, misconfigured,
// outside the allowlist), keyboard use, phone and desktop sizes, overseas
// time zones, axe-core in each state, page weight, time to the first
// station and screenshots compared with references.
func TestWidgetInBrowser(t *testing.T) {
	dataDir := os.Getenv("GUICHET_OPENDATA")
	requireE2E(t, dataDir != "", "GUICHET_OPENDATA is not set: the widget browser test runs on the national open data")
	requireE2E(t, !testing.Short(), "browser test skipped in -short mode")
	node, err := exec.LookPath("node")
	requireE2E(t, err == nil, "node is not installed: "+enableE2E)
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	_, err = os.Stat(chromium)
	requireE2E(t, err == nil, chromium+" is missing: "+enableE2E)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "scripts", "widget-e2e")
	for _, pkg := range []string{"playwright-core", "axe-core", "libphonenumber-js", "pixelmatch", "pngjs"} {
		_, err = os.Stat(filepath.Join(script, "node_modules", pkg, "package.json"))
		requireE2E(t, err == nil, pkg+" is not installed: "+enableE2E)
	}
	dataDir, err = filepath.Abs(dataDir)
	if err != nil {
		t.Fatal(err)
	}

	tiles := startTileServer(t)
	base := startGuichet(t, root, dataDir, tiles+"/{z}/{x}/{y}.png")

	outdir := os.Getenv("GUICHET_WIDGET_SCREENSHOTS")
	if outdir == "" {
		outdir = filepath.Join(root, "out", "widget-screenshots")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(script, "run.mjs"), base, outdir)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium, "TILE_ORIGIN="+tiles)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()

	var res *e2eResult
	sc := bufio.NewScanner(bytes.NewReader(stdout.Bytes()))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "RESULT "); ok {
			res = new(e2eResult)
			if err := json.Unmarshal([]byte(rest), res); err != nil {
				t.Fatalf("cannot read the browser test result: %v", err)
			}
			continue
		}
		t.Log(line)
	}
	if stderr.Len() > 0 {
		t.Logf("run.mjs stderr:\n%s", stderr.String())
	}
	if res == nil {
		t.Fatalf("run.mjs printed no RESULT line (exit: %v)", runErr)
	}
	for _, c := range res.Checks {
		if !c.OK {
			t.Errorf("browser check failed: %s: %s", c.Name, c.Detail)
		}
	}
	if !res.OK || runErr != nil {
		t.Errorf("run.mjs: ok = %v, exit: %v", res.OK, runErr)
	}
	// Every part of the scenario must have run, not just passed.
	for _, part := range []string{
		"defect 1: every suggestion is inside the iframe",
		"defect 2: one 503 is retried", "defect 2: never falls back to /v1/communes",
		"defect 3: search available with location granted",
		"defect 4: no location request before a click",
		"defect 5: every tel: link is a valid E.164 number",
		"defect 6: data-limit=50: no iframe inserted", "defect 6: a page outside the allowlist: no iframe inserted",
		"defect 7: units with no public desk are not listed", "defect 7: auto theme on a white page is light",
		"defect 7: \"Saint-Et\" suggests Saint-Étienne", "defect 7: after a refused location",
		"details: 7 days from today", "details: 1 May noted as a public holiday", "competent unit: marked",
		"open now: only open stations", "visit memory:", "API down (fr)", "API down (en)", "help at",
		"keyboard: Tab reaches every result", "keyboard only: Enter opens the week", "keyboard only: Space on the toggle", "iframe: sized to its content", "Nouméa: today is", "Guadeloupe: today is",
		"axe: idle", "axe: results", "axe: details", "axe: suggestions", "axe: dark theme", "axe: embedded dark",
		"no third-party request", "dark theme: text contrast", "phone: no horizontal scroll at 360 px",
		"screenshot desktop-results-1280x800", "first station shown",
		"map: no tile before the reader opens the map", "map: a numbered pin per station", "axe: map",
	} {
		found := false
		for _, c := range res.Checks {
			found = found || strings.HasPrefix(c.Name, part)
		}
		if !found {
			t.Errorf("browser check %q did not run", part)
		}
	}
	if res.PageWeightBytes <= 0 || res.PageWeightBytes > maxPageBytes {
		t.Errorf("first load transferred %d bytes, want 1 to %d", res.PageWeightBytes, maxPageBytes)
	}
	if res.MapPageBytes <= 0 || res.MapPageBytes > maxMapPageBytes {
		t.Errorf("first load with the map transferred %d bytes, want 1 to %d", res.MapPageBytes, maxMapPageBytes)
	}
	if res.FirstStationMs <= 0 || res.FirstStationMs > maxFirstStationMs {
		t.Errorf("first station shown after %d ms, want at most %d", res.FirstStationMs, maxFirstStationMs)
	}
	t.Logf("first load: %d bytes (with the map %d); first station: %d ms; conditional parts: %v; screenshots in %s", res.PageWeightBytes, res.MapPageBytes, res.FirstStationMs, res.Conditional, res.Screenshots)
}

// startTileServer serves the same plain 256×256 PNG for every tile path, in
// place of a real tile server, and returns its origin.
func startTileServer(t *testing.T) string {
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for y := range 256 {
		for x := range 256 {
			c := color.RGBA{0xee, 0xf2, 0xf7, 0xff}
			if x == 0 || y == 0 {
				c = color.RGBA{0xc8, 0xd0, 0xdc, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var tile bytes.Buffer
	if err := png.Encode(&tile, img); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(tile.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// startGuichet builds and starts `guichet serve` on the national data and a
// free port, with map tiles from tileURL, waits until /readyz answers 200
// and returns its base URL.
func startGuichet(t *testing.T, root, dataDir, tileURL string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "guichet")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go is not on PATH: %v", err)
	}
	build := exec.Command(gobin, "build", "-o", bin, "./cmd/guichet")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/guichet: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	var logs lockedBuffer
	// A partner page on localhost, unlike one on 127.0.0.1, is outside the
	// allowlist; the suite is one client making many requests, so no rate
	// limit.
	srv := exec.Command(bin, "serve", "--addr", addr, "--data", dataDir,
		"--widget-frame-ancestors", "http://127.0.0.1:*", "--rate-limit", "0", "--widget-tile-url", tileURL)
	srv.Stdout, srv.Stderr = &logs, &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	t.Cleanup(func() {
		srv.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			srv.Process.Kill()
			<-done
		}
	})

	base := "http://" + addr
	deadline := time.Now().Add(3 * time.Minute)
	for {
		select {
		case err := <-done:
			t.Fatalf("guichet serve exited: %v\n%s", err, logs.String())
		default:
		}
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("guichet at %s not ready after 3 minutes\n%s", base, logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// lockedBuffer collects the server's output while the test may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
