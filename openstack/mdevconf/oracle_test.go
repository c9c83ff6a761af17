package mdevconf

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
)

// Nova as the judge: testdata/oracle/oracle.py runs Nova's own
// LibvirtDriver._get_supported_vgpu_types (and the parent lookups after
// it) over every case in testdata/oracle, with the code of three
// releases: Zed from the installed python3-nova, 2025.1 and 2026.2 from
// Debian's packages (hack/nova-pkgs.sh). expected.json is its answer.
// TestOracleAgreement holds Parse to it offline; TestOracleUpToDate
// (GPUPASS_ORACLE=1, as .ci/run sets) re-runs the oracle and fails when
// its answer is not expected.json, or when it cannot run.

const oracleDir = "testdata/oracle"

type oracleRun struct {
	Used         *[]string             `json:"used"`
	Mapping      map[string]string     `json:"mapping"`
	Classes      map[string]string     `json:"classes"`
	ClassSet     []string              `json:"class_set"`
	MaxInstances map[string]int        `json:"max_instances"`
	Parents      map[string][2]*string `json:"parents"`
	ErrorClass   string                `json:"error_class"`
	ErrorMessage string                `json:"error_message"`
	Warnings     []string              `json:"warnings"`
	Deprecations []string              `json:"deprecations"`
}

type oracleFile struct {
	Nova  string `json:"nova"`
	Cases map[string]struct {
		Files []string  `json:"files"`
		Zed   oracleRun `json:"zed"`
		Epoxy oracleRun `json:"2025.1"`
		N34   oracleRun `json:"2026.2"`
	} `json:"cases"`
}

func loadOracle(t *testing.T) *oracleFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(oracleDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out oracleFile
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// The releases each code judges. Zed's code is 26.0.0 to 28.3.1's, 31.0.0's
// is 29.0.0 to 33.0.2's (see parse.go for the tags compared); 34.0.0 is
// 2026.2's own. Zed, 2025.1 and 2026.2 are judged by their own code, the
// others (2023.1, 2023.2, 2024.1, 2024.2, 2025.2, 2026.1) by the code
// recorded as identical to theirs.
var judged = map[string][]string{
	"zed":    {"zed", "2023.1", "2023.2"},
	"2025.1": {"2024.1", "2024.2", "2025.1", "2025.2", "2026.1"},
	"2026.2": {"2026.2"},
}

func TestOracleCovers(t *testing.T) {
	var all []string
	for _, rs := range judged {
		all = append(all, rs...)
	}
	sort.Strings(all)
	var want []string
	for _, r := range novarelease.All {
		want = append(want, r.Name)
	}
	sort.Strings(want)
	if !reflect.DeepEqual(all, want) {
		t.Errorf("the oracle judges %v; gpupass knows %v", all, want)
	}
}

func TestOracleAgreement(t *testing.T) {
	oracle := loadOracle(t)
	if len(oracle.Cases) < 25 {
		t.Fatalf("only %d cases in expected.json", len(oracle.Cases))
	}
	names := make([]string, 0, len(oracle.Cases))
	for n := range oracle.Cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		oc := oracle.Cases[name]
		t.Run(name, func(t *testing.T) {
			set := novaconf.LoadSet("compute", "given", novaconf.DirReader(oracleDir), oc.Files, nil, func(p string) (os.FileInfo, error) {
				return os.Stat(filepath.Join(oracleDir, p))
			})
			for _, rel := range judged["zed"] {
				compare(t, rel, Parse(set, release(t, rel)), oc.Zed)
			}
			for _, rel := range judged["2025.1"] {
				compare(t, rel, Parse(set, release(t, rel)), oc.Epoxy)
			}
			for _, rel := range judged["2026.2"] {
				compare(t, rel, Parse(set, release(t, rel)), oc.N34)
			}
		})
	}
}

