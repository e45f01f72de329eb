//go:build tools

// This file pins modules that the service is about to use, so that
// go mod tidy keeps them; it is never compiled.
package main

import (
	_ "github.com/getkin/kin-openapi/openapi3"
)
