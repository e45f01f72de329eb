// Command trivial is the baseline of scripts/load/compare.sh: a Gin server
// answering a fixed JSON body of about 300 bytes, so that guichet's cost
// per request can be read as a fraction of the framework's own.
//
// With -body FILE it answers that file instead (compare.sh gives it one of
// guichet's own answers), compressed once at start for clients that accept
// gzip: the cheapest server for that payload, which separates the cost of
// the payload from the cost of computing it. With -headers FILE, a response
// dump as curl -D writes it, it also sends that response's header fields:
// compare.sh gives it guichet's own, to tell what they cost.
package main

import (
	"bytes"
	"flag"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/klauspost/compress/gzip"

	"guichet/api/baseline"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address")
	bodyFile := flag.String("body", "", "answer this file instead of the fixed 300-byte body")
	headerFile := flag.String("headers", "", "also send the header fields of this response dump (curl -D)")
	flag.Parse()
	body := []byte(`{"stations":[{"id":"gn-1004321","name":"Brigade de proximité de Voiron","force":"gendarmerie","distance_m":7218,"note":"` + strings.Repeat("x", 150) + `"}]}`)
	var zipped []byte
	if *bodyFile != "" {
		var err error
		if body, err = os.ReadFile(*bodyFile); err != nil {
			log.Fatal(err)
		}
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
		zw.Write(body)
		zw.Close()
		zipped = z.Bytes()
	}
	var header http.Header
	if *headerFile != "" {
		f, err := os.Open(*headerFile)
		if err != nil {
			log.Fatal(err)
		}
		header, err = baseline.ReadHeader(f)
		f.Close()
		if err != nil {
			log.Fatalf("%s: %v", *headerFile, err)
		}
	}
	if err := http.ListenAndServe(*addr, baseline.Handler(body, zipped, header)); err != nil {
		log.Fatal(err)
	}
}
