package novarelease

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/internal/judges"
)

// The table's MaxMicroversion held to the code of the real releases:
// nova/api/openstack/api_version_request.py's _MAX_API_VERSION in Debian's
// python3-nova of Zed (26.2.2, bookworm), 2025.1 (31.0.0, trixie) and
// 2026.2 (34.0.0, sid).

const distPackages = "usr/lib/python3/dist-packages"

var (
	maxAPIVersionRe = regexp.MustCompile(`(?m)^_MAX_API_VERSION = '([0-9]+\.[0-9]+)'$`)
	eggInfoRe       = regexp.MustCompile(`^nova-([0-9][0-9.]*)\.(egg|dist)-info$`)
)

// treeMicroversion reads the Nova version (its egg-info) and
// _MAX_API_VERSION from a tree that holds a python3-nova (a chroot, or the
// package extracted).
func treeMicroversion(t *testing.T, root string) (version, max string) {
	t.Helper()
	dist := filepath.Join(root, distPackages)
	entries, err := os.ReadDir(dist)
	if err != nil {
		t.Fatalf("%s: %v", dist, err)
	}
	for _, e := range entries {
		if m := eggInfoRe.FindStringSubmatch(e.Name()); m != nil {
			version = m[1]
		}
	}
	if version == "" {
		t.Fatalf("%s: no nova-VERSION.egg-info: is python3-nova there?", dist)
	}
	src := filepath.Join(dist, "nova/api/openstack/api_version_request.py")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	m := maxAPIVersionRe.FindSubmatch(data)
	if m == nil {
		t.Fatalf("%s: no _MAX_API_VERSION = '2.N' line", src)
	}
	return version, string(m[1])
}

func checkMicroversion(t *testing.T, where, version, max, wantRelease string) {
	t.Helper()
	r, err := Parse(version)
	if err != nil {
		t.Fatalf("%s: Nova %s: %v", where, version, err)
	}
	if r.Name != wantRelease {
		t.Errorf("%s: Nova %s is %s, expected %s there", where, version, r.Name, wantRelease)
	}
	if r.MaxMicroversion != max {
		t.Errorf("%s: Nova %s (%s) serves up to microversion %s; the table says %s", where, version, r.Name, max, r.MaxMicroversion)
	}
	t.Logf("%s: Nova %s (%s): maximum microversion %s", where, version, r.Name, max)
}

// TestMicroversionsOfPackages reads the packages hack/nova-pkgs.sh
// extracts (GPUPASS_NOVA_PKGS: n26, n31 and n34 under it; n26, Zed, only
// if present).
func TestMicroversionsOfPackages(t *testing.T) {
	pkgs := os.Getenv("GPUPASS_NOVA_PKGS")
	if pkgs == "" {
		t.Skip("set GPUPASS_NOVA_PKGS to the directory hack/nova-pkgs.sh extracts python3-nova into (n31, n34; n26 too if there) to hold the microversions to their code")
	}
	n := 0
	for _, s := range judges.Live {
		root := filepath.Join(pkgs, s.Pkg)
		if _, err := os.Stat(root); err != nil {
			if s.Pkg == "n26" {
				continue // hack/nova-pkgs.sh does not extract Zed
			}
			t.Fatalf("GPUPASS_NOVA_PKGS=%s has no %s: run bash hack/nova-pkgs.sh %s", pkgs, s.Pkg, pkgs)
		}
		version, max := treeMicroversion(t, root)
		checkMicroversion(t, root, version, max, s.Release)
		n++
	}
	if n < 2 {
		t.Errorf("only %d packages checked", n)
	}
}

// TestMicroversionsOfChroots imports the installed Nova in each chroot of
// GPUPASS_NOVA_CHROOTS (bookworm, trixie, sid, as hack/nova-chroot.sh
// builds them), as nova-api does, and fails if one is missing.
func TestMicroversionsOfChroots(t *testing.T) {
	chroots := os.Getenv("GPUPASS_NOVA_CHROOTS")
	if chroots == "" {
		t.Skip("set GPUPASS_NOVA_CHROOTS to a directory of chroots built by hack/nova-chroot.sh (bookworm, trixie, sid) to hold the microversions to each real release's code")
	}
	for _, s := range judges.Live {
		t.Run(s.Release, func(t *testing.T) {
			root := filepath.Join(chroots, s.Suite)
			if _, err := os.Stat(filepath.Join(root, "usr/bin/python3")); err != nil {
				t.Fatalf("GPUPASS_NOVA_CHROOTS=%s: no %s chroot (bash hack/nova-chroot.sh %s %s): %v", chroots, s.Suite, s.Suite, root, err)
			}
			cmd := exec.Command("chroot", root, "/usr/bin/python3", "-B", "-c",
				"import nova.version, nova.api.openstack.api_version_request as a; print(nova.version.version_string(), a._MAX_API_VERSION)")
			cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C.UTF-8"}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("chroot %s python3: %v", root, err)
			}
			fields := strings.Fields(string(out))
			if len(fields) != 2 {
				t.Fatalf("chroot %s python3 printed %q", root, out)
			}
			checkMicroversion(t, root, fields[0], fields[1], s.Release)
			// The source read offline says the same.
			version, max := treeMicroversion(t, root)
			if version != fields[0] || max != fields[1] {
				t.Errorf("%s: the files say Nova %s, microversion %s; Python says %s, %s", root, version, max, fields[0], fields[1])
			}
		})
	}
}

// TestMicroversionsOfTags reads _MAX_API_VERSION at each release's first
// tag (MAJOR.0.0) in a clone of openstack/nova (GPUPASS_NOVA_GIT): the
// releases Debian has no package of are checked there. A release whose
// tag the clone does not have yet is logged, not failed.
func TestMicroversionsOfTags(t *testing.T) {
	git := os.Getenv("GPUPASS_NOVA_GIT")
	if git == "" {
		t.Skip("set GPUPASS_NOVA_GIT to a clone of openstack/nova to hold every release's microversion to its first tag")
	}
	n := 0
	for _, r := range All {
		tag := fmt.Sprintf("%d.0.0", r.Major)
		if exec.Command("git", "-C", git, "rev-parse", "-q", "--verify", "refs/tags/"+tag).Run() != nil {
			t.Logf("%s: the clone has no tag %s", r.Name, tag)
			continue
		}
		out, err := exec.Command("git", "-C", git, "show", tag+":nova/api/openstack/api_version_request.py").Output()
		if err != nil {
			t.Fatalf("git show %s:nova/api/openstack/api_version_request.py: %v", tag, err)
		}
		m := maxAPIVersionRe.FindSubmatch(out)
		if m == nil {
			t.Fatalf("%s: no _MAX_API_VERSION = '2.N' line", tag)
		}
		checkMicroversion(t, "tag "+tag, tag, string(m[1]), r.Name)
		n++
	}
	if n == 0 {
		t.Errorf("%s has none of the releases' tags", git)
	}
}
