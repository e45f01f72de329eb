package api

import (
	"encoding/json"
	"net/http"
)

// problemRender writes a problem as JSON without overriding the
// problem+json content type, which Gin's JSON renderer would replace.
type problemRender struct{ body problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	return json.NewEncoder(w).Encode(r.body)
}

func (r problemRender) WriteContentType(http.ResponseWriter) {}
