package novaconf

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestOracleDifferential parses thousands of generated files, built from
// the fragments that matter to oslo.config's parser (indentation of every
// kind of whitespace, quotes, delimiters, section headers, comments, CR and
// CRLF, BOM, NUL, invalid UTF-8), with Parse and with oslo.config's
// ConfigParser (oracle.py --parse), plus the fuzz corpus, and requires the
// same groups, keys and values, or the same error at the same line.
// GPUPASS_ORACLE=1, as it needs python3-oslo.config.
func TestOracleDifferential(t *testing.T) {
	if os.Getenv("GPUPASS_ORACLE") != "1" {
		t.Skip("needs python3 with python3-oslo.config: GPUPASS_ORACLE=1 go test ./openstack/novaconf -run TestOracleDifferential " +
			"(GPUPASS_ORACLE_N=50000 for more generated files, GPUPASS_ORACLE_CORPUS=DIR to add a fuzzing cache's inputs)")
	}
	n := 5000
	if s := os.Getenv("GPUPASS_ORACLE_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	if testing.Short() {
		n = 500
	}
	inputs := generateConfs(rand.New(rand.NewPCG(1, 2)), n)
	corpus, _ := filepath.Glob("testdata/fuzz/FuzzParse/*")
	if dir := os.Getenv("GPUPASS_ORACLE_CORPUS"); dir != "" {
		// e.g. $(go env GOCACHE)/fuzz/github.com/gpupass/gpupass/openstack/novaconf/FuzzParse,
		// what a fuzzing run found interesting.
		more, _ := filepath.Glob(filepath.Join(dir, "*"))
		corpus = append(corpus, more...)
	}
	for _, path := range corpus {
		if data, err := readFuzzCorpusBytes(path); err == nil {
			inputs = append(inputs, data)
		}
	}
	oslo := runOracleParse(t, inputs)
	mismatches := 0
	kinds := map[string]int{}
	for i, data := range inputs {
		if e := oslo[i].Error; e != nil {
			kinds[e.Msg]++
		} else {
			kinds["accepted"]++
		}
		if msg := compareWithOslo(data, oslo[i]); msg != "" {
			mismatches++
			if mismatches <= 10 {
				t.Errorf("input %q:\n%s", data, msg)
			}
		}
	}
	t.Logf("%d inputs (%d generated, %d from the fuzz corpus), %d disagree with oslo.config; oslo.config's answers: %v",
		len(inputs), n, len(inputs)-n, mismatches, kinds)
}

type osloParse struct {
	Groups map[string]map[string][]string `json:"groups"`
	Error  *oracleError                   `json:"error"`
}

func runOracleParse(t *testing.T, inputs [][]byte) []osloParse {
	t.Helper()
	enc := make([]string, len(inputs))
	for i, in := range inputs {
		enc[i] = base64.StdEncoding.EncodeToString(in)
	}
	stdin, _ := json.Marshal(enc)
	cmd := exec.Command(oraclePython(), "oracle.py", "--parse")
	cmd.Dir = oracleDir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle.py --parse: %v\n%s", err, stderr.String())
	}
	var res []osloParse
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	if len(res) != len(inputs) {
		t.Fatalf("oracle.py answered %d of %d inputs", len(res), len(inputs))
	}
	return res
}

// compareWithOslo returns how Parse's reading of data differs from
// oslo.config's, or "".
func compareWithOslo(data []byte, oslo osloParse) string {
	f, _ := Parse("x.conf", data)
	if oslo.Error != nil {
		if f.Err == nil {
			return "oslo.config: " + oslo.Error.Type + " at line " + itoa(oslo.Error.Line) + ": " + oslo.Error.Msg + "; Parse accepts it"
		}
		switch oslo.Error.Type {
		case "UnicodeDecodeError":
			if f.Err.Code != CodeInvalidUTF8 || f.Err.Source.Line != oslo.Error.Line {
				return "oslo.config: invalid UTF-8 on line " + itoa(oslo.Error.Line) + "; Parse: " + f.Err.String()
			}
		default:
			if osloMessages[f.Err.Code] != oslo.Error.Msg || f.Err.OsloLine != oslo.Error.Line {
				return "oslo.config: " + oslo.Error.Msg + " at line " + itoa(oslo.Error.Line) + "; Parse: " + f.Err.String() + " (oslo line " + itoa(f.Err.OsloLine) + ")"
			}
		}
		return ""
	}
	if f.Err != nil {
		return "oslo.config accepts it; Parse: " + f.Err.String()
	}
	got := map[string]map[string][]string{}
	for _, s := range f.Sections {
		if got[s.Group] == nil {
			got[s.Group] = map[string][]string{}
		}
	}
	for _, v := range f.Values {
		got[v.Group][v.Name] = append(got[v.Group][v.Name], v.Text)
	}
	want := oslo.Groups
	if want == nil {
		want = map[string]map[string][]string{}
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		return "oslo.config: " + string(w) + "\nParse:       " + string(g)
	}
	return ""
}

func itoa(n int) string { return Source{Line: n}.String() }

