//go:build tools

package main

import (
	_ "github.com/getkin/kin-openapi/openapi3"
	_ "github.com/gin-gonic/gin"
	_ "github.com/golang/geo/s2"
	_ "github.com/paulmach/orb"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/tidwall/rtree"
	_ "golang.org/x/time/rate"
)
