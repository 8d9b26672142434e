package chstore_test

import (
	"testing"

	"github.com/parcelcast/parcelcast/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) { testenv.Run(m, &env) }
