// Package batch geocodes an uploaded CSV file row by row against a
// data.Dataset and streams it back with result columns appended, as
// api-adresse's /search/csv/ does, plus each row's competent units and
// nearest station.
//
// What it holds: the reading of the upload (encoding, delimiter, header,
// the choice of the query columns), the worker pool that keeps rows in
// order with flat memory, the result columns (declared once, in
// resultColumns, as a name and how to read it from a row's result) and
// the neutralisation of spreadsheet formulas in the cells it writes.
//
// What it may import: data, data/sniff (encodings and separators, shared
// with data/load) and geo/geocode (scripts/check-deps.sh); never data/load.
//
// Its neighbours: api's POST /v1/geocode/csv and the guichet geocode
// command call GeocodeCSV and ScanCSV; data answers each row's queries.
package batch
