// Command soak drives a running guichet with an open-loop mix of public
// requests at a constant arrival rate, reloads its data at an interval
// through POST /admin/reload, and samples the server's resident memory
// (VmRSS of /proc/<pid>/status) and goroutines (go_goroutines of /metrics)
// at another. It prints a time series, then errors and latency by
// endpoint, and exits 1 when any request failed.
//
// The mix: nearest stations at points over metropolitan France (a quarter
// of them with open=now), jurisdiction at commune centres, geocoding of
// commune names (with their postcode when shorter than the 3 characters
// the API wants alone) and postcodes from the COG, and stations by id as listed
// by GET /v1/stations. Each latency runs from the request's intended send
// time, so a server falling behind shows in the percentiles.
//
//	go run ./scripts/soak -url http://127.0.0.1:8080 -pid $(pidof guichet) \
//		-data /path/to/data -token T -rate 2000 -d 10m
package main

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// An endpoint is one kind of request of the mix.
type endpoint struct {
	name   string
	weight int
	next   func(rng *rand.Rand) string // path and query of one request
	// outside404 is set where a 404 is a right answer for some inputs:
	// jurisdiction at a commune centre that the simplified boundaries
	// put at sea. Those are counted apart, not as errors.
	outside404 bool
}

// tally holds the outcomes of one endpoint, or of one sampling interval.
type tally struct {
	lat    []time.Duration // successful requests
	status map[string]int  // failures by status code or "transport"
	failed []string        // the first failed requests
	// outside counts the right 404 answers of an endpoint with
	// outside404, with their requests: they are successes.
	outside  int
	outsides []string
}

// add counts one request: fail is empty on success, else the status code
// or "transport"; detail says more about a failure.
func (t *tally) add(req string, took time.Duration, fail, detail string) {
	if fail == "outside" {
		t.outside++
		if len(t.outsides) < 5 {
			t.outsides = append(t.outsides, req)
		}
		fail = ""
	}
	if fail == "" {
		t.lat = append(t.lat, took)
		return
	}
	if t.status == nil {
		t.status = map[string]int{}
	}
	t.status[fail]++
	if len(t.failed) < 5 && req != "" {
		t.failed = append(t.failed, strings.TrimSpace(fail+" "+req+" "+detail))
		log.Printf("failed: %s", t.failed[len(t.failed)-1])
	}
}

func (t *tally) errors() int {
	n := 0
	for _, v := range t.status {
		n += v
	}
	return n
}

