// Package api is guichet's HTTP transport: routing, query decoding, wire
// types and the mapping of domain errors to RFC 9457 problems. It is the
// only package that imports Gin, so that the rest of guichet does not
// depend on a web framework.
//
// What it holds, file by file: server.go the Server and its Config (one
// DefaultConfig, defaults filled once in New); middleware.go, ratelimit.go
// and metrics.go what every request goes through; params.go the one rule
// every query parameter is read by, and query.go the typed reads built
// on it; problem.go the one table from errors to problems, fed by typed
// errors (ParamError names the parameter, batch.InputError the batch
// option, data.ErrInvalid and data.ErrNotFound the domain's refusals);
// cache.go the dataset of a request, its validators and the one
// If-None-Match check; stations.go, jurisdiction.go, hours.go,
// geocode.go, geocode_csv.go, bundle.go and widget_routes.go the
// routes; encode.go, fields.go and json.go the wire types.
//
// What it may import: the standard library; Gin, Prometheus, the
// compression and rate-limit libraries; guichet/data, data/batch (the
// CSV pipeline the batch upload streams through), and the packages whose
// types data's answers carry (data/hours, geo/geocode, paulmach/orb); the
// widget it serves (api/widget). It parses no source format and runs no
// spatial query itself: it asks data. Its neighbours: data below answers
// every question; cmd/guichet above builds a Config from flags and the
// environment, starting from DefaultConfig, and serves Handler.
//
// A request goes one way, down and back up through return values; here is
// GET /v1/stations/nearest?open=now&competent=true:
//
//	api.nearest decodes the query → data.Dataset.Nearest [geo.PolygonIndex.Locate for the competence → data.openIndex slot of hours.WeekMinute, built from hours.Schedule.OpenMask → geo.PointIndex.Nearest keeping hours.Schedule.IsOpen → each hit's state and day by hours.Schedule.AtUntil and Intervals, remembered per station] → hits, states and competence → api.stationEncoder writes them
package api
