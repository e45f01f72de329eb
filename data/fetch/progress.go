package fetch

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Intervals between progress updates: a terminal bar is redrawn often, while
// plain lines, meant for logs, are rare.
const (
	barInterval  = 100 * time.Millisecond
	lineInterval = 5 * time.Second
	barWidth     = 30
)

// progress counts the bytes of one download and reports them to a writer.
type progress struct {
	w     io.Writer // nil means silent
	term  bool
	name  string
	total int64 // -1 when unknown
	n     int64
	last  time.Time
	now   func() time.Time

	status       func(Status) // nil when nobody asked
	index, count int
}

func (f *Fetcher) newProgress(name string, total int64, index, count int) *progress {
	p := &progress{
		w:      f.Progress,
		term:   isTerminal(f.Progress),
		name:   name,
		total:  total,
		last:   f.now(),
		now:    f.now,
		status: f.Status,
		index:  index,
		count:  count,
	}
	if f.Log != nil {
		p.w = nil // the log gets outcomes, not progress lines
	}
	if p.status != nil {
		p.status(Status{Source: name, Index: index, Count: count, Total: total})
	}
	return p
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	file, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := file.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *progress) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	if p.status != nil {
		p.status(Status{Source: p.name, Index: p.index, Count: p.count, Bytes: p.n, Total: p.total})
	}
	if p.w == nil {
		return len(b), nil
	}
	interval := lineInterval
	if p.term {
		interval = barInterval
	}
	if now := p.now(); now.Sub(p.last) >= interval {
		p.last = now
		p.report()
	}
	return len(b), nil
}

// done clears the terminal bar so that the next line starts clean.
func (p *progress) done() {
	if p.w != nil && p.term {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", len(p.line())))
	}
}

func (p *progress) report() {
	if p.term {
		fmt.Fprintf(p.w, "\r%s", p.line())
		return
	}
	fmt.Fprintln(p.w, p.line())
}

func (p *progress) line() string {
	if p.total <= 0 {
		return fmt.Sprintf("%s: %s", p.name, FormatSize(p.n))
	}
	pct := p.n * 100 / p.total
	if !p.term {
		return fmt.Sprintf("%s: %s of %s (%d%%)", p.name, FormatSize(p.n), FormatSize(p.total), pct)
	}
	fill := int(pct) * barWidth / 100
	return fmt.Sprintf("%s [%s%s] %3d%% %s", p.name,
		strings.Repeat("=", fill), strings.Repeat(" ", barWidth-fill), pct, FormatSize(p.total))
}

// FormatSize writes a byte count in decimal units, as download sizes are
// usually shown.
func FormatSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
