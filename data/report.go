package data

import (
	"fmt"
	"sort"
)

// Rejection reasons, stable keys for counting and for the API.
const (
	ReasonMissingCoordinates = "missing_coordinates"
	ReasonZeroCoordinates    = "zero_coordinates"
	ReasonOutOfRange         = "coordinates_out_of_range"
	ReasonOutsideTerritory   = "coordinates_outside_territory"
	ReasonDuplicateID        = "duplicate_id"
	ReasonBadField           = "bad_field"
	ReasonMalformedRow       = "malformed_row"
	// ReasonUnreadableFile rejects the rest of a file that cannot be parsed
	// further; it counts no row.
	ReasonUnreadableFile = "unreadable_file"
	// ReasonBadHours is a warning: the station is kept, its hours unknown.
	ReasonBadHours = "unparsable_hours"
)

// Rejection is one input row that was not loaded.
type Rejection struct {
	File   string
	Line   int
	Reason string
	Detail string
}

// Error formats r as "file:line: reason: detail".
func (r Rejection) Error() string {
	return fmt.Sprintf("%s:%d: %s: %s", r.File, r.Line, r.Reason, r.Detail)
}

// FileReport summarises what was read from one recognised file.
type FileReport struct {
	File     string
	Format   string
	Encoding string
	Rows     int
	Kept     int
	// Merged counts the kept rows that completed a station already read
	// from another source instead of adding one.
	Merged int
	// Ignored counts the records of kinds guichet does not serve, such as
	// the other public services of a directory export; they are not rows.
	Ignored    int
	Rejections []Rejection
	// Warnings are rows that were kept with a field left unknown, or
	// kept but not linked to the service their code names.
	Warnings []Rejection
}

// SkippedFile is a file of the data directory that no loader recognised.
type SkippedFile struct {
	File   string
	Reason string
}

// Report is the outcome of a load: nothing read is ever dropped without a
// trace in it.
type Report struct {
	Files   []FileReport
	Skipped []SkippedFile
}

// Rows returns the number of data rows read across all files.
func (r *Report) Rows() int {
	n := 0
	for _, f := range r.Files {
		n += f.Rows
	}
	return n
}

// Kept returns the number of rows loaded across all files.
func (r *Report) Kept() int {
	n := 0
	for _, f := range r.Files {
		n += f.Kept
	}
	return n
}

// Merged returns the number of kept rows that completed a station of
// another file instead of adding one.
func (r *Report) Merged() int {
	n := 0
	for _, f := range r.Files {
		n += f.Merged
	}
	return n
}

// RejectedByReason counts rejections per reason across all files.
func (r *Report) RejectedByReason() map[string]int {
	m := map[string]int{}
	for _, f := range r.Files {
		for _, x := range f.Rejections {
			m[x.Reason]++
		}
	}
	return m
}

// Rejections returns every rejection, ordered by file then line.
func (r *Report) Rejections() []Rejection {
	var all []Rejection
	for _, f := range r.Files {
		all = append(all, f.Rejections...)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].File != all[j].File {
			return all[i].File < all[j].File
		}
		return all[i].Line < all[j].Line
	})
	return all
}

// Reject records that the row at line was not kept, and why.
func (fr *FileReport) Reject(line int, reason, format string, args ...any) {
	fr.Rejections = append(fr.Rejections, Rejection{File: fr.File, Line: line, Reason: reason, Detail: fmt.Sprintf(format, args...)})
}

// Warn records that the row at line was kept with a field left unknown or
// unlinked.
func (fr *FileReport) Warn(line int, reason, format string, args ...any) {
	fr.Warnings = append(fr.Warnings, Rejection{File: fr.File, Line: line, Reason: reason, Detail: fmt.Sprintf(format, args...)})
}

// SummariseUnlisted adds one rejection counting the rows rejected but not
// listed, when a file has more than MaxFileRejections. Call it once, when
// the file's rows are all counted.
func (fr *FileReport) SummariseUnlisted() {
	if len(fr.Rejections) < MaxFileRejections {
		return
	}
	if n := fr.Rows - fr.Kept - len(fr.Rejections); n > 0 {
		fr.Reject(0, ReasonBadField, "%d more rejected rows not listed", n)
	}
}

// file returns the report of the named file, or nil.
func (r *Report) file(name string) *FileReport {
	for i := range r.Files {
		if r.Files[i].File == name {
			return &r.Files[i]
		}
	}
	return nil
}

// warnAt adds a warning to the report of file, once every file is read.
func (r *Report) warnAt(file string, line int, reason, format string, args ...any) {
	for i := range r.Files {
		if r.Files[i].File == file {
			r.Files[i].Warn(line, reason, format, args...)
			return
		}
	}
}

// Warnings returns every warning, ordered by file then line.
func (r *Report) Warnings() []Rejection {
	var all []Rejection
	for _, f := range r.Files {
		all = append(all, f.Warnings...)
	}
	return all
}

// scratch returns a copy of r that can be added to without changing r,
// for a build that repeats what was reported already.
func (r *Report) scratch() *Report {
	c := &Report{Files: make([]FileReport, len(r.Files)), Skipped: r.Skipped}
	for i, f := range r.Files {
		// Clipped, so that appending copies rather than writing into r's arrays.
		f.Rejections, f.Warnings = f.Rejections[:len(f.Rejections):len(f.Rejections)], f.Warnings[:len(f.Warnings):len(f.Warnings)]
		c.Files[i] = f
	}
	return c
}
