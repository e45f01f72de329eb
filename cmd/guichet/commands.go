package main

// The commands, their help and examples. Each run function defines its
// flags; 'guichet COMMAND --help' prints them between about and examples.
func init() {
	commands["serve"] = command{
		summary: "run the HTTP API",
		usage:   "[--addr HOST:PORT] [--data DIR] [flags]",
		about: `Serves the HTTP API on the open data in --data. When the directory holds
no data, the official sources are downloaded into it first; without
network access, that fails at once with advice. Every flag can also be
set by the environment variable named beside it; the flag wins.`,
		examples: []string{
			"guichet serve",
			"guichet serve --data ./opendata --addr 0.0.0.0:8080",
			"GUICHET_DATA=./opendata GUICHET_LOG_FORMAT=text guichet serve",
		},
		run: runServe,
	}
	commands["fetch"] = command{
		summary: "download the official open data into a directory",
		usage:   "[--to DIR] [--ban 38,69] [--sources FILE]",
		about: `Downloads the official open-data files (data.gouv.fr, etalab, the
service-public.fr directory) into DIR, each checked before it replaces
the previous one, and prints a line per source. A file unchanged since
the last fetch is not downloaded again.`,
		examples: []string{
			"guichet fetch --to ./opendata",
			"guichet fetch --to ./opendata --ban 38,69",
		},
		run: runFetch,
	}
	commands["validate"] = command{
		summary: "load a data directory and print the load report",
		usage:   "[--data DIR]",
		about: `Loads every file of the directory as serve would, and prints per file
the rows read, kept, merged, rejected and ignored, each rejected row with
its file, line and reason, then the totals. Exits 1 when no station could
be loaded.`,
		examples: []string{"guichet validate --data ./opendata"},
		run:      runValidate,
	}
	commands["nearest"] = command{
		summary: "print the stations nearest to a point, as JSON",
		usage:   "[--data DIR] --lat LAT --lon LON [--limit N] [--force gendarmerie|police]",
		about: `Prints the nearest stations to a point, as GET /v1/stations/nearest
answers: distance, address, contact and opening hours now.`,
		examples: []string{
			"guichet nearest --data ./opendata --lat 45.188 --lon 5.724",
			"guichet nearest --data ./opendata --lat 48.853 --lon 2.349 --limit 3 --force police",
		},
		run: runNearest,
	}
	commands["locate"] = command{
		summary: "print the commune, force and competent units at a point, as JSON",
		usage:   "[--data DIR] --lat LAT --lon LON [--boundary-m M]",
		about: `Prints the commune at a point, the force (police or gendarmerie) and the
units competent there, and the neighbouring communes near its border, as
GET /v1/jurisdiction answers.`,
		examples: []string{"guichet locate --data ./opendata --lat 45.188 --lon 5.724"},
		run:      runLocate,
	}
	commands["hours"] = command{
		summary: "evaluate opening-hours values read as JSON lines on stdin",
		usage:   "< values.jsonl",
		about: `Reads one JSON object per line on stdin:

    {"id": any, "hours": "...", "at": "RFC 3339", "tz": "IANA zone", "dep": "38"}

"hours" is the ministry's French text, "24h/24 - 7j/7" or an OpenStreetMap
opening_hours value; "at" defaults to now, "dep" picks the holiday
calendar and zone of a département, "tz" overrides the zone. Writes one
JSON line per input line, in order, echoing "id" with "state", "open",
"unknown", "comment", "next_change", "osm" and "error".`,
		examples: []string{
			`echo '{"id":1,"hours":"Mo-Fr 08:00-18:00","at":"2026-12-02T10:00:00+01:00"}' | guichet hours`,
		},
		run: runHours,
	}
	commands["geocode"] = command{
		summary: "geocode one address, or a CSV file like POST /v1/geocode/csv",
		usage:   `[--data DIR] [--json] [--limit N] "ADDRESS"  |  [--data DIR] [--columns a,b] [--postcode col] [--citycode col] [in.csv|-] > out.csv`,
		about: `With an address, prints its best matches: label, score, coordinates,
and the force and units competent there (--json: the GeoCodeJSON of
GET /v1/geocode). With a CSV file (an argument naming an existing file,
"-" or none for stdin), geocodes every row offline and writes the CSV of
POST /v1/geocode/csv to stdout; on a terminal, a progress line shows the
rows, bytes, rate and time left.`,
		examples: []string{
			`guichet geocode --data ./opendata "8 bd du port, Amiens"`,
			`guichet geocode --data ./opendata --json "mairie, Grenoble"`,
			"guichet geocode --data ./opendata --columns adresse,ville --postcode cp in.csv > out.csv",
		},
		run: runGeocode,
	}
	commands["healthcheck"] = command{
		summary: "exit 0 when the server answers its health URL with 200 (container probes)",
		usage:   "[--url URL] [--timeout D]",
		about: `Lets a container probe the server without a shell or curl: the runtime
image holds nothing but this binary.`,
		examples: []string{"guichet healthcheck --url http://127.0.0.1:8080/healthz"},
		run:      runHealthcheck,
	}
}
