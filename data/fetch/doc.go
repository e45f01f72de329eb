// Package fetch declares the official open-data files guichet is built
// from and downloads them into a data directory, recording what it fetched
// in a manifest.
//
// What it holds: the default source list and its JSON override, the BAN
// files per département, the fetcher (conditional requests, atomic
// replacement, progress) and the manifest. It never parses the files it
// downloads: a Fetcher's Verify hook, which cmd/guichet wires to
// data/load.VerifyFile, checks them.
//
// What it may import: the standard library only (scripts/check-deps.sh).
// Its neighbours: data/load reads what it downloads and names its formats
// after this package's; cmd/guichet runs it (guichet fetch, and serve
// --refresh).
package fetch
