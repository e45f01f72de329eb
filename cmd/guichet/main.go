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
//	guichet geocode  [--data DIR] [--json] "ADDRESS"
//	guichet geocode  [--data DIR] [--columns a,b] [--postcode col] [--citycode col] in.csv > out.csv
//	guichet healthcheck [--url URL]
//
// 'guichet help COMMAND' or 'guichet COMMAND --help' prints a command's
// flags and examples.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"

	_ "time/tzdata" // opening hours are evaluated in each station's zone, whatever the host has
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand: it parses its own flags from args. Its help
// is the usage line, the description, the flags and the examples.
type command struct {
	summary  string
	usage    string // after "guichet NAME"
	about    string
	examples []string
	run      func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

// Exit codes: 2 for a command line that cannot be run as written, 1 for a
// command that ran and failed.
const (
	exitFailure = 1
	exitUsage   = 2
)

// usageError is a command line that cannot be run as written: it is
// printed with a pointer to the command's help, and exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// reported marks an error the command has already told the user about, in
// its log or with advice, so that it is not printed a second time.
type reported struct{ error }

func (r reported) Unwrap() error { return r.error }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return 0
	case "help":
		if len(args) == 1 {
			usage(stdout)
			return 0
		}
		cmd, ok := commands[args[1]]
		if !ok {
			fmt.Fprintf(stderr, "guichet: unknown command %q; 'guichet help' lists them\n", args[1])
			return exitUsage
		}
		// The command prints its own help, flags included.
		return exitCode(cmd.run(ctx, []string{"--help"}, stdin, stdout, stderr), args[1], stderr)
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "guichet: unknown command %q; 'guichet help' lists them\n", args[0])
		return exitUsage
	}
	return exitCode(cmd.run(ctx, args[1:], stdin, stdout, stderr), args[0], stderr)
}

// exitCode prints err, unless already told, and returns the exit status.
func exitCode(err error, name string, stderr io.Writer) int {
	var ue *usageError
	var done reported
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "guichet %s: %s\nRun 'guichet %[1]s --help' for usage.\n", name, ue.msg)
		return exitUsage
	case errors.As(err, &done):
		return exitFailure
	}
	fmt.Fprintf(stderr, "guichet %s: %v\n", name, err)
	return exitFailure
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "guichet tells which police station or gendarmerie to go to, anywhere in France.\n\nusage: guichet <command> [flags]\n\ncommands:")
	for _, name := range sortedKeys(commands) {
		fmt.Fprintf(w, "  %-11s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, `
Commands that read data take --data DIR (or GUICHET_DATA); 'guichet fetch'
downloads the official open data into one. They keep a compiled snapshot
of it, DIR/.guichet-snapshot (or one in the user cache directory when DIR
is read-only), and start from it in a fraction of a second until a file
of DIR changes; --no-snapshot (GUICHET_NO_SNAPSHOT=1) turns it off.

Run 'guichet <command> --help' for its flags and examples.`)
}

// flags is a command's flag set. Help goes to stdout; errors come back
// from parse as usage errors.
type flags struct {
	*flag.FlagSet
	name   string
	stdout io.Writer
}

func newFlags(name string, stdout io.Writer) *flags {
	fs := flag.NewFlagSet("guichet "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned and printed once, by run
	fs.Usage = func() {}
	return &flags{FlagSet: fs, name: name, stdout: stdout}
}

// parse reads the flags, allowing no positional argument.
func (f *flags) parse(args []string) error { return f.parseArgs(args, 0) }

// parseArgs reads the flags and allows at most max positional arguments.
// --help anywhere before "--" prints the help and returns flag.ErrHelp.
func (f *flags) parseArgs(args []string, max int) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" || a == "--h" {
			f.printHelp()
			return flag.ErrHelp
		}
	}
	if err := f.Parse(args); err != nil {
		msg := undefinedFlag.ReplaceAllString(err.Error(), "unknown flag --$1")
		return usagef("%s", doubleDash.ReplaceAllString(msg, "flag --$1"))
	}
	if f.NArg() > max {
		return usagef("unexpected argument %q", f.Arg(max))
	}
	return nil
}

// The flag package's messages, with flags spelt as the help spells them.
var (
	doubleDash    = regexp.MustCompile(`flag -([a-z])`)
	undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
)

func (f *flags) printHelp() {
	cmd := commands[f.name]
	w := f.stdout
	fmt.Fprintf(w, "usage: guichet %s %s\n\n%s\n", f.name, cmd.usage, strings.TrimSpace(cmd.about))
	var any bool
	f.VisitAll(func(fl *flag.Flag) {
		if !any {
			fmt.Fprintln(w, "\nflags:")
			any = true
		}
		typ, text := flag.UnquoteUsage(fl)
		if typ != "" {
			typ = " " + strings.ToUpper(typ)
		}
		fmt.Fprintf(w, "  --%s%s\n      %s", fl.Name, typ, text)
		if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" {
			fmt.Fprintf(w, " (default %s)", fl.DefValue)
		}
		fmt.Fprintln(w)
	})
	if len(cmd.examples) > 0 {
		fmt.Fprintln(w, "\nexamples:")
		for _, e := range cmd.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

// envOr returns the environment variable key, or def when it is unset.
func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}
