// Package api is guichet's HTTP transport: routing, query decoding, wire
// types and the mapping of domain errors to RFC 9457 problems. It is the
// only package that imports Gin, so that the rest of guichet does not
// depend on a web framework.
//
// A request goes one way, down and back up through return values; here is
// GET /v1/stations/nearest?open=now&competent=true:
//
//	api.nearest decodes the query → data.Dataset.Nearest [geo.PolygonIndex.Locate for the competence → data.openIndex slot of hours.WeekMinute, built from hours.Schedule.OpenMask → geo.PointIndex.Nearest keeping hours.Schedule.IsOpen → each hit's state and day by hours.Schedule.AtUntil and Intervals, remembered per station] → hits, states and competence → api.stationEncoder writes them
package api
