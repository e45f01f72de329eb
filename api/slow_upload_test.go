package api

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestSlowUploadsHoldNoBatchSlot opens uploads that trickle a few bytes a
// second, more of them than there are batch slots, over real sockets:
// while they hold their connections a normal upload must be geocoded,
// and each slow one must be cut with a 408 once it falls behind the
// minimum rate.
func TestSlowUploadsHoldNoBatchSlot(t *testing.T) {
	cfg := DefaultConfig()
	cfg.BatchConcurrency = 1
	s := geocodeServer(t, cfg)
	s.batchMinRate, s.batchRateGrace = 1000, 4*time.Second
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	contentType, body := multipartOfSize(100_000)
	type outcome struct {
		status string
		at     time.Time
	}
	const slowSenders = 3
	results := make(chan outcome, slowSenders)
	for range slowSenders {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: guichet\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", batchCSVRoute, contentType, len(body), body[:300])
		go func() {
			// Ten bytes a second, a hundredth of the minimum rate, until
			// the server cuts the connection.
			for i := 300; i < len(body); i++ {
				if _, err := conn.Write([]byte{body[i]}); err != nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
		go func() {
			line, _ := bufio.NewReader(conn).ReadString('\n')
			results <- outcome{strings.TrimSpace(line), time.Now()}
		}()
	}

	req := upload(t, "adresse;cp\nAlpha;38500\n", [2]string{"columns", "adresse"})
	req.RequestURI, req.URL = "", mustURL(t, srv.URL+batchCSVRoute)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	normalDone := time.Now()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(out), ";ok;") {
		t.Fatalf("normal upload beside %d slow ones = %d %s, want 200 with a geocoded row", slowSenders, resp.StatusCode, out)
	}
	for range slowSenders {
		select {
		case r := <-results:
			if !strings.HasPrefix(r.status, "HTTP/1.1 408") {
				t.Errorf("slow upload answered %q, want 408", r.status)
			}
			if r.at.Before(normalDone) {
				t.Errorf("a slow upload ended before the normal one: it did not hold its socket meanwhile")
			}
		case <-time.After(30 * time.Second):
			t.Fatal("a slow upload was not cut")
		}
	}
}

func mustURL(tb testing.TB, raw string) *url.URL {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
