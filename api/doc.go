// Package api is guichet's HTTP transport: routing, query decoding, wire
// types and the mapping of domain errors to RFC 9457 problems. It is the
// only package that imports Gin, so that the rest of guichet does not
// depend on a web framework.
package api
