package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"guichet/data"
)

func runValidate(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newDataCommand("validate", stdout, stderr)
	if err := fs.parse(args); err != nil {
		return err
	}
	ds, err := fs.load()
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
	fmt.Fprintf(w, "\n%d rows read, %d kept (%d of them merged into a station of another file), %s\n",
		rep.Rows(), rep.Kept(), rep.Merged(), describeRejections(rep.RejectedByReason()))
	fmt.Fprintf(w, "%d stations: %d gendarmerie, %d police; version %s\n", ds.Len(), counts[data.Gendarmerie], counts[data.Police], ds.Version())
	fmt.Fprintf(w, "%d communes and arrondissements, %d commune boundaries\n", ds.CommuneCount(), ds.BoundaryCount())
}

// describeRejections writes rejection counts as a sentence, most frequent
// reason first: "3 rejected: 2 zero coordinates, 1 duplicate id".
func describeRejections(byReason map[string]int) string {
	total := 0
	reasons := sortedKeys(byReason)
	for _, r := range reasons {
		total += byReason[r]
	}
	if total == 0 {
		return "none rejected"
	}
	slices.SortStableFunc(reasons, func(a, b string) int { return byReason[b] - byReason[a] })
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%d %s", byReason[r], strings.ReplaceAll(r, "_", " "))
	}
	return fmt.Sprintf("%d rejected: %s", total, strings.Join(parts, ", "))
}
