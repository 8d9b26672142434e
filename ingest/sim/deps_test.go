package sim

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/feeds"
)

// TestDependencies keeps the generator apart from Kafka and from the
// carrier formats: publishing them is ingest/sim/publish's job, and the
// model's tests build on the generator alone.
func TestDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	forbidden := []string{"github.com/segmentio/kafka-go"}
	for _, name := range feeds.Names() {
		forbidden = append(forbidden, "github.com/parcelcast/parcelcast/ingest/carrier/"+name)
	}
	for _, f := range forbidden {
		for _, d := range deps {
			if d == f || strings.HasPrefix(d, f+"/") {
				t.Errorf("ingest/sim depends on %s", d)
			}
		}
	}
}
