package novarelease

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  bool
	}{
		{in: "zed", want: "zed"},
		{in: "Zed", want: "zed"},
		{in: "2023.1", want: "2023.1"},
		{in: "antelope", want: "2023.1"},
		{in: "caracal", want: "2024.1"},
		{in: "29", want: "2024.1"},
		{in: "29.2.0", want: "2024.1"},
		{in: "26.0.0.0rc1", want: "zed"},
		{in: " 2026.1 ", want: "2026.1"},
		{in: "33", want: "2026.1"},
		{in: "2026.2", want: "2026.2"},
		{in: "Hibiscus", want: "2026.2"},
		{in: "34", want: "2026.2"},
		{in: "34.0.0", want: "2026.2"},
		{in: "25.1.0", err: true},
		{in: "35", err: true},
		{in: "yoga", err: true},
		{in: "029", err: true},
		{in: "", err: true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("Parse(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && got.Name != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.in, got.Name, tt.want)
		}
	}
}

func TestTable(t *testing.T) {
	for i, r := range All {
		if r.Major != 26+i {
			t.Errorf("%s: Nova %d, want %d (one major version per release)", r.Name, r.Major, 26+i)
		}
		if i > 0 && !r.AtLeast(All[i-1]) || i > 0 && All[i-1].AtLeast(r) {
			t.Errorf("%s is not newer than %s", r.Name, All[i-1].Name)
		}
	}
	if Newest().Name != "2026.2" {
		t.Errorf("newest %s", Newest().Name)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"zed", "2024.1", "29.1.0", "caracal", "", "9999999999999999999999", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err == nil {
			// Whatever was accepted names a known release, found again by name.
			again, err := Parse(r.Name)
			if err != nil || again != r {
				t.Errorf("Parse(%q) = %v, but Parse(%q) = %v, %v", s, r, r.Name, again, err)
			}
		}
	})
}

func TestFromMicroversion(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"2.93", []string{"zed"}},
		{"2.95", []string{"2023.1", "2023.2"}},
		{"2.96", []string{"2024.1", "2024.2"}},
		{"2.100", []string{"2025.1", "2025.2"}},
		{"2.103", []string{"2026.1"}},
		{"2.104", []string{"2026.2"}},
		{"2.110", []string{"2026.2"}}, // newer than gpupass: the newest rules
		{"2.90", nil},                 // Xena/Yoga: older than gpupass supports
		{"2.94", nil},                 // no release stopped there
		{"2.1", nil},
		{"", nil},
		{"3.1", nil},
		{"2.x", nil},
		{" 2.93 ", []string{"zed"}},
	}
	for _, tt := range tests {
		var got []string
		for _, r := range FromMicroversion(tt.in) {
			got = append(got, r.Name)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("FromMicroversion(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestZedMicroversionOracle holds zed's MaxMicroversion to Debian's Nova
// Zed itself (GPUPASS_ORACLE=1 with python3-nova installed).
func TestZedMicroversionOracle(t *testing.T) {
	if os.Getenv("GPUPASS_ORACLE") != "1" {
		t.Skip("needs python3-nova: GPUPASS_ORACLE=1 go test ./openstack/novarelease")
	}
	out, err := exec.Command("/usr/bin/python3", "-c",
		"import nova.version, nova.api.openstack.api_version_request as a; print(nova.version.version_string(), a._MAX_API_VERSION)").Output()
	if err != nil {
		t.Fatalf("python3-nova: %v", err)
	}
	fields := strings.Fields(string(out))
	if len(fields) != 2 {
		t.Fatalf("python3-nova printed %q", out)
	}
	r, err := Parse(fields[0])
	if err != nil {
		t.Fatalf("installed Nova %s: %v", fields[0], err)
	}
	if r.MaxMicroversion != fields[1] {
		t.Errorf("installed Nova %s (%s) serves up to %s, the table says %s", fields[0], r.Name, fields[1], r.MaxMicroversion)
	}
}