func release(t *testing.T, name string) novarelease.Release {
	t.Helper()
	r, err := novarelease.Parse(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func compare(t *testing.T, rel string, c *Conf, want oracleRun) {
	t.Helper()
	var wantErr, gotErr string
	if want.ErrorClass != "" {
		wantErr = want.ErrorClass + ": " + want.ErrorMessage
	}
	if c.StartErr != nil {
		gotErr = c.StartErr.Error()
		if c.StartErr.Where.File == "" {
			t.Errorf("%s: StartErr without a file: %+v", rel, c.StartErr)
		}
	}
	if gotErr != wantErr {
		t.Errorf("%s: error\n got %s\nwant %s", rel, gotErr, wantErr)
	}
	var nova, dep []string
	for _, w := range c.Warnings {
		switch w.Code {
		case CodeNovaLog:
			nova = append(nova, w.Message)
		case CodeDeprecated:
			dep = append(dep, w.Message)
		}
		if w.Where.File == "" || w.Where.Line == 0 {
			t.Errorf("%s: warning without file:line: %+v", rel, w)
		}
	}
	if !equalStrings(nova, want.Warnings) {
		t.Errorf("%s: Nova's warnings\n got %q\nwant %q", rel, nova, want.Warnings)
	}
	if !equalStrings(dep, want.Deprecations) {
		t.Errorf("%s: oslo.config's deprecations\n got %q\nwant %q", rel, dep, want.Deprecations)
	}
	if want.Used == nil {
		if c.Used != nil {
			t.Errorf("%s: Used = %q, but nova-compute does not start", rel, c.Used)
		}
		return
	}
	if !equalStrings(c.Used, *want.Used) {
		t.Errorf("%s: Used = %q, Nova %q", rel, c.Used, *want.Used)
	}
	if !equalMaps(c.Mapping, want.Mapping) {
		t.Errorf("%s: Mapping = %v, Nova %v", rel, c.Mapping, want.Mapping)
	}
	if !equalMaps(c.Classes, want.Classes) {
		t.Errorf("%s: Classes = %v, Nova %v", rel, c.Classes, want.Classes)
	}
	if !equalStrings(c.ResourceClasses, want.ClassSet) {
		t.Errorf("%s: ResourceClasses = %q, Nova %q", rel, c.ResourceClasses, want.ClassSet)
	}
	if len(c.MaxInstances)+len(want.MaxInstances) > 0 && !reflect.DeepEqual(c.MaxInstances, want.MaxInstances) {
		t.Errorf("%s: MaxInstances = %v, Nova %v", rel, c.MaxInstances, want.MaxInstances)
	}
	for addr, tc := range want.Parents {
		typ, class := c.TypeOf(addr)
		wantType := ""
		if tc[0] != nil {
			wantType = *tc[0]
		}
		if typ != wantType || (typ != "" && class != *tc[1]) {
			t.Errorf("%s: TypeOf(%s) = %q, %q; Nova gives %q, %q", rel, addr, typ, class, wantType, *tc[1])
		}
	}
}

func equalStrings(a, b []string) bool { return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b) }

func equalMaps(a, b map[string]string) bool {
	return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b)
}

// oraclePython is the Python that has Debian's python3-nova (installed in
// /usr/lib/python3/dist-packages, which a pyenv or venv python3 does not
// see).
func oraclePython() string {
	if p := os.Getenv("GPUPASS_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

func TestOracleUpToDate(t *testing.T) {
	if os.Getenv("GPUPASS_ORACLE") != "1" {
		t.Skip("re-running Nova's code needs /usr/bin/python3 with python3-nova (apt install python3-nova) and " +
			"Debian's python3-nova 31.0.0 and 34.0.0 extracted (bash hack/nova-pkgs.sh /tmp/nova): " +
			"GPUPASS_ORACLE=1 go test ./openstack/mdevconf -run TestOracleUpToDate (GPUPASS_NOVA_PKGS=/tmp/nova); " +
			"to refresh expected.json: cd openstack/mdevconf/testdata/oracle && LC_ALL=C.UTF-8 /usr/bin/python3 oracle.py /tmp/nova > expected.json")
	}
	pkgs := os.Getenv("GPUPASS_NOVA_PKGS")
	if pkgs == "" {
		pkgs = "/tmp/nova"
	}
	cmd := exec.Command(oraclePython(), "oracle.py", pkgs)
	cmd.Dir = oracleDir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle.py could not run Nova's code (is python3-nova installed, and %s extracted by hack/nova-pkgs.sh?): %v\n%s", pkgs, err, stderr.String())
	}
	want, err := os.ReadFile(filepath.Join(oracleDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(out, want) {
		return
	}
	var got, exp oracleFile
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("oracle.py output: %v", err)
	}
	_ = json.Unmarshal(want, &exp)
	for name, c := range got.Cases {
		if e, ok := exp.Cases[name]; !ok {
			t.Errorf("case %s: not in expected.json", name)
		} else if !reflect.DeepEqual(c, e) {
			a, _ := json.Marshal(c)
			b, _ := json.Marshal(e)
			t.Errorf("case %s: Nova says\n%s\nexpected.json says\n%s", name, a, b)
		}
	}
	t.Errorf("expected.json is not oracle.py's output; regenerate it (see the skip message) and review the diff")
}
