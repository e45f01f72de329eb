//go:build ignore

// Command batch-load measures POST /v1/geocode/csv end to end over
// loopback: it loads a data directory (national communes plus a BAN file,
// e.g. the synthetic one from scripts/gen-synthetic-ban.go), serves the
// API on 127.0.0.1, uploads CSV files of each requested size streamed from
// a generator (queries drawn from the loaded BAN file), and reports rows/s
// and the process's peak heap above its idle level while the upload runs:
// heap in use (which includes garbage the GC has not collected yet, so it
// grows with the GC target, not with the rows kept) and live heap as
// measured at each GC. Client and server share the process, so the heap figure
// bounds both. Each size runs -runs times; medians are printed.
//
//	go run scripts/batch-load/main.go -data DIR -rows 10000,1000000 -runs 3
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"guichet/api"
	"guichet/data/load"
)

func main() {
	dir := flag.String("data", "", "data directory (communes, stations, BAN file)")
	ban := flag.String("queries", "", "BAN CSV (.gz) to draw query addresses from (default: first *synthetic*.csv.gz in -data)")
	sizes := flag.String("rows", "10000,1000000", "comma-separated upload sizes in rows")
	runs := flag.Int("runs", 3, "runs per size")
	flag.Parse()
	start := time.Now()
	ds, err := load.Dir(*dir, load.Options{})
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("loaded %d addresses, %d communes, %d stations in %s", ds.Geocoder().Len(), ds.CommuneCount(), ds.Len(), time.Since(start).Round(time.Millisecond))
	if *ban == "" {
		m, _ := filepath.Glob(filepath.Join(*dir, "*synthetic*.csv.gz"))
		if len(m) == 0 {
			log.Fatal("no -queries file")
		}
		*ban = m[0]
	}
	queries := readQueries(*ban, 200_000)
	cfg := api.DefaultConfig()
	cfg.MaxBatchBytes = 1 << 30
	cfg.MaxBatchRows = 10_000_000
	srv := api.New(cfg, ds, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, srv.Handler())
	url := "http://" + ln.Addr().String() + "/v1/geocode/csv"

	fmt.Printf("GOMAXPROCS=%d, %d addresses indexed\n", runtime.GOMAXPROCS(0), ds.Geocoder().Len())
	fmt.Println("rows\trun\trows/s\theap in use above idle, peak (MiB; includes garbage awaiting GC)\tlive heap after GC above idle, peak (MiB)\tok\tnot-found")
	for _, s := range strings.Split(*sizes, ",") {
		n, _ := strconv.Atoi(s)
		var rates, peaks, lives []float64
		for r := 0; r < *runs; r++ {
			rate, peak, live, ok, nf := upload(url, queries, n)
			rates, peaks, lives = append(rates, rate), append(peaks, peak), append(lives, live)
			fmt.Printf("%d\t%d\t%.0f\t%.1f\t%.1f\t%d\t%d\n", n, r+1, rate, peak, live, ok, nf)
		}
		fmt.Printf("%d\tmedian\t%.0f\t%.1f\t%.1f\n", n, median(rates), median(peaks), median(lives))
	}
}

// readQueries reads up to max "number street postcode city" strings.
func readQueries(path string, max int) []string {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			log.Fatal(err)
		}
		r = zr
	}
	cr := csv.NewReader(r)
	cr.Comma = ';'
	h, err := cr.Read()
	if err != nil {
		log.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range h {
		col[name] = i
	}
	var out []string
	for len(out) < max {
		rec, err := cr.Read()
		if err != nil {
			break
		}
		out = append(out, strings.TrimSpace(rec[col["numero"]]+rec[col["rep"]]+" "+rec[col["nom_voie"]]+","+rec[col["code_postal"]]+","+rec[col["nom_commune"]]))
	}
	return out
}

// upload streams an n-row file through a pipe, so the client never holds
// it, and samples the heap every 20 ms until the answer is read.
func upload(url string, queries []string, n int) (rate, peakMiB, liveMiB float64, ok, notFound int) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	idle := ms.HeapInuse
	var peak, peakLive atomic.Uint64
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	idleLive := live[0].Value.Uint64()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
				metrics.Read(live)
				if v := live[0].Value.Uint64(); v > peakLive.Load() {
					peakLive.Store(v)
				}
			}
		}
	}()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, _ := mw.CreateFormFile("data", "in.csv")
		bw := bufio.NewWriterSize(fw, 1<<16)
		bw.WriteString("adresse,postcode,city\n")
		for i := 0; i < n; i++ {
			bw.WriteString(queries[i%len(queries)])
			bw.WriteByte('\n')
		}
		bw.Flush()
		mw.WriteField("postcode", "postcode")
		pw.CloseWithError(mw.Close())
	}()
	start := time.Now()
	resp, err := http.Post(url, mw.FormDataContentType(), pr)
	if err != nil {
		log.Fatal(err)
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		log.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	cr := csv.NewReader(bufio.NewReaderSize(resp.Body, 1<<16))
	cr.ReuseRecord = true
	h, err := cr.Read()
	if err != nil {
		log.Fatal(err)
	}
	status := slices.Index(h, "result_status")
	rows := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		rows++
		switch rec[status] {
		case "ok":
			ok++
		case "not-found":
			notFound++
		}
	}
	resp.Body.Close()
	elapsed := time.Since(start)
	close(done)
	if rows != n {
		log.Fatalf("%d rows back, sent %d", rows, n)
	}
	p := peak.Load()
	if p < idle {
		p = idle
	}
	pl := max(peakLive.Load(), idleLive)
	return float64(n) / elapsed.Seconds(), float64(p-idle) / (1 << 20), float64(pl-idleLive) / (1 << 20), ok, notFound
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
