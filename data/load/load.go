package load

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"guichet/data"
	"guichet/data/sniff"
)

// ErrNoStations is returned by FS and Dir, with the Dataset and its report, when
// no station could be loaded: the data directory is empty, or every file
// was rejected.
var ErrNoStations = errors.New("data: no station loaded")

// maxTextFile bounds files that are read whole; larger ones are streamed by
// their loaders or refused.
const maxTextFile = 512 << 20

// Options tunes FS and Dir. The zero value is valid.
type Options struct {
	// Now returns the load time; nil means time.Now.
	Now func() time.Time
}

// fileLoader reads one recognised format into the builder.
type fileLoader struct {
	format string
	match  func(head) bool
	load   func(b *builder, fr *data.FileReport, r io.Reader, h head) error
}

// textLoader adapts a loader of whole decoded text: the file is read in
// full and its encoding (UTF-8 with or without BOM, or Latin-1) recorded.
func textLoader(fn func(b *builder, fr *data.FileReport, text string, h head) error) func(*builder, *data.FileReport, io.Reader, head) error {
	return func(b *builder, fr *data.FileReport, r io.Reader, h head) error {
		raw, err := io.ReadAll(io.LimitReader(r, maxTextFile+1))
		if err != nil {
			return err
		}
		if len(raw) > maxTextFile {
			return fmt.Errorf("file is larger than %d MiB", maxTextFile>>20)
		}
		text, enc := sniff.Decode(raw)
		fr.Encoding = enc
		return fn(b, fr, text, h)
	}
}

// fileLoaders is tried in order; the first whose match accepts a file's
// head loads it.
var fileLoaders = []fileLoader{
	{FormatReferentialCSV, isReferentialCSV, textLoader(func(b *builder, fr *data.FileReport, text string, h head) error {
		return loadReferentialCSV(text, h.sep, fr, b)
	})},
	{FormatDatagouvCSV, isDatagouvStationsCSV, textLoader(func(b *builder, fr *data.FileReport, text string, h head) error {
		return loadDatagouvCSV(text, h.sep, fr, b)
	})},
	{FormatServicePublicJSON, isServicePublicJSON, loadServicePublicJSON},
	{FormatStationsJSON, isStationsGeoJSON, textLoader(func(b *builder, fr *data.FileReport, text string, _ head) error {
		return loadStationsGeoJSON(text, fr, b)
	})},
	{FormatCommunesGeoJSON, isPolygonGeoJSON, loadCommunesGeoJSON},
	{FormatCOGCommunesJSON, isCOGCommunesJSON, loadCOGCommunes},
	{FormatCommunesGeoIndex, isCommunesGeoIndex, loadCommunesGeoIndex},
	{FormatCompetenceCSV, isCompetenceCSV, textLoader(func(b *builder, fr *data.FileReport, text string, h head) error {
		return loadCompetenceCSV(text, h.sep, fr, b)
	})},
	{FormatCompetenceANFSI, isCompetenceANFSI, textLoader(func(b *builder, fr *data.FileReport, text string, h head) error {
		return loadCompetenceANFSI(text, h.sep, fr, b)
	})},
	{"commune-unit-csv", isCommuneUnitCSV, skipCommuneUnitCSV},
	{FormatLaPosteCSV, isLaPosteCSV, textLoader(func(b *builder, fr *data.FileReport, text string, h head) error {
		return loadLaPosteCSV(text, h.sep, fr, b)
	})},
	{"laposte-postcodes-json", isLaPosteJSON, skipLaPosteJSON},
	{FormatBANCSV, isBANCSV, loadBANCSV},
}

// Dir loads every recognised file under dir.
func Dir(dir string, opts Options) (*data.Dataset, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("data: cannot open data directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("data: %s is not a directory", dir)
	}
	return FS(os.DirFS(dir), opts)
}

// FS walks fsys, recognises every file by its content (never by its
// name), loads what it recognises and reports what it skipped and why.
// It returns ErrNoStations, together with the Dataset holding the report,
// when nothing usable was found.
func FS(fsys fs.FS, opts Options) (*data.Dataset, error) {
	src, err := readFS(fsys, opts)
	if err != nil {
		return nil, err
	}
	ds := data.New(src)
	if ds.Len() == 0 {
		return ds, ErrNoStations
	}
	return ds, nil
}

// readFS reads every file of fsys into the sources of a dataset.
func readFS(fsys fs.FS, opts Options) (data.Sources, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	b := newBuilder()
	sum := sha256.New()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := path.Base(p)
		if p != "." && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		return b.loadFile(fsys, p, sum)
	})
	if err != nil {
		return data.Sources{}, fmt.Errorf("data: cannot load: %w", err)
	}
	return b.sources(now(), hex.EncodeToString(sum.Sum(nil))[:16]), nil
}

func (b *builder) loadFile(fsys fs.FS, p string, sum hash.Hash) error {
	f, err := fsys.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	// The version hashes every byte read, so two loads of the same files
	// give the same version and any change gives another.
	sum.Write([]byte(p))
	br, closer, err := openMaybeGzip(io.TeeReader(f, sum))
	if err != nil {
		b.report.Skipped = append(b.report.Skipped, data.SkippedFile{File: p, Reason: "corrupt gzip: " + err.Error()})
		return nil
	}
	defer closer.Close()
	peek, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) && len(peek) == 0 {
		b.report.Skipped = append(b.report.Skipped, data.SkippedFile{File: p, Reason: "unreadable: " + err.Error()})
		return nil
	}
	h := sniffHead(peek)
	for _, l := range fileLoaders {
		if !l.match(h) {
			continue
		}
		fr := data.FileReport{File: p, Format: l.format}
		if err := l.load(b, &fr, br, h); err != nil {
			var skip *skipFile
			switch {
			case errors.As(err, &skip):
				b.report.Skipped = append(b.report.Skipped, data.SkippedFile{File: p, Reason: skip.reason})
				return nil
			case errors.Is(err, errAbandoned):
				// The loader rejected the offending row itself.
			default:
				fr.Reject(errorLine(err), data.ReasonUnreadableFile, "file abandoned: %v", err)
			}
		}
		b.report.Files = append(b.report.Files, fr)
		return nil
	}
	reason := "format not recognised"
	if len(peek) == 0 {
		reason = "empty file"
	} else if name := path.Base(p); name == "sources.json" {
		reason = "fetch manifest"
	}
	b.report.Skipped = append(b.report.Skipped, data.SkippedFile{File: p, Reason: reason})
	return nil
}

// errorLine returns the line a parse error points at, or 0 when it names
// none: the rejection then concerns the file as a whole.
func errorLine(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Line
	}
	return 0
}
