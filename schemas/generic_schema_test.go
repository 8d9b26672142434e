package schemas_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parcelcast/parcelcast/ingest/carrier/generic"
	"github.com/parcelcast/parcelcast/schemas"
)

// TestGenericSchema checks the published JSON Schema against the parser:
// every payload the parser reads without error is valid under the schema,
// and the payloads it refuses for their shape are not.
func TestGenericSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemas.GenericScanSchema))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("generic-scan.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("generic-scan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../ingest/carrier/generic/testdata/*.json")
	if len(files) == 0 {
		t.Fatal("no generic testdata")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, perr := generic.Parse(b)
		v, jerr := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if jerr != nil {
			if perr == nil {
				t.Errorf("%s: parser accepts what is not JSON", f)
			}
			continue
		}
		verr := sch.Validate(v)
		if perr == nil && verr != nil {
			t.Errorf("%s: parsed without error but fails the schema: %v", f, verr)
		}
		if strings.Contains(f, "partly_invalid") && verr == nil {
			t.Errorf("%s: a non-canonical status should fail the schema", f)
		}
	}
	// A record written by FromEvent is valid.
	e, err := generic.Parse([]byte(`{"tracking_number":"1Z999AA10123456784","carrier":"ups","status":"delivered","event_time":"2026-03-04T14:31:00-06:00","location":{"country":"US"}}`))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(generic.FromEvent(&e[0]))
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err := sch.Validate(v); err != nil {
		t.Errorf("FromEvent output %s fails the schema: %v", out, err)
	}
}
