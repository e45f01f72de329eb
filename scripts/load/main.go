// Command load is a closed-loop HTTP load generator: N connections each
// send a request as soon as the previous one is answered, for a duration,
// to a URL template whose {lat} and {lon} are replaced by points drawn
// over metropolitan France from a seeded generator. It prints one line:
// requests/s, latency percentiles and errors.
//
//	go run ./scripts/load -url 'http://127.0.0.1:8080/v1/stations/nearest?lat={lat}&lon={lon}' -c 8 -d 10s
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	target := flag.String("url", "", "URL template; {lat} and {lon} are replaced per request")
	conns := flag.Int("c", 8, "connections, each with one request in flight")
	dur := flag.Duration("d", 10*time.Second, "duration of the measurement")
	warm := flag.Duration("warmup", time.Second, "load sent before measuring")
	seed := flag.Uint64("seed", 1, "seed of the query points")
	gz := flag.Bool("gzip", true, "accept gzip, as browsers do")
	flag.Parse()
	if *target == "" {
		fmt.Fprintln(os.Stderr, "load: -url is required")
		os.Exit(2)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: *conns, DisableCompression: !*gz}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	run(client, *target, *conns, *warm, *seed+1000)
	lat, errs, took := run(client, *target, *conns, *dur, *seed)
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	fmt.Printf("rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f requests=%d errors=%d\n",
		float64(len(lat))/took.Seconds(), pct(.5), pct(.9), pct(.99), len(lat), errs)
}

// run keeps conns requests in flight for d and returns the latency of each
// successful one and the number of failures (transport errors, non-200).
func run(client *http.Client, target string, conns int, d time.Duration, seed uint64) ([]time.Duration, int, time.Duration) {
	var (
		mu   sync.Mutex
		all  []time.Duration
		errs int
		wg   sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			var mine []time.Duration
			bad := 0
			for time.Now().Before(deadline) {
				// Metropolitan France's bounding box: some points fall in the
				// sea, which the nearest search answers like any other.
				u := strings.NewReplacer(
					"{lat}", strconv.FormatFloat(42.3+rng.Float64()*8.8, 'f', 5, 64),
					"{lon}", strconv.FormatFloat(-4.8+rng.Float64()*13.0, 'f', 5, 64),
				).Replace(target)
				t0 := time.Now()
				resp, err := client.Get(u)
				if err != nil {
					bad++
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					bad++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, errs, time.Since(start)
}
