package batch

import (
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"guichet/data/datatest"
	"guichet/data/opendatatest"
)

// BenchmarkGeocodeCSV reports the batch rate on the national communes,
// with the gendarmerie units' postal addresses as rows (each ten times).
func BenchmarkGeocodeCSV(b *testing.B) {
	ds := nationalDataset(b)
	f, err := os.Open(filepath.Join(opendatatest.Dir(b), "forces-de-l-ordre", "pel-referentiels", "pwb_ref_unite_gn.csv"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	var in strings.Builder
	cw := csv.NewWriter(&in)
	cw.Write([]string{"id", "adresse"})
	n := 0
	for range 10 {
		for _, r := range rows[1:] {
			cw.Write([]string{strconv.Itoa(n), r[3]})
			n++
		}
	}
	cw.Flush()
	input := in.String()
	b.ResetTimer()
	start, cpu := time.Now(), datatest.CPUSeconds()
	for b.Loop() {
		if _, err := GeocodeCSV(context.Background(), ds, strings.NewReader(input), io.Discard, Options{Columns: []string{"adresse"}}, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "rows/s")
	b.ReportMetric(float64(n*b.N)/(datatest.CPUSeconds()-cpu), "rows/cpu-s")
}
