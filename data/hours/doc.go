// Package hours parses opening hours of police and gendarmerie stations and
// tells whether a station is open at a given instant.
//
// Three sources are read into one Schedule: the Interior Ministry French
// text ("$Lundi : 8h00-12h00 14h00-18h00$…$Jours Fériés : 9h00-12h00"),
// service-public.fr structured ranges (Plage), and a subset of the
// OpenStreetMap opening_hours syntax, spec 0.6. Any schedule can be written
// back as a normalised opening_hours string with Schedule.OSM.
//
// # Evaluation
//
// A schedule is evaluated on the wall clock of the station's zone
// (Locale.Location) with its public-holiday calendar (Locale.Region). The
// state at an instant is the state of the wall-clock time it reads, so both
// occurrences of a repeated hour (the autumn DST change) have the same
// state, and a boundary that falls in a skipped hour (the spring change)
// takes effect at the first instant after the gap. State.Next is the first
// instant after t whose state or comment differs.
//
// Rules follow opening_hours: a rule separated by ";" replaces, for the
// days it selects, what earlier rules gave; "," adds to them; "||" fills
// only the times no earlier rule covers. A time range past midnight
// ("Fr 20:00-02:00") belongs to the day it starts on: a later rule for
// Saturday replaces Saturday's own ranges but not Friday's overflow,
// except that a Saturday range covering the same minute wins.
//
// Schedules are immutable after parsing and safe for concurrent use.
package hours
