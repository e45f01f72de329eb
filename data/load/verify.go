package load

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"guichet/data"
	"guichet/data/fetch"
)

// acceptedFormats maps the format a source declares to the loader formats
// that may read it.
var acceptedFormats = map[string][]string{
	fetch.FormatGendarmerieCSV:    {FormatDatagouvCSV, FormatReferentialCSV},
	fetch.FormatPoliceCSV:         {FormatDatagouvCSV, FormatReferentialCSV},
	fetch.FormatCompetenceCSV:     {FormatCompetenceANFSI, FormatCompetenceCSV},
	fetch.FormatContoursGeoJSONGz: {FormatCommunesGeoJSON},
	fetch.FormatCOGJSON:           {FormatCOGCommunesJSON},
	fetch.FormatCommuneCentres:    {FormatCommunesGeoIndex},
	fetch.FormatBANCSVGz:          {FormatBANCSV},
	fetch.FormatServicePublicJSON: {FormatServicePublicJSON},
}

// VerifyFile loads the one file at path exactly as FS would and returns
// the number of rows it kept. It fails when the file is not in a format
// accepted for the source format expected, or when it keeps no row: a
// download that does not pass must not replace a working file.
func VerifyFile(path, expected string) (int, error) {
	accepted, ok := acceptedFormats[expected]
	if !ok {
		return 0, fmt.Errorf("data: unknown source format %q", expected)
	}
	b := newBuilder()
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := b.loadFile(os.DirFS(dir), name, sha256.New()); err != nil {
		return 0, err
	}
	if len(b.report.Files) == 0 {
		reason := "format not recognised"
		if len(b.report.Skipped) > 0 {
			reason = b.report.Skipped[0].Reason
		}
		return 0, fmt.Errorf("data: %s: %s, want %s", name, reason, expected)
	}
	fr := b.report.Files[0]
	if len(b.addresses) > 0 {
		// The geocoder checks addresses as the dataset is built; the
		// other formats are checked as they are read.
		fr = data.New(b.sources(time.Time{}, "")).Report().Files[0]
	}
	found := false
	for _, f := range accepted {
		found = found || f == fr.Format
	}
	if !found {
		return 0, fmt.Errorf("data: %s is %s, want %s", name, fr.Format, expected)
	}
	if fr.Kept == 0 {
		return 0, fmt.Errorf("data: %s: no row kept out of %d", name, fr.Rows)
	}
	return fr.Kept, nil
}
