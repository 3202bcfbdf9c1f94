package api

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestOpenAPIDocumentsEveryRoute: every route the server answers is in
// openapi.json with its method, and the document names no route that is not.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{}
	for _, r := range (&Server{}).routes() {
		method, path, _ := strings.Cut(r.pattern, " ")
		served[method+" "+path] = true
		if doc.Paths[path][strings.ToLower(method)] == nil {
			t.Errorf("openapi.json does not document %s", r.pattern)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !served[strings.ToUpper(method)+" "+path] {
				t.Errorf("openapi.json documents %s %s, which the server does not answer", strings.ToUpper(method), path)
			}
		}
	}
}

// TestOpenAPIDocumentsTheRateLimit: every operation that takes a key (it
// documents 401) documents the key's rate limit, 429, too.
func TestOpenAPIDocumentsTheRateLimit(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if op.Responses["401"] != nil && op.Responses["429"] == nil {
				t.Errorf("openapi.json: %s %s takes a key but does not document 429", strings.ToUpper(method), path)
			}
		}
	}
}
