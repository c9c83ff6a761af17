package novarelease

import "testing"

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
		{in: "25.1.0", err: true},
		{in: "34", err: true},
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
	if Newest().Name != "2026.1" {
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
