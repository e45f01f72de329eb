// Package data holds guichet's domain: stations, communes and their
// jurisdiction, the load report, and the immutable Dataset that answers
// queries (nearest stations, open now, the commune at a point and its
// competent units, commune listings, and the glue to the address
// geocoder).
//
// A Dataset is built once by New from Sources, the plain value of
// everything a load parsed, and never modified afterwards, so it is safe
// for concurrent use without locks; a reload builds a new Dataset and the
// caller swaps the pointer. New builds the indexes and joins the sources
// (communes with their boundaries, jurisdiction rows with the stations,
// addresses and communes into the geocoder); it parses no file format.
//
// What it may import: data/hours (opening hours), geo (spatial indexes)
// and geo/geocode (address search), never encoding/json, encoding/csv or
// another guichet package (scripts/check-deps.sh).
//
// Its neighbours: data/load parses the source files into Sources and
// calls New; data/batch geocodes uploaded CSV files against a Dataset;
// data/fetch downloads the source files; api serves a Dataset over HTTP.
// The shared rules live here: what a commune code and a postcode look
// like (IsCommuneCode, IsPostcode), how names compare (FoldName), where
// France is (CheckLocation).
package data