// pct returns the p-quantile of the sorted latencies, in milliseconds.
func pct(lat []time.Duration, p float64) float64 {
	if len(lat) == 0 {
		return 0
	}
	return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "guichet's base URL")
	pid := flag.Int("pid", 0, "guichet's process id, for its resident memory")
	dir := flag.String("data", "", "open-data directory, for commune names, postcodes and centres")
	token := flag.String("token", "", "admin bearer token; empty: no reloads")
	rate := flag.Float64("rate", 1000, "requests per second")
	conns := flag.Int("c", 256, "connections at most")
	dur := flag.Duration("d", 10*time.Minute, "duration")
	every := flag.Duration("reload", time.Minute, "interval between reloads")
	sample := flag.Duration("sample", 10*time.Second, "interval between memory samples")
	seed := flag.Uint64("seed", 1, "seed of the requests")
	flag.Parse()
	if *pid == 0 || *dir == "" {
		fmt.Fprintln(os.Stderr, "soak: -pid and -data are required")
		os.Exit(2)
	}
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns},
		Timeout:   10 * time.Second,
	}
	// A reload parses the whole data directory again: allow it longer.
	admin := &http.Client{Timeout: 2 * time.Minute}
	mix, err := newMix(client, *base, *dir)
	if err != nil {
		log.Fatal(err)
	}
	weights := 0
	for _, e := range mix {
		weights += e.weight
	}

	var (
		mu       sync.Mutex
		byName   = map[string]*tally{}
		interval = &tally{}
		wg       sync.WaitGroup
	)
	for _, e := range mix {
		byName[e.name] = &tally{}
	}
	byName["reload"] = &tally{}
	record := func(name string, req *http.Request, took time.Duration, fail, detail string) {
		mu.Lock()
		byName[name].add(req.URL.RequestURI(), took, fail, detail)
		interval.add("", took, fail, "")
		mu.Unlock()
	}
	do := func(name string, outside404 bool, req *http.Request, at time.Time) {
		defer wg.Done()
		c := client
		if req.Method == http.MethodPost {
			c = admin
			req.Header.Set("Authorization", "Bearer "+*token)
		}
		resp, err := c.Do(req)
		if err != nil {
			record(name, req, 0, "transport", err.Error())
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fail := ""
		switch {
		case resp.StatusCode == http.StatusNotFound && outside404:
			fail = "outside"
		case resp.StatusCode != http.StatusOK:
			fail = strconv.Itoa(resp.StatusCode)
		}
		record(name, req, time.Since(at), fail, "")
	}

	type point struct {
		t          time.Duration
		rss        int64 // kB
		goroutines int
		reqs, errs int
		p99        float64
	}
	var series []point
	sampleNow := func(t time.Duration) {
		mu.Lock()
		iv := interval
		interval = &tally{}
		mu.Unlock()
		slices.Sort(iv.lat)
		series = append(series, point{t, rssKB(*pid), goroutines(client, *base), len(iv.lat) + iv.errors(), iv.errors(), pct(iv.lat, .99)})
		p := series[len(series)-1]
		log.Printf("t=%s rss_mb=%.1f goroutines=%d reqs=%d errors=%d p99_ms=%.2f", p.t, float64(p.rss)/1024, p.goroutines, p.reqs, p.errs, p.p99)
	}

	rng := rand.New(rand.NewPCG(*seed, 0))
	total := int(*rate * dur.Seconds())
	start := time.Now()
	sampleNow(0)
	nextSample, nextReload := *sample, *every
	for i := 0; i < total; {
		due := min(total, int(time.Since(start).Seconds()**rate)+1)
		for ; i < due; i++ {
			at := start.Add(time.Duration(float64(i) / *rate * float64(time.Second)))
			w := rng.IntN(weights)
			e := mix[0]
			for _, e = range mix {
				if w < e.weight {
					break
				}
				w -= e.weight
			}
			wg.Add(1)
			req, _ := http.NewRequest(http.MethodGet, *base+e.next(rng), nil)
			go do(e.name, e.outside404, req, at)
		}
		now := time.Since(start)
		if *token != "" && now >= nextReload {
			wg.Add(1)
			req, _ := http.NewRequest(http.MethodPost, *base+"/admin/reload", nil)
			go do("reload", false, req, time.Now())
			nextReload += *every
		}
		if now >= nextSample {
			sampleNow(nextSample)
			nextSample += *sample
		}
		if i < total {
			time.Sleep(time.Until(start.Add(time.Duration(float64(i) / *rate * float64(time.Second)))))
		}
	}
	wg.Wait()
	took := time.Since(start)
	// Close the keep-alive connections first, so that the last goroutine
	// count shows what the server still holds once no client is there.
	client.CloseIdleConnections()
	admin.CloseIdleConnections()
	time.Sleep(time.Second)
	sampleNow(time.Since(start).Round(time.Second))

	fmt.Println("time series (every", *sample, "): t rss_mb goroutines requests errors p99_ms")
	maxRSS := int64(0)
	for _, p := range series {
		maxRSS = max(maxRSS, p.rss)
		fmt.Printf("  %6s %7.1f %4d %7d %4d %8.2f\n", p.t, float64(p.rss)/1024, p.goroutines, p.reqs, p.errs, p.p99)
	}
	// The first sample is taken idle, before any request; the second is
	// the first under load; the last, idle again, after the connections
	// are closed.
	first, last := series[min(1, len(series)-1)], series[len(series)-1]
	fmt.Printf("rss_mb idle=%.1f first_under_load=%.1f end=%.1f max=%.1f; goroutines idle=%d first_under_load=%d end_idle=%d\n",
		float64(series[0].rss)/1024, float64(first.rss)/1024, float64(last.rss)/1024, float64(maxRSS)/1024,
		series[0].goroutines, first.goroutines, last.goroutines)

	fmt.Println("endpoint requests errors p50_ms p99_ms failures (outside: right 404 answers, not errors)")
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	reqs, errs := 0, 0
	for _, n := range names {
		t := byName[n]
		slices.Sort(t.lat)
		reqs += len(t.lat) + t.errors()
		errs += t.errors()
		fmt.Printf("  %-18s %8d %6d %8.3f %8.3f %v", n, len(t.lat)+t.errors(), t.errors(), pct(t.lat, .5), pct(t.lat, .99), t.status)
		if t.outside > 0 {
			fmt.Printf(" outside=%d", t.outside)
		}
		fmt.Println()
	}
	for _, n := range names {
		for _, f := range byName[n].failed {
			fmt.Printf("  failed %s: %s\n", n, f)
		}
		for _, f := range byName[n].outsides {
			fmt.Printf("  outside %s: %s\n", n, f)
		}
	}
	fmt.Printf("total requests=%d errors=%d rps=%.1f duration=%s\n", reqs, errs, float64(reqs)/took.Seconds(), took.Round(time.Millisecond))
	if errs > 0 {
		os.Exit(1)
	}
}

