package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
)

// The /docs page is the OpenAPI document rendered once, at start-up, into
// plain HTML: no script, no third-party style sheet or font, so that it
// reads in any browser, screen reader or text client and loads nothing
// from elsewhere.

//go:embed docs.html
var docsTemplate string

// docsPage is the rendered page.
var docsPage = mustRenderDocs(openAPIDocument)

func mustRenderDocs(spec []byte) []byte {
	page, err := renderDocs(spec)
	if err != nil {
		panic("api: cannot render the docs page: " + err.Error()) // both inputs are embedded: tests catch this
	}
	return page
}

// The subset of OpenAPI the page shows.
type oaDocument struct {
	Info struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Summary     string `json:"summary"`
		Description string `json:"description"`
	} `json:"info"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Parameters map[string]oaParameter `json:"parameters"`
		Responses  map[string]oaResponse  `json:"responses"`
	} `json:"components"`
}

type oaOperation struct {
	OperationID string        `json:"operationId"`
	Summary     string        `json:"summary"`
	Description string        `json:"description"`
	Parameters  []oaParameter `json:"parameters"`
	RequestBody *struct {
		Description string             `json:"description"`
		Required    bool               `json:"required"`
		Content     map[string]oaMedia `json:"content"`
	} `json:"requestBody"`
	Responses map[string]oaResponse `json:"responses"`
}

type oaParameter struct {
	Ref         string          `json:"$ref"`
	Name        string          `json:"name"`
	In          string          `json:"in"`
	Description string          `json:"description"`
	Required    bool            `json:"required"`
	Schema      json.RawMessage `json:"schema"`
	Example     json.RawMessage `json:"example"`
}

type oaResponse struct {
	Ref         string             `json:"$ref"`
	Description string             `json:"description"`
	Content     map[string]oaMedia `json:"content"`
}

type oaMedia struct {
	Example json.RawMessage `json:"example"`
	Schema  json.RawMessage `json:"schema"`
}

// What the template shows.
type docsView struct {
	Title, Version string
	Summary        template.HTML
	Description    template.HTML
	Operations     []docsOperation
}

type docsOperation struct {
	ID, Method, Path string
	Summary          string
	Description      template.HTML
	Params           []docsParam
	Body             *docsBody
	Responses        []docsResponse
}

type docsParam struct {
	Name, In, Schema, Example string
	Required                  bool
	Description               template.HTML
}

type docsBody struct {
	Required    bool
	Types       []string
	Description template.HTML
	Example     string
	// Fields are the properties of an object body, e.g. form fields.
	Fields []docsParam
}

type docsResponse struct {
	Status      string
	Description template.HTML
	Types       []string
	Example     string
}

// methodOrder lists the methods the page shows, in order.
var methodOrder = []string{"get", "post", "put", "patch", "delete"}

func renderDocs(spec []byte) ([]byte, error) {
	var doc oaDocument
	if err := json.Unmarshal(spec, &doc); err != nil {
		return nil, err
	}
	view := docsView{
		Title:       doc.Info.Title,
		Version:     doc.Info.Version,
		Summary:     prose(doc.Info.Summary),
		Description: prose(doc.Info.Description),
	}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		for _, m := range methodOrder {
			raw, ok := doc.Paths[p][m]
			if !ok {
				continue
			}
			var op oaOperation
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("%s %s: %w", m, p, err)
			}
			v, err := doc.operation(strings.ToUpper(m), p, op)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", m, p, err)
			}
			view.Operations = append(view.Operations, v)
		}
	}
	t, err := template.New("docs").Parse(docsTemplate)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, view); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (doc *oaDocument) operation(method, path string, op oaOperation) (docsOperation, error) {
	v := docsOperation{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary, Description: prose(op.Description)}
	for _, p := range op.Parameters {
		if p.Ref != "" {
			var ok bool
			if p, ok = doc.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]; !ok {
				return v, fmt.Errorf("unresolved parameter %s", p.Ref)
			}
		}
		v.Params = append(v.Params, docsParam{
			Name: p.Name, In: p.In, Required: p.Required,
			Schema:      schemaSummary(p.Schema),
			Example:     exampleText(p.Example, false),
			Description: prose(p.Description),
		})
	}
	if rb := op.RequestBody; rb != nil {
		b := &docsBody{Required: rb.Required, Description: prose(rb.Description)}
		for _, t := range docsKeys(rb.Content) {
			b.Types = append(b.Types, t)
			if b.Example == "" {
				b.Example = exampleText(rb.Content[t].Example, true)
			}
			if b.Fields == nil {
				b.Fields = bodyFields(rb.Content[t].Schema)
			}
		}
		v.Body = b
	}
	for _, status := range docsKeys(op.Responses) {
		r := op.Responses[status]
		if r.Ref != "" {
			var ok bool
			if r, ok = doc.Components.Responses[strings.TrimPrefix(r.Ref, "#/components/responses/")]; !ok {
				return v, fmt.Errorf("unresolved response %s", r.Ref)
			}
		}
		dr := docsResponse{Status: status, Description: prose(r.Description)}
		for _, t := range docsKeys(r.Content) {
			dr.Types = append(dr.Types, t)
			if dr.Example == "" {
				dr.Example = exampleText(r.Content[t].Example, true)
			}
		}
		v.Responses = append(v.Responses, dr)
	}
	return v, nil
}

func docsKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // "2xx" < "4xx" < "default"
	return keys
}

// bodyFields lists the properties of an object schema.
func bodyFields(raw json.RawMessage) []docsParam {
	var s struct {
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return nil
	}
	var out []docsParam
	for _, name := range docsKeys(s.Properties) {
		var p struct {
			Description string `json:"description"`
		}
		json.Unmarshal(s.Properties[name], &p) // a property that is not an object has no description
		out = append(out, docsParam{
			Name: name, In: "body", Required: slices.Contains(s.Required, name),
			Schema: schemaSummary(s.Properties[name]), Description: prose(p.Description),
		})
	}
	return out
}

// schemaSummary describes a parameter schema in a few words, e.g.
// "integer, 1 to 100, default 5".
func schemaSummary(raw json.RawMessage) string {
	var s struct {
		Type    any   `json:"type"`
		Enum    []any `json:"enum"`
		Minimum *float64
		Maximum *float64
		Default any `json:"default"`
		Format  string
	}
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	var parts []string
	if t, ok := s.Type.(string); ok {
		parts = append(parts, t)
	}
	if len(s.Enum) > 0 {
		vals := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			if str, ok := e.(string); ok {
				vals[i] = strconv.Quote(str) // "," must read as a value
			} else {
				vals[i] = fmt.Sprint(e)
			}
		}
		parts = append(parts, "one of "+strings.Join(vals, ", "))
	}
	if s.Minimum != nil && s.Maximum != nil {
		parts = append(parts, strconv.FormatFloat(*s.Minimum, 'f', -1, 64)+" to "+strconv.FormatFloat(*s.Maximum, 'f', -1, 64))
	}
	if s.Default != nil {
		parts = append(parts, "default "+fmt.Sprint(s.Default))
	}
	return strings.Join(parts, ", ")
}

// exampleText formats an example as written in the document: a string as
// its text, other values as JSON, indented when block is set.
func exampleText(raw json.RawMessage, block bool) string {
	if len(raw) == 0 {
		return ""
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return text
	}
	var buf bytes.Buffer
	if block && json.Indent(&buf, raw, "", "  ") == nil {
		return buf.String()
	}
	return string(raw)
}

// prose renders the document's short Markdown subset: paragraphs separated
// by blank lines and `code` spans. Everything else is escaped text.
func prose(s string) template.HTML {
	var b strings.Builder
	for i, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if para == "" {
			continue
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("<p>")
		for j, part := range strings.Split(para, "`") {
			if j%2 == 1 {
				b.WriteString("<code>" + template.HTMLEscapeString(part) + "</code>")
			} else {
				b.WriteString(template.HTMLEscapeString(part))
			}
		}
		b.WriteString("</p>")
	}
	return template.HTML(b.String())
}
