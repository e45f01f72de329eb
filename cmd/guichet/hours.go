package main

import (
	"context"
	"io"
	"time"

	"guichet/data/hours"
)

// runHours checks a batch of opening-hours values: JSON lines in, one JSON
// line out per input, in order (see hours.CheckLines for the fields).
func runHours(_ context.Context, args []string, stdin io.Reader, stdout, _ io.Writer) error {
	fs := newFlags("hours", stdout)
	if err := fs.parse(args); err != nil {
		return err
	}
	return hours.CheckLines(stdin, stdout, time.Now())
}
