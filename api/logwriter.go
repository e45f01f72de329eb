package api

import (
	"io"
	"sync"
	"time"
)

// LogWriter batches log lines into few writes: one write system call per
// access-log line would cost as much as a fifth of a small request.
// Lines reach the underlying writer whole, when logWriterMax bytes are
// pending and at least every interval, so a crash loses at most one
// interval of lines; Close writes what is pending.
type LogWriter struct {
	mu      sync.Mutex
	w       io.Writer
	pending []byte
	err     error // the first write error, reported by the next Write
	closed  bool
	stop    chan struct{}
	done    chan struct{}
}

// logWriterMax is the pending size that triggers a write at once.
const logWriterMax = 64 << 10

// NewLogWriter returns a LogWriter over w that writes pending lines every
// interval.
func NewLogWriter(w io.Writer, interval time.Duration) *LogWriter {
	l := &LogWriter{w: w, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				l.Flush()
			case <-l.stop:
				return
			}
		}
	}()
	return l
}

// Write queues p, which slog handlers pass as one whole line.
func (l *LogWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.err; err != nil {
		l.err = nil
		return 0, err
	}
	if l.closed {
		return l.w.Write(p)
	}
	l.pending = append(l.pending, p...)
	if len(l.pending) >= logWriterMax {
		l.flushLocked()
	}
	return len(p), nil
}

// Flush writes the pending lines now.
func (l *LogWriter) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
}

func (l *LogWriter) flushLocked() {
	if len(l.pending) == 0 {
		return
	}
	if _, err := l.w.Write(l.pending); err != nil && l.err == nil {
		l.err = err
	}
	l.pending = l.pending[:0]
}

// Close writes the pending lines and stops the periodic writes; later
// lines are written at once.
func (l *LogWriter) Close() error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.stop)
	}
	l.flushLocked()
	err := l.err
	l.err = nil
	l.mu.Unlock()
	<-l.done
	return err
}