// Fragments of nova.conf lines, chosen for what oslo.config's parser does
// with them.
var (
	genIndent  = []string{"", "", "", " ", "\t", "    ", " \t", "\u00a0", "\x0b", "\x0c", "\x1c", "\u3000", "\u2028", "\ufeff", "\u0085"}
	genTrail   = []string{"", "", "", " ", "\t", "\u00a0", "\x1f", "\u0085", "\u2003", "\x0c"}
	genSection = []string{"[DEFAULT]", "[pci]", "[PCI]", "[Default]", "[default]", "[]", "[pci", "[ pci ]", "[pci] # c", "[pci]]", "[[pci]", "[İ]", "[ ]", "[libvirt]", "[\x00]", "[a=b]", "[Σ]"}
	genKey     = []string{"device_spec", "alias", "virt_type", "a b", "\"q\"", "-", "", " ", "Key", "x\u00a0", "a:b", "#k", ";k", "[k", "\x00"}
	genDelim   = []string{"=", ":", " = ", " : ", "==", "=:", ":=", "\t=\t", " =", ": "}
	genValue   = []string{"", "v", "\"v\"", "'v'", "\"", "'", "\"\"", "\"a\" \"b\"", "'x\"", "{\"a\": 1}", "a # b", "a ; b", "a\\", "$x", "a\x00b", "\u00a0v\u00a0", "\x1cv\x1f", "`v`", "\"\"\"t\"\"\"", "a=b", "a:b", "é", " \"v\" ", "=", ":"}
	genComment = []string{"#c", ";c", "#", ";", "# a = b", "#[pci]"}
	genBlank   = []string{"", " ", "\t", "\x0c", "\u00a0", "\x1c", "\u3000"}
	genNewline = []string{"\n", "\n", "\n", "\n", "\r\n", "\r"}
	genBad     = []string{"\xff", "\xc3", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80", "\xe2\x82"}
)

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

// generateConfs returns n small files built from the fragments above:
// half of them anything, half mostly well-formed (so that oslo.config
// accepts many, and their values are compared).
func generateConfs(r *rand.Rand, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		if i%2 == 1 {
			out[i] = generateWellFormed(r)
			continue
		}
		var b strings.Builder
		if r.IntN(10) < 7 {
			b.WriteString(pick(r, []string{"[pci]", "[DEFAULT]", "[libvirt]"}) + pick(r, genNewline))
		}
		lines := 1 + r.IntN(8)
		for range lines {
			switch k := r.IntN(20); {
			case k < 8:
				b.WriteString(pick(r, genIndent) + pick(r, genKey) + pick(r, genDelim) + pick(r, genValue) + pick(r, genTrail))
			case k < 11:
				b.WriteString(pick(r, genIndent) + pick(r, genSection) + pick(r, genTrail))
			case k < 13:
				b.WriteString(pick(r, genBlank))
			case k < 15:
				b.WriteString(pick(r, genIndent) + pick(r, genComment))
			case k < 19:
				b.WriteString(pick(r, []string{" ", "\t", "  ", "\t "}) + pick(r, genValue) + pick(r, genKey) + pick(r, genTrail))
			default:
				b.WriteString(pick(r, genKey) + "=" + pick(r, genBad) + pick(r, genValue))
			}
			if r.IntN(8) > 0 {
				b.WriteString(pick(r, genNewline))
			}
		}
		out[i] = []byte(b.String())
	}
	return out
}

func generateWellFormed(r *rand.Rand) []byte {
	var b strings.Builder
	nl := pick(r, genNewline)
	b.WriteString(pick(r, []string{"[pci]", "[DEFAULT]", "[PCI]", "[Default]", "[ pci ]", "[İ]", "[Σ]"}) + nl)
	open := false
	for range 1 + r.IntN(10) {
		switch k := r.IntN(10); {
		case k < 4:
			b.WriteString(pick(r, []string{"device_spec", "alias", "virt_type", "a b", "\"q\"", "-", "Key", "x\u00a0y"}) +
				pick(r, genDelim) + pick(r, genValue) + pick(r, genTrail))
			open = true
		case k < 7 && open:
			b.WriteString(pick(r, []string{" ", "\t", "    ", " \u00a0"}) + pick(r, genValue) + "x" + pick(r, genTrail))
		case k < 8:
			b.WriteString(pick(r, genBlank))
			open = false
		case k < 9:
			b.WriteString(pick(r, genComment))
			open = false
		default:
			b.WriteString(pick(r, []string{"[pci]", "[DEFAULT]", "[libvirt]", "[LibVirt]", "[ ]"}) + pick(r, genTrail))
			open = false
		}
		b.WriteString(nl)
	}
	return []byte(b.String())
}

// readFuzzCorpusBytes reads a "go test fuzz v1" file holding one []byte.
func readFuzzCorpusBytes(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		return nil, os.ErrInvalid
	}
	s := strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")")
	out, err := strconv.Unquote(s)
	if err != nil {
		return nil, err
	}
	return []byte(out), nil
}
