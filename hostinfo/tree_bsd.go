//go:build unix && !linux

package hostinfo

import (
	"errors"

	"golang.org/x/sys/unix"
)

// pathFlags open a path to look at it: without O_PATH, for reading.
const pathFlags = unix.O_RDONLY

// walkFlags open the directories walk goes through (read permission is
// needed where there is no O_PATH).
const walkFlags = unix.O_RDONLY

// errSlowPath says the kernel could not resolve a path in one call: walk
// resolves it.
var errSlowPath = errors.New("resolve by walking")

// openInRoot has no one-call form outside Linux: walk resolves every path.
func openInRoot(root int, rel string, flags int) (int, error) { return -1, errSlowPath }

func (t *tree) probe() { t.walkOnly = true }
