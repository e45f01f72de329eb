// Package data holds guichet's domain: stations, their load report and the
// immutable Dataset that answers queries, plus one parser per source format.
//
// A Dataset is built once by Load and never modified afterwards, so it is
// safe for concurrent use without locks; a reload builds a new Dataset and
// the caller swaps the pointer.
package data
