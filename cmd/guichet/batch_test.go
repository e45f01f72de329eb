package main

import (
	"bufio"
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"testing"
	"time"
)

// TestBatchOutlastsWriteTimeout uploads a batch whose answer takes far
// longer than the server's write timeout: it must arrive whole, because a
// batch extends its own deadline at each flush.
func TestBatchOutlastsWriteTimeout(t *testing.T) {
	m := NewMain()
	m.DataDir = "../../data/testdata/jurisdiction"
	m.HTTP.WriteTimeout = 50 * time.Millisecond
	MustRunMain(t, m)

	// Enough rows to outlast the timeout many times over, even without the
	// race detector, and few enough to keep the race pass short.
	const rows = 30_000
	var csv bytes.Buffer
	csv.WriteString("nom,adresse,postcode,city\n")
	for i := range rows {
		fmt.Fprintf(&csv, "r%d,%d rue de la gare,38500,Voiron\n", i, i)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("data", "batch.csv")
	part.Write(csv.Bytes())
	mw.Close()

	start := time.Now()
	resp, err := http.Post(m.URL()+"/v1/geocode/csv", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	lines := 0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		lines++
	}
	took := time.Since(start)
	if err := sc.Err(); err != nil {
		t.Fatalf("answer cut after %d lines and %v: %v", lines, took, err)
	}
	if lines != rows+1 {
		t.Fatalf("answer has %d lines, want %d", lines, rows+1)
	}
	if took < 3*m.HTTP.WriteTimeout {
		t.Fatalf("the batch took %v, too little to outlast a %v write timeout: the test proves nothing", took, m.HTTP.WriteTimeout)
	}
	t.Logf("%d rows answered in %v with a %v write timeout", rows, took, m.HTTP.WriteTimeout)
}
