// Command load is an HTTP load generator for a URL template whose {lat}
// and {lon} are replaced by points drawn over metropolitan France from a
// seeded generator. It prints one line: requests/s, latency percentiles,
// errors and its own CPU time per request.
//
// By default the loop is closed: -c connections each send a request as
// soon as the previous one is answered, for a duration. With -rate the
// loop is open: requests are sent at a constant arrival rate whatever the
// server's latency, over at most -c connections, and each latency runs
// from the request's intended send time, so time spent waiting for a late
// schedule or a free connection counts (no coordinated omission).
//
//	go run ./scripts/load -url 'http://127.0.0.1:8080/v1/stations/nearest?lat={lat}&lon={lon}' -c 8 -d 10s
//	go run ./scripts/load -url '...' -rate 5000 -c 256 -d 60s
//	go run ./scripts/load -url '...' -close   # a new connection per request
//
// With -close each request dials, sends Connection: close and reads the
// answer until the server closes, without net/http's client (close.go):
// the load generator shares the CPUs with the server it measures and must
// cost less per request than the server does. Keep-alive requests go
// through net/http's client.
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	target := flag.String("url", "", "URL template; {lat} and {lon} are replaced per request")
	conns := flag.Int("c", 8, "connections; closed loop: each with one request in flight; open loop: at most this many")
	rate := flag.Float64("rate", 0, "open loop: requests per second sent on schedule; 0 for a closed loop")
	dur := flag.Duration("d", 10*time.Second, "duration of the measurement")
	warm := flag.Duration("warmup", time.Second, "load sent before measuring")
	seed := flag.Uint64("seed", 1, "seed of the query points")
	gz := flag.Bool("gzip", true, "accept gzip, as browsers do")
	closeConns := flag.Bool("close", false, "one TCP connection per request (Connection: close), as Tile38's HTTP interface works")
	cpuProfile := flag.String("cpuprofile", "", "write the client's CPU profile of the measured period to this file")
	flag.Parse()
	if *target == "" {
		fmt.Fprintln(os.Stderr, "load: -url is required")
		os.Exit(2)
	}
	get, err := getter(*target, *conns, *rate > 0, *gz, *closeConns)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	load := func(d time.Duration, seed uint64) ([]time.Duration, int, time.Duration) {
		if *rate > 0 {
			return runOpen(get, *target, *rate, d, seed)
		}
		return run(get, *target, *conns, d, seed)
	}
	load(*warm, *seed+1000)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		defer f.Close()
	}
	cpu0 := cpuTime()
	lat, errs, took := load(*dur, *seed)
	clientCPU := cpuTime() - cpu0
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	perRequest := 0.0
	if n := len(lat) + errs; n > 0 {
		perRequest = float64(clientCPU.Microseconds()) / float64(n)
	}
	fmt.Printf("rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f requests=%d errors=%d client_cpu_us=%.1f\n",
		float64(len(lat))/took.Seconds(), pct(.5), pct(.9), pct(.99), len(lat), errs, perRequest)
}

// cpuTime returns the user and system CPU time this process has used: the
// load generator shares the machine with the server it measures, so its
// own cost per request is half of what sets the rate.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// points draws query points over metropolitan France's bounding box: some
// fall in the sea, which the nearest search answers like any other.
type points struct{ rng *rand.Rand }

func (p points) url(target string) string {
	return strings.NewReplacer(
		"{lat}", strconv.FormatFloat(42.3+p.rng.Float64()*8.8, 'f', 5, 64),
		"{lon}", strconv.FormatFloat(-4.8+p.rng.Float64()*13.0, 'f', 5, 64),
	).Replace(target)
}

// getter returns the function that sends one request and reports why it
// failed, or "" on success: the lean client of close.go with -close,
// net/http's keep-alive client otherwise (gzip answers decompressed, as
// browsers do).
func getter(target string, conns int, open, gz, closeConns bool) (func(u string) string, error) {
	if closeConns {
		c, err := newCloseClient(target, conns, gz)
		if err != nil {
			return nil, err
		}
		return c.get, nil
	}
	tr := &http.Transport{MaxIdleConnsPerHost: conns, DisableCompression: !gz}
	if open {
		tr.MaxConnsPerHost = conns
	}
	client := &http.Client{Transport: tr, Timeout: requestTimeout}
	return func(u string) string { return get(client, u) }, nil
}

// get sends one request and reports why it failed (transport error,
// status other than 200), or "" on success, after reading the whole body.
func get(client *http.Client, u string) string {
	resp, err := client.Get(u)
	if err != nil {
		return err.Error()
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.Status + " " + u
	}
	return ""
}

// results gathers the outcomes of concurrent requests.
type results struct {
	mu   sync.Mutex
	lat  []time.Duration // of the successful requests
	errs int             // transport errors and statuses other than 200
}

// add counts one request; the first failures are told on stderr.
func (r *results) add(took time.Duration, fail string) {
	r.mu.Lock()
	if fail == "" {
		r.lat = append(r.lat, took)
	} else {
		r.errs++
		if r.errs <= 3 {
			fmt.Fprintln(os.Stderr, "load:", fail)
		}
	}
	r.mu.Unlock()
}

// run keeps conns requests in flight for d and returns the latency of each
// successful one and the number of failures (transport errors, non-200).
func run(get func(string) string, target string, conns int, d time.Duration, seed uint64) ([]time.Duration, int, time.Duration) {
	var (
		res results
		wg  sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pts := points{rand.New(rand.NewPCG(seed, uint64(w)))}
			for time.Now().Before(deadline) {
				u := pts.url(target)
				t0 := time.Now()
				fail := get(u)
				res.add(time.Since(t0), fail)
			}
		}()
	}
	wg.Wait()
	return res.lat, res.errs, time.Since(start)
}

// runOpen sends rate requests per second for d, the i-th at start+i/rate,
// each in its own goroutine (the client bounds the connections to -c), and
// returns the latency of each successful one measured from its intended
// send time, and the number of failures. The duration returned is d: the
// requests scheduled in it are all waited for.
func runOpen(get func(string) string, target string, rate float64, d time.Duration, seed uint64) ([]time.Duration, int, time.Duration) {
	var (
		res results
		wg  sync.WaitGroup
	)
	pts := points{rand.New(rand.NewPCG(seed, 0))}
	total := int(rate * d.Seconds())
	res.lat = make([]time.Duration, 0, total)
	start := time.Now()
	for i := 0; i < total; {
		// Send every request due by now, then sleep until the next one:
		// at high rates one wake-up sends several.
		due := min(total, int(time.Since(start).Seconds()*rate)+1)
		for ; i < due; i++ {
			at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
			u := pts.url(target)
			wg.Add(1)
			go func() {
				defer wg.Done()
				fail := get(u)
				res.add(time.Since(at), fail)
			}()
		}
		if i < total {
			time.Sleep(time.Until(start.Add(time.Duration(float64(i) / rate * float64(time.Second)))))
		}
	}
	wg.Wait()
	return res.lat, res.errs, d
}
