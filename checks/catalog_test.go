package checks

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/report"
)

// contract is the catalog as DESIGN.md fixes it: scripts match on these IDs
// and names, so a rename must fail a test.
var contract = map[string]string{
	"GP101": "cpu-virtualization",
	"GP102": "iommu-firmware",
	"GP103": "iommu-kernel",
	"GP104": "iommu-cmdline",
	"GP105": "interrupt-remapping",
	"GP106": "vfio-modules",
	"GP107": "host-gpu-driver-loaded",
	"GP108": "nova-release",
	"GP201": "gpu-host-driver",
	"GP202": "group-not-viable",
	"GP203": "group-shared",
	"GP204": "companion-function",
	"GP205": "no-reset",
	"GP206": "boot-vga",
	"GP207": "large-bar",
	"GP208": "numa-unknown",
	"GP209": "vfio-ids-unknown",
	"GP210": "binding-not-persistent",
	"GP211": "pci-stub-legacy",
	"GP212": "sriov-gpu-pf",
	"GP301": "conf-syntax",
	"GP302": "device-spec-invalid",
	"GP303": "deprecated-option",
	"GP304": "device-spec-no-match",
	"GP305": "device-spec-too-broad",
	"GP306": "gpu-not-exposed",
	"GP307": "alias-invalid",
	"GP308": "alias-no-device",
	"GP309": "alias-device-type",
	"GP310": "scheduler-filter",
	"GP311": "alias-mismatch",
	"GP312": "placement-mode",
	"GP313": "virt-type",
	"GP314": "secrets-exposed",
	"GP401": "extra-spec-invalid",
	"GP402": "alias-undefined",
	"GP403": "unschedulable-count",
	"GP404": "numa-unsatisfiable",
	"GP405": "flavor-too-big",
	"GP406": "large-bar-firmware",
	"GP407": "capacity",
	"GP408": "gpu-hosts-unprotected",
	"GP409": "alias-inconsistent-fleet",
	"GP501": "gpu-driver-changed",
	"GP502": "gpu-missing",
	"GP503": "gpu-appeared",
	"GP504": "iommu-group-changed",
	"GP505": "kernel-cmdline-changed",
	"GP506": "modules-changed",
	"GP507": "pci-conf-changed",
	"GP508": "nova-release-changed",
	"GP509": "kernel-changed",
	"GP510": "baseline-other-host",
	"GP601": "mdev-type-unknown",
	"GP602": "mdev-address-invalid",
	"GP603": "mdev-types-ambiguous",
	"GP604": "mdev-capacity",
	"GP605": "vgpu-host-stack",
	"GP606": "mdev-persistence",
}

// TestCatalog guards the catalog the way x/tools' analysis.Validate guards
// analyzers: every check well formed, documented and runnable.
func TestCatalog(t *testing.T) {
	idPattern := regexp.MustCompile(`^GP[1-9][0-9]{2}$`)
	namePattern := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	ids, names := map[string]bool{}, map[string]bool{}
	prev := ""
	for _, c := range All {
		if !idPattern.MatchString(c.ID) {
			t.Errorf("%s: ID does not look like GPnnn", c.ID)
		}
		if ids[c.ID] {
			t.Errorf("%s: duplicate ID", c.ID)
		}
		ids[c.ID] = true
		if c.ID <= prev {
			t.Errorf("%s: catalog not in ID order (after %s)", c.ID, prev)
		}
		prev = c.ID
		if !namePattern.MatchString(c.Name) || names[c.Name] {
			t.Errorf("%s: name %q is not unique kebab-case", c.ID, c.Name)
		}
		names[c.Name] = true
		if want, ok := contract[c.ID]; ok && want != c.Name {
			t.Errorf("%s: name %q, the contract says %q", c.ID, c.Name, want)
		}
		switch c.Severity {
		case report.Error, report.Warning, report.Info:
		default:
			t.Errorf("%s: severity %q", c.ID, c.Severity)
		}
		if c.Run == nil {
			t.Errorf("%s: no Run", c.ID)
		}
		if len(c.Needs) == 0 {
			t.Errorf("%s: declares no inputs", c.ID)
		}
		d := c.Doc
		for field, text := range map[string]string{"Summary": d.Summary, "Why": d.Why, "Fix": d.Fix} {
			if len(strings.TrimSpace(text)) < 20 {
				t.Errorf("%s: Doc.%s is missing or too short: %q", c.ID, field, text)
			}
		}
		if len(d.Links) == 0 {
			t.Errorf("%s: Doc has no link", c.ID)
		}
		for _, l := range d.Links {
			if !strings.HasPrefix(l, "https://") {
				t.Errorf("%s: link %q is not https", c.ID, l)
			}
		}
		inSection := false
		for _, s := range Sections {
			inSection = inSection || strings.HasPrefix(c.ID, s.Prefix)
		}
		if !inSection {
			t.Errorf("%s: belongs to no section", c.ID)
		}
	}
	for id := range contract {
		if !ids[id] {
			t.Errorf("%s (%s) is in the contract but not in the catalog", id, contract[id])
		}
	}
}

func TestLookup(t *testing.T) {
	for _, key := range []string{"GP202", "gp202", "group-not-viable"} {
		if c := Lookup(All, key); c == nil || c.ID != "GP202" {
			t.Errorf("Lookup(%q) = %v, want GP202", key, c)
		}
	}
	if c := Lookup(All, "GP999"); c != nil {
		t.Errorf("Lookup(GP999) = %s, want nil", c.ID)
	}
}
