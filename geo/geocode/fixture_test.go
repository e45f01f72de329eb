package geocode

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"io"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
)

// readTestAddresses reads the addresses of a BAN-layout CSV written for
// these tests (plain or gzip), failing tb on any bad row: the package
// reads no source format itself, data/load does, so its tests carry the
// little they need to turn their fixtures into Addresses.
func readTestAddresses(tb testing.TB, r io.Reader, fn func(Address) error) {
	tb.Helper()
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			tb.Fatal(err)
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	cr := csv.NewReader(r)
	cr.Comma = ';'
	header, err := cr.Read()
	if err != nil {
		tb.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			tb.Fatalf("line %d: %v", line, err)
		}
		f := func(name string) string { return rec[col[name]] }
		lon, err1 := strconv.ParseFloat(f("lon"), 64)
		lat, err2 := strconv.ParseFloat(f("lat"), 64)
		if err1 != nil || err2 != nil {
			tb.Fatalf("line %d: bad coordinates %q,%q", line, f("lon"), f("lat"))
		}
		a := Address{ID: f("id"), Number: f("numero"), Rep: f("rep"), Street: f("nom_voie"), Postcode: f("code_postal"),
			Citycode: f("code_insee"), City: f("nom_commune"), Point: orb.Point{lon, lat}}
		if err := fn(a); err != nil {
			tb.Fatalf("line %d: %v", line, err)
		}
	}
}
