// Command trivial is the baseline of scripts/load/compare.sh: a Gin server
// answering a fixed JSON body of about 300 bytes, so that guichet's cost
// per request can be read as a fraction of the framework's own.
package main

import (
	"flag"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address")
	flag.Parse()
	gin.SetMode(gin.ReleaseMode)
	body := []byte(`{"stations":[{"id":"gn-1004321","name":"Brigade de proximité de Voiron","force":"gendarmerie","distance_m":7218,"note":"` + strings.Repeat("x", 150) + `"}]}`)
	e := gin.New()
	e.GET("/*any", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", body) })
	if err := http.ListenAndServe(*addr, e); err != nil {
		panic(err)
	}
}
