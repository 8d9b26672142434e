// Package api embeds the OpenAPI contract of the predict HTTP API.
package api

import _ "embed"

// OpenAPI is the contract, openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
