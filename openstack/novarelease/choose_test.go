package novarelease

import (
	"strings"
	"testing"
)

func TestChoose(t *testing.T) {
	z, _ := Parse("zed")
	e, _ := Parse("2025.1")
	tests := []struct {
		name, flag, fallback string
		detectors            []Detector
		want                 Release
		from                 string
		err                  bool
	}{
		{"flag wins", "2025.1", "x", []Detector{Installed("26.2.1", "/p")}, e, "given with --nova-release", false},
		{"bad flag", "banana", "x", nil, Release{}, "", true},
		{"installed", "", "x", []Detector{Installed("26.2.1", "/p")}, z, "detected from Nova 26.2.1 installed at /p", false},
		{"installed too old", "", "x", []Detector{Installed("25.1.0", "/p")}, All[0], "Nova 25.1.0 (at /p) is older than zed, the oldest release gpupass knows, whose rules apply", false},
		{"installed too new", "", "x", []Detector{Installed("99.0.0", "/p")}, Newest(), "Nova 99.0.0 (at /p) is newer than the releases gpupass knows: the newest known one's rules apply", false},
		{"none installed", "", "no Nova", []Detector{Installed("", "")}, Newest(), "no Nova", false},
		{"nothing to detect", "", "lint", nil, Newest(), "lint", false},
		{"microversion", "", "x", []Detector{Compute("2.93", nil)}, z, "the compute API's maximum microversion 2.93", false},
		{"shared microversion", "", "x", []Detector{Compute("2.95", nil)}, All[1], "the compute API's maximum microversion 2.95, which 2023.1 and 2023.2 share (the older's rules; use --nova-release to choose)", false},
		{"shared, narrowed by reports", "", "x", []Detector{Compute("2.95", []string{"2023.2", "2023.2"})}, All[2], "the compute API's maximum microversion 2.95 and the host reports", false},
		{"reports agree", "", "x", []Detector{Compute("", []string{"2024.1", ""})}, All[3], "the release every host report applied", false},
		{"reports disagree", "", "fb", []Detector{Compute("", []string{"2024.1", "zed"})}, Newest(), "fb", false},
		{"recorded", "", "x", []Detector{Recorded("zed")}, z, "the release the report applied", false},
		{"recorded unknown", "", "fb", []Detector{Recorded("kilo")}, Newest(), "fb", false},
	}
	for _, tt := range tests {
		got, from, err := Choose(tt.flag, tt.fallback, tt.detectors...)
		if (err != nil) != tt.err || err != nil && !strings.HasPrefix(err.Error(), "--nova-release: ") {
			t.Errorf("%s: error %v", tt.name, err)
			continue
		}
		if got != tt.want || from != tt.from {
			t.Errorf("%s: got %s %q, want %s %q", tt.name, got.Name, from, tt.want.Name, tt.from)
		}
	}
	if !IsPreZed("Yoga") || IsPreZed("zed") || IsPreZed("") {
		t.Error("IsPreZed")
	}
}

// The audit's choice: the compute API's microversion, narrowed by the
// host reports, then the reports alone, then the newest.
func TestChooseForTheAudit(t *testing.T) {
	const fallback = "the newest known release (neither the compute API nor the host reports name one; use --nova-release)"
	tests := []struct {
		name, flag, mv string
		reports        []string
		want, from     string
	}{
		{"flag wins", "2024.2", "2.93", []string{"zed"}, "2024.2", "--nova-release"},
		{"API alone", "", "2.93", nil, "zed", "microversion 2.93"},
		{"API over disagreeing reports", "", "2.93", []string{"2024.1", "2026.1"}, "zed", "microversion 2.93"},
		{"API over reports outside its range", "", "2.93", []string{"2026.1"}, "zed", "microversion 2.93"},
		{"reports narrow a shared microversion", "", "2.96", []string{"2024.2", "2024.2"}, "2024.2", "and the host reports"},
		{"shared microversion: the older", "", "2.96", nil, "2024.1", "2024.1 and 2024.2 share"},
		{"reports when the API names none", "", "", []string{"2025.1"}, "2025.1", "every host report"},
		{"newest at last", "", "2.90", []string{"2025.1", "zed"}, Newest().Name, "newest"},
	}
	for _, tt := range tests {
		r, from, err := Choose(tt.flag, fallback, Compute(tt.mv, tt.reports))
		if err != nil {
			t.Fatal(err)
		}
		if r.Name != tt.want || !strings.Contains(from, tt.from) {
			t.Errorf("%s: %s (%s), want %s (…%s…)", tt.name, r.Name, from, tt.want, tt.from)
		}
	}
	if _, _, err := Choose("folsom", fallback, Compute("2.93", nil)); err == nil || !strings.Contains(err.Error(), "--nova-release") {
		t.Errorf("a bad flag: %v", err)
	}
}
