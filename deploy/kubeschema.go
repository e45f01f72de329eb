//go:build ignore

// kubeschema converts the Kubernetes OpenAPI v2 document (swagger.json, as
// shipped in the k8s.io/kubernetes module under api/openapi-spec) into the
// standalone, strict JSON schemas kubeconform reads, one file per kind,
// named as kubeconform's {{.ResourceKind}}{{.KindSuffix}} template expects
// (deployment-apps-v1.json). It lets CI validate deploy/ without reaching
// the schema repositories kubeconform downloads from by default.
//
//	go run deploy/kubeschema.go -swagger .../swagger.json -out DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
)

const quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity"

func main() {
	in := flag.String("swagger", "", "Kubernetes swagger.json")
	out := flag.String("out", "", "output directory")
	flag.Parse()
	if *in == "" || *out == "" {
		log.Fatal("kubeschema: -swagger and -out are required")
	}
	raw, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	var doc struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		log.Fatalf("kubeschema: %s: %v", *in, err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	n := 0
	for name, def := range doc.Definitions {
		gvks, _ := def["x-kubernetes-group-version-kind"].([]any)
		for _, g := range gvks {
			gvk, _ := g.(map[string]any)
			group, _ := gvk["group"].(string)
			version, _ := gvk["version"].(string)
			kind, _ := gvk["kind"].(string)
			apiVersion := version
			if group != "" {
				apiVersion = group + "/" + version
			}
			schema := standalone(doc.Definitions, name)
			if props, ok := schema["properties"].(map[string]any); ok {
				if k, ok := props["kind"].(map[string]any); ok {
					k["enum"] = []any{kind}
				}
				if a, ok := props["apiVersion"].(map[string]any); ok {
					a["enum"] = []any{apiVersion}
				}
			}
			b, err := json.MarshalIndent(schema, "", " ")
			if err != nil {
				log.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(*out, fileName(kind, apiVersion)), b, 0o644); err != nil {
				log.Fatal(err)
			}
			n++
		}
	}
	fmt.Fprintf(os.Stderr, "kubeschema: %d schemas in %s\n", n, *out)
}

// fileName follows kubeconform's KindSuffix: the first label of the group,
// then the version (apps/v1 → -apps-v1, networking.k8s.io/v1 →
// -networking-v1, v1 → -v1).
func fileName(kind, apiVersion string) string {
	parts := strings.Split(apiVersion, "/")
	suffix := "-" + strings.ToLower(strings.Split(parts[0], ".")[0])
	if len(parts) > 1 {
		suffix += "-" + strings.ToLower(parts[1])
	}
	return strings.ToLower(kind) + suffix + ".json"
}

// standalone returns the definition with every definition it refers to,
// transitively, under "definitions", so that its #/definitions/ references
// resolve inside the one file.
func standalone(defs map[string]map[string]any, root string) map[string]any {
	seen := map[string]bool{}
	var visit func(name string)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				visit(strings.TrimPrefix(ref, "#/definitions/"))
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	visit = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		walk(defs[name])
	}
	visit(root)
	out := deepCopy(defs[root]).(map[string]any)
	sub := map[string]any{}
	for name := range seen {
		if name != root {
			sub[name] = deepCopy(defs[name])
		}
	}
	// The root may refer to itself (e.g. JSONSchemaProps).
	sub[root] = deepCopy(defs[root])
	for name, d := range sub {
		sub[name] = fix(name, d)
	}
	out = fix(root, out).(map[string]any)
	out["definitions"] = sub
	out["$schema"] = "http://json-schema.org/draft-07/schema#"
	return out
}

// fix turns OpenAPI v2 idioms into JSON Schema: int-or-string and
// quantities accept both a string and a number, and objects with declared
// properties accept no others (kubeconform's -strict).
func fix(name string, v any) any {
	if name == quantity {
		return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
	}
	return fixNode(v)
}

func fixNode(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if x["format"] == "int-or-string" {
			return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}
		}
		for k, c := range x {
			if k == "properties" {
				props := c.(map[string]any)
				for p, ps := range props {
					props[p] = fixNode(ps)
				}
				continue
			}
			x[k] = fixNode(c)
		}
		if _, ok := x["properties"]; ok {
			if _, set := x["additionalProperties"]; !set {
				x["additionalProperties"] = false
			}
		}
		return x
	case []any:
		for i, c := range x {
			x[i] = fixNode(c)
		}
		return x
	}
	return v
}

func deepCopy(v any) any {
	b, _ := json.Marshal(v) // v came from json.Unmarshal
	var out any
	json.Unmarshal(b, &out)
	return out
}
