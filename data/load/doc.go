// Package load reads a directory of open-data files into a data.Dataset.
//
// What it holds: one file per source format (the ministry's referential
// CSV, data.gouv.fr station CSV, service-public.fr JSON, station GeoJSON,
// commune boundary GeoJSON, the COG commune list, the commune geo index,
// the jurisdiction tables, BAN address CSV), the recognition of a file by
// its content (sniff.go), the coordinates parser, the directory walk
// (Dir, FS), the merges (duplicate ids, the directory records completing
// stations) and the load report of every row read, kept or rejected with
// its file, line and reason. VerifyFile checks a downloaded file the same
// way. Everything parsed is handed to data.New as one data.Sources value.
//
// What it may import: data, data/hours, data/sniff, data/fetch (the names
// of the downloaded formats), geo and geo/geocode (the BAN reader); it is
// the only package that reads a source format (scripts/check-deps.sh).
//
// Its neighbours: data holds the types it fills and builds the indexes;
// data/fetch downloads the files; cmd/guichet calls Dir at start and on
// reload.
package load
