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
// ("Fr 20:00-02:00") belongs to the day it starts on and overflows into
// the next; as in opening_hours.js, a later ";" rule selecting Saturday
// also replaces that overflow ("Fr 20:00-02:00; Sa 10:00-12:00" is closed
// on Saturday at 01:00), and a Saturday range covering the same minute
// wins over it.
//
// Where opening_hours.js reports the name of a public holiday as the
// comment of a PH rule, State.Comment stays the rule's own comment and
// the holiday is named in State.Reason.
//
// Schedules are immutable after parsing and safe for concurrent use.
package hours
