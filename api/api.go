// Package api holds the joint service's API description, api/openapi.yaml
// (OpenAPI 3.0), embedded so that the reference service can serve it at
// /api/v1/openapi.yaml and tests can compare it with the code.
package api

import _ "embed"

// OpenAPI is the text of openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
