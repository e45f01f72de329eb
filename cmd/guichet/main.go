// Command guichet serves and queries guichet's open data: which police
// station or gendarmerie to go to, anywhere in France.
//
// Usage:
//
//	guichet serve    [--addr HOST:PORT] [--data DIR] …  (--help lists every setting)
//	guichet fetch    [--to DIR] [--ban 38,69] [--sources FILE]
//	guichet validate [--data DIR]
//	guichet nearest  [--data DIR] --lat LAT --lon LON [--limit N] [--force F]
//	guichet locate   [--data DIR] --lat LAT --lon LON [--boundary-m M]
//	guichet hours    < values.jsonl
//	guichet geocode  [--data DIR] [--columns a,b] [--postcode col] [--citycode col] in.csv > out.csv
//	guichet healthcheck [--url URL]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // opening hours are evaluated in each station's zone, whatever the host has
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand: it parses its own flags from args.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func init() {
	commands["serve"] = command{"run the HTTP API", runServe}
	commands["validate"] = command{"load a data directory and print the load report", runValidate}
	commands["nearest"] = command{"print the stations nearest to a point, as JSON", runNearest}
	commands["locate"] = command{"print the commune, force and competent units at a point, as JSON", runLocate}
	commands["fetch"] = command{"download the official open data into a directory", runFetch}
	commands["hours"] = command{"evaluate opening-hours values read as JSON lines on stdin", runHours}
	commands["geocode"] = command{"geocode a CSV file offline, like POST /v1/geocode/csv", runGeocode}
}

// errUsage marks errors already explained by the flag package.
var errUsage = errors.New("usage")

// reported marks an error the command has already told the user about, in
// its log or with advice, so that it is not printed a second time.
type reported struct{ error }

func (r reported) Unwrap() error { return r.error }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "guichet: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	if err := cmd.run(ctx, args[1:], stdin, stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var done reported
		if !errors.Is(err, errUsage) && !errors.As(err, &done) {
			fmt.Fprintf(stderr, "guichet %s: %v\n", args[0], err)
		}
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: guichet <command> [flags]\n\ncommands:")
	for _, name := range sortedKeys(commands) {
		fmt.Fprintf(w, "  %-9s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'guichet <command> --help' for the flags of a command.")
}

// newFlags returns a flag set that reports errors to stderr without exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("guichet "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	return nil
}

// envOr returns the environment variable key, or def when it is unset.
func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}
