package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"guichet/data"
)

func runValidate(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("validate", stderr)
	dir := dataFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ds, err := loadData(*dir)
	if ds != nil {
		printReport(stdout, ds)
	}
	return err
}

func printReport(w io.Writer, ds *data.Dataset) {
	rep := ds.Report()
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tFORMAT\tENCODING\tROWS\tKEPT\tMERGED\tREJECTED\tIGNORED")
	for _, f := range rep.Files {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n", f.File, f.Format, f.Encoding, f.Rows, f.Kept, f.Merged, len(f.Rejections), f.Ignored)
	}
	tw.Flush()
	for _, s := range rep.Skipped {
		fmt.Fprintf(w, "skipped %s: %s\n", s.File, s.Reason)
	}
	for _, r := range rep.Rejections() {
		fmt.Fprintf(w, "rejected %s\n", r.Error())
	}
	for _, r := range rep.Warnings() {
		fmt.Fprintf(w, "warning %s\n", r.Error())
	}
	counts := ds.CountByForce()
	fmt.Fprintf(w, "\n%d rows read, %d kept (%d of them merged into a station of another file), rejected by reason %v\n",
		rep.Rows(), rep.Kept(), rep.Merged(), rep.RejectedByReason())
	fmt.Fprintf(w, "%d stations: %d gendarmerie, %d police; version %s\n", ds.Len(), counts[data.Gendarmerie], counts[data.Police], ds.Version())
	fmt.Fprintf(w, "%d communes and arrondissements, %d commune boundaries\n", ds.CommuneCount(), ds.BoundaryCount())
}
