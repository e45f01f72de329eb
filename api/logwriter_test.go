package api

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the writer's flushing goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogWriterBatchesWholeLines(t *testing.T) {
	var out syncBuffer
	l := NewLogWriter(&out, time.Hour)
	l.Write([]byte("one\n"))
	l.Write([]byte("two\n"))
	if got := out.String(); got != "" {
		t.Fatalf("written before the interval and below the size: %q", got)
	}
	l.Flush()
	if got := out.String(); got != "one\ntwo\n" {
		t.Fatalf("after Flush: %q", got)
	}
	// Past logWriterMax pending bytes, lines go out at once, whole.
	line := strings.Repeat("x", 1000) + "\n"
	for range logWriterMax / len(line) {
		l.Write([]byte(line))
	}
	if got := out.String(); got != "one\ntwo\n" {
		t.Fatalf("written below logWriterMax: %d bytes", len(got))
	}
	l.Write([]byte(line))
	if got := out.String(); len(got) != len("one\ntwo\n")+(logWriterMax/len(line)+1)*len(line) {
		t.Fatalf("after passing logWriterMax: %d bytes written", len(got))
	}
	l.Write([]byte("last\n"))
	l.Close()
	if got := out.String(); !strings.HasSuffix(got, line+"last\n") {
		t.Fatalf("Close did not write the pending line: ...%q", got[max(0, len(got)-20):])
	}
	l.Write([]byte("after\n"))
	if got := out.String(); !strings.HasSuffix(got, "last\nafter\n") {
		t.Fatalf("a line after Close was held back: ...%q", got[max(0, len(got)-20):])
	}
}

func TestLogWriterInterval(t *testing.T) {
	var out syncBuffer
	l := NewLogWriter(&out, 10*time.Millisecond)
	defer l.Close()
	l.Write([]byte("tick\n"))
	deadline := time.Now().Add(5 * time.Second)
	for out.String() != "tick\n" {
		if time.Now().After(deadline) {
			t.Fatalf("pending line not written within 5 s of a 10 ms interval: %q", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestLogWriterReportsWriteErrors(t *testing.T) {
	l := NewLogWriter(failingWriter{}, time.Hour)
	defer l.Close()
	l.Write([]byte("a\n"))
	l.Flush()
	if _, err := l.Write([]byte("b\n")); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Write after a failed flush: err = %v, want disk full", err)
	}
	if _, err := l.Write([]byte("c\n")); err != nil {
		t.Fatalf("the error was reported twice: %v", err)
	}
}
