// Package geo holds the spatial primitives of guichet: great-circle
// distance, a k-nearest-neighbour index over points and a point-in-polygon
// index over polygons, all on WGS84 longitude/latitude (orb.Point is
// {lon, lat}).
//
// Distances are great-circle distances on a sphere of radius EarthRadius.
// Nearest neighbours are exact under that metric, including across the
// antimeridian. Polygon edges are straight lines in longitude/latitude, as
// in GeoJSON, for containment and for the distances to them alike.
//
// Indexes have two phases. During the build phase (Insert, Add) an index
// must not be used concurrently. After the build phase an index is
// read-only and its query methods (Nearest, Locate, Nearby, Len) are safe
// for concurrent use by multiple goroutines. To change an index, build a
// new one and swap it.
package geo
