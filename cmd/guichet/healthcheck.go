package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

func runHealthcheck(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("healthcheck", stdout)
	url := fs.String("url", envOr("GUICHET_HEALTHCHECK_URL", "http://127.0.0.1:8080/healthz"), "URL that must answer 200 (env GUICHET_HEALTHCHECK_URL)")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := fs.parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return fmt.Errorf("bad URL: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16)) // drain so the connection closes cleanly
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", *url, res.Status)
	}
	fmt.Fprintf(stdout, "%s: %s\n", *url, res.Status)
	return nil
}
