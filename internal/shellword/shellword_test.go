package shellword

import (
	"os/exec"
	"testing"
)

func TestWord(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "''",
		"0000:3d:00.4":         "0000:3d:00.4",
		"nvgrace_gpu_vfio_pci": "nvgrace_gpu_vfio_pci",
		"a b":                  "'a b'",
		"it's":                 `'it'\''s'`,
		"$HOME":                "'$HOME'",
	} {
		if got := Word(in); got != want {
			t.Errorf("Word(%q) = %q, want %q", in, got, want)
		}
	}
}

// The shell reads every quoted word back as the string it was made from.
func TestWordRoundTripsThroughSh(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("no sh: %v", err)
	}
	for _, in := range []string{"", "a b", "it's", "$HOME `x` \\ \" ; | & * ?", "\t\n", "é"} {
		out, err := exec.Command(sh, "-c", "printf %s "+Word(in)).Output()
		if err != nil || string(out) != in {
			t.Errorf("sh read %q back as %q (%v)", in, out, err)
		}
	}
}
