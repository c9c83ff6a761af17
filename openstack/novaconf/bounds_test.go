package novaconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepeatedProblemsFold: a problem that recurs on many lines is one
// Problem counting them, at its first line; past maxPerCode distinct
// problems of a code, the rest are counted in one more.
func TestRepeatedProblemsFold(t *testing.T) {
	data := "[libvirt]\n" + strings.Repeat("virt_type = kvm # default\n", 10000)
	_, problems := Parse("nova.conf", []byte(data))
	if len(problems) != 2 {
		t.Fatalf("%d problems, want 2 (repeated key, inline comment): %v", len(problems), problems[:min(5, len(problems))])
	}
	for _, p := range problems {
		if p.Count != 10000 || p.Source.Line != 2 || len(p.Repeats) != maxRepeats || p.Repeats[0] != 3 || p.Option != "[libvirt]virt_type" {
			t.Errorf("%s: count %d, line %d, repeats %v, option %q; want 10000 at line 2, then 3, 4...", p.Code, p.Count, p.Source.Line, p.Repeats, p.Option)
		}
	}
	repeated := problems[1] // after the inline comment, also on line 2
	if msg := repeated.Message; repeated.Code != CodeRepeatedKey || !strings.Contains(msg, "is set 10,000 times in this file (lines 2, 3, 4,") ||
		!strings.Contains(msg, "…, 10001); it is single-valued, so oslo.config uses only the last value, on line 10001") {
		t.Errorf("repeated key: %s", repeated)
	}
	// Twice: the message names the other line, as before.
	_, problems = Parse("nova.conf", []byte("[libvirt]\nvirt_type = kvm\nvirt_type = qemu\n"))
	if len(problems) != 1 || problems[0].Count != 2 || !strings.Contains(problems[0].Message, "is set again on line 3 of this file") {
		t.Errorf("a key set twice: %v", problems)
	}
	// 150 different options with an inline comment: 100 problems, and one
	// counting the other 50.
	var b strings.Builder
	b.WriteString("[DEFAULT]\n")
	for i := range 150 {
		b.WriteString("opt" + strings.Repeat("x", i) + " = 1 # c\n")
	}
	_, problems = Parse("nova.conf", []byte(b.String()))
	if len(problems) != maxPerCode+1 {
		t.Fatalf("%d problems, want %d", len(problems), maxPerCode+1)
	}
	last := problems[maxPerCode]
	if last.Count != 50 || last.Source.Line != maxPerCode+2 || !strings.Contains(last.Message, "gpupass lists the first 100") {
		t.Errorf("the problem past the first 100: %+v", last)
	}
}

// TestFileTooLarge: a file over MaxFileSize is not read (a Problem naming
// it), and DirReader reads no more of it than it takes to tell.
func TestFileTooLarge(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.conf")
	if err := os.WriteFile(big, []byte("[DEFAULT]\n#"+strings.Repeat("x", MaxFileSize)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "small.conf"), []byte("[libvirt]\nvirt_type = kvm\n"), 0o644)
	data, err := DirReader(dir).ReadFile("big.conf")
	if err != nil || len(data) != MaxFileSize+1 {
		t.Errorf("DirReader read %d bytes (%v), want %d", len(data), err, MaxFileSize+1)
	}
	cfg, problems := Load(DirReader(dir), []string{"big.conf", "small.conf"}, nil)
	if files := cfg.Files(); len(files) != 1 || files[0] != "small.conf" {
		t.Errorf("files read: %v, want small.conf only", files)
	}
	if len(problems) != 1 || problems[0].Code != CodeTooLarge || problems[0].Source.File != "big.conf" || problems[0].Severity != SeverityError ||
		!strings.Contains(problems[0].Message, "larger than 16 MiB") {
		t.Errorf("problems: %v", problems)
	}
}

// TestValueBudget: past the assignments a configuration may set in all,
// reading stops with an error naming the line; a later file starts
// with what is left.
func TestValueBudget(t *testing.T) {
	r := ReaderFuncs{
		File: func(p string) ([]byte, error) {
			return []byte("[DEFAULT]\n" + strings.Repeat("a = 1\n", 60)), nil
		},
		Dir: func(string) ([]os.DirEntry, error) { return nil, os.ErrNotExist },
	}
	cfg, problems := loadWithin(r, []string{"one.conf", "two.conf"}, nil, false, 100)
	parsed := cfg.Parsed()
	if len(parsed) != 2 || len(parsed[0].Values) != 60 || len(parsed[1].Values) != 40 {
		t.Fatalf("values read: %d files", len(parsed))
	}
	var tooLarge []Problem
	for _, p := range problems {
		if p.Code == CodeTooLarge {
			tooLarge = append(tooLarge, p)
		}
	}
	if len(tooLarge) != 1 || tooLarge[0].Source != (Source{"two.conf", 42}) || tooLarge[0].Severity != SeverityError ||
		!strings.Contains(tooLarge[0].Message, "this one and those before it") {
		t.Errorf("too-large problems: %v", tooLarge)
	}
	if _, problems := parse("one.conf", []byte("[DEFAULT]\n"+strings.Repeat("a = 1\n", 60)), 10, false); len(problems) < 1 ||
		problems[len(problems)-1].Code != CodeTooLarge || !strings.Contains(problems[len(problems)-1].Message, "in this file") {
		t.Errorf("one file over the budget: %v", problems)
	}
}
