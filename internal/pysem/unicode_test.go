package pysem

import (
	"slices"
	"testing"
)

// TestSpaceIsTheSameInEveryPython: IsSpace takes no Version because
// str.isspace() is the same in 3.11, 3.13 and 3.14; a new Python whose
// table differs must make it take one.
func TestSpaceIsTheSameInEveryPython(t *testing.T) {
	for _, v := range Versions {
		if !slices.Equal(v.tables().space, unicodePy311.space) {
			t.Errorf("Python %s's str.isspace() differs from 3.11's", v)
		}
	}
}

// TestForNova: which Python reads which release.
func TestForNova(t *testing.T) {
	for major, want := range map[int]Version{26: Py311, 28: Py311, 29: Py313, 31: Py313, 33: Py313, 34: Py314, 35: Py314} {
		if got := ForNova(major); got != want {
			t.Errorf("ForNova(%d) = %s, want %s", major, got, want)
		}
	}
}