// newMix lists the endpoints of the mix and their weights, with inputs
// read from the data directory and from the server's station list.
func newMix(client *http.Client, base, dir string) ([]endpoint, error) {
	ids, err := stationIDs(client, base)
	if err != nil {
		return nil, err
	}
	var communes []struct {
		Nom         string   `json:"nom"`
		Type        string   `json:"type"`
		CodesPostal []string `json:"codesPostaux"`
	}
	if err := readJSON(filepath.Join(dir, "cog", "decoupage-administratif-6.0.0", "communes.json"), &communes); err != nil {
		return nil, err
	}
	var queries []string
	for _, c := range communes {
		if c.Type != "commune-actuelle" {
			continue
		}
		q := "q=" + url.QueryEscape(c.Nom)
		// The API wants 3 characters at least, or a postcode with them
		// (Y, Ur, Eu…).
		if len([]rune(c.Nom)) < 3 && len(c.CodesPostal) > 0 {
			q += "&postcode=" + c.CodesPostal[0]
		}
		queries = append(queries, q)
		for _, pc := range c.CodesPostal {
			queries = append(queries, "q="+pc)
		}
	}
	var geo map[string]struct {
		Center [2]float64 `json:"center"`
	}
	if err := readJSON(filepath.Join(dir, "geo", "ban-plateforme-communes-geo.json"), &geo); err != nil {
		return nil, err
	}
	var centres [][2]float64
	for code, g := range geo {
		// Jurisdiction covers metropolitan France and the DROM (971 to
		// 976), not the other overseas collectivities.
		if !strings.HasPrefix(code, "98") && !strings.HasPrefix(code, "975") && !strings.HasPrefix(code, "977") && !strings.HasPrefix(code, "978") {
			centres = append(centres, g.Center)
		}
	}
	// Map order is random: sort, so that a seed gives the same requests.
	slices.SortFunc(centres, func(a, b [2]float64) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	if len(ids) == 0 || len(queries) == 0 || len(centres) == 0 {
		return nil, fmt.Errorf("soak: %d station ids, %d geocoding queries, %d commune centres", len(ids), len(queries), len(centres))
	}
	log.Printf("mix inputs: %d station ids, %d geocoding queries, %d commune centres", len(ids), len(queries), len(centres))
	nearest := func(extra string) func(*rand.Rand) string {
		return func(rng *rand.Rand) string {
			return fmt.Sprintf("/v1/stations/nearest?lat=%.5f&lon=%.5f%s", 42.3+rng.Float64()*8.8, -4.8+rng.Float64()*13.0, extra)
		}
	}
	return []endpoint{
		{name: "nearest", weight: 30, next: nearest("")},
		{name: "nearest_open_now", weight: 10, next: nearest("&open=now")},
		{name: "jurisdiction", weight: 25, outside404: true, next: func(rng *rand.Rand) string {
			c := centres[rng.IntN(len(centres))]
			return fmt.Sprintf("/v1/jurisdiction?lat=%.5f&lon=%.5f", c[1], c[0])
		}},
		{name: "geocode", weight: 20, next: func(rng *rand.Rand) string {
			return "/v1/geocode?" + queries[rng.IntN(len(queries))]
		}},
		{name: "station_by_id", weight: 15, next: func(rng *rand.Rand) string {
			return "/v1/stations/" + url.PathEscape(ids[rng.IntN(len(ids))])
		}},
	}, nil
}

// stationIDs pages through GET /v1/stations.
func stationIDs(client *http.Client, base string) ([]string, error) {
	var ids []string
	for page := 1; ; page++ {
		resp, err := client.Get(fmt.Sprintf("%s/v1/stations?per_page=500&page=%d", base, page))
		if err != nil {
			return nil, err
		}
		var body struct {
			Stations []struct {
				ID string `json:"id"`
			} `json:"stations"`
			Total int `json:"total"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("soak: station list page %d: %w", page, err)
		}
		for _, s := range body.Stations {
			ids = append(ids, s.ID)
		}
		if len(body.Stations) == 0 || len(ids) >= body.Total {
			return ids, nil
		}
	}
}

func readJSON(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := json.NewDecoder(f).Decode(v); err != nil {
		return fmt.Errorf("soak: %s: %w", path, err)
	}
	return nil
}

// rssKB returns the process's resident memory in kB, or -1.
func rssKB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return -1
}

// goroutines returns go_goroutines from the server's /metrics, or -1.
func goroutines(client *http.Client, base string) int {
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "go_goroutines "); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return -1
}
