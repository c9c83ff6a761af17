package hostinfo

import (
	"slices"
	"strings"
)

// System is how the host boots and builds its initramfs.
type System struct {
	// ID and IDLike are os-release's ID and ID_LIKE ("ubuntu", "debian").
	ID, IDLike, PrettyName string
	// Has reports which of the tools the commands use exist on the host
	// (grubby, update-grub, grub2-mkconfig, kernelstub, update-initramfs,
	// dracut, mkinitcpio); nil when unknown.
	Has map[string]bool
}

// Is reports whether the system is, or is like, one of the distributions
// named by os-release ID (ubuntu, debian, rhel...).
func (s System) Is(names ...string) bool {
	for _, n := range names {
		if s.ID == n || slices.Contains(strings.Fields(s.IDLike), n) {
			return true
		}
	}
	return false
}

// ParseOSRelease reads ID, ID_LIKE and PRETTY_NAME from an os-release
// file (os-release(5): KEY=value lines, values optionally quoted).
func ParseOSRelease(data []byte) System {
	var s System
	for _, line := range strings.Split(string(data), "\n") {
		key, value, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || strings.HasPrefix(key, "#") {
			continue
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		switch key {
		case "ID":
			s.ID = strings.ToLower(value)
		case "ID_LIKE":
			s.IDLike = strings.ToLower(value)
		case "PRETTY_NAME":
			s.PrettyName = value
		}
	}
	return s
}

// ReadSystem reads os-release and looks for the boot and initramfs tools
// under the root.
func ReadSystem(fsys FS) System {
	var s System
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		if data, err := fsys.ReadFile(p); err == nil {
			s = ParseOSRelease(data)
			break
		}
	}
	s.Has = map[string]bool{}
	for _, tool := range []string{"grubby", "update-grub", "grub2-mkconfig", "kernelstub", "update-initramfs", "dracut", "mkinitcpio"} {
		for _, dir := range []string{"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"} {
			if fsys.Exists(dir + tool) {
				s.Has[tool] = true
			}
		}
	}
	return s
}
