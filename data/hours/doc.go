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
// instant after t whose status differs; a new comment or rule with the
// same status is no change.
//
// Rules follow opening_hours as opening_hours.js (3.15) evaluates them,
// checked against it by a differential test. For a day, the rules that
// select it apply in order, a later one winning on the minutes it covers;
// a ";" rule that opens or says unknown first discards what earlier rules
// gave the day (when it has a day selector, or when neither it nor the
// rule before has one), while a closing rule or a "," rule only adds
// ("Mo-Fr 08:00-18:00; Mo-Fr 12:00-14:00 off" closes the lunch hours
// only). A "||" rule, and the "," rules that follow it, apply only while
// the state is closed. A time range past midnight ("Fr 20:00-02:00")
// gives the next day its part after midnight, in the rule's place: a
// later ";" rule selecting Saturday discards it ("Fr 20:00-02:00; Sa
// 10:00-12:00" is closed on Saturday at 01:00). A comment without a state
// makes the rule unknown. "08:00-12:00, 14:00-18:00" is one list of times.
//
// Where opening_hours.js reports the name of a public holiday as the
// comment of a PH rule, State.Comment stays the rule's own comment and
// the holiday is named in State.Reason.
//
// Schedule.OpenMask gives the minutes of the week (WeekMinute) in which a
// schedule may be open, so that an index of stations by time of the week
// never needs to read a schedule's text.
//
// Schedules are immutable after parsing and safe for concurrent use.
package hours
