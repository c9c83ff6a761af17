package pysem

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gpupass/gpupass/internal/judges"
)

// The differential tests run gpupass's emulation and CPython on the same
// inputs, through one long-lived python3 process per Python (pyServer
// reads a batch of cases per line and answers a line). The Pythons are
// the host's python3 whenever there is one, and, when
// GPUPASS_NOVA_CHROOTS names a directory with the release chroots
// (bookworm/, trixie/, sid/, as hack/ builds them), each chroot's.
// GPUPASS_PYSEM=1 (CI) makes a missing python3 a failure.

const pyServer = `
import json, re, sys
def err(e):
    name = "re.error" if isinstance(e, re.error) else type(e).__name__
    return {"exc": name, "msg": str(e)}
def run(op, c):
    if op == "int":
        return {"ok": format(int(c[0], c[1]), "x")}
    if op == "json":
        return {"ok": repr(json.loads(c))}
    if op == "re":
        p = re.compile(c[0])
        return {"ok": [p.match(s) is not None for s in c[1]]}
    raise ValueError(op)
print(json.dumps({"version": list(sys.version_info[:2]), "full": sys.version.split()[0],
                  "possessive_fixed": re.match(r"(?!0)?+\w{2}", "0a") is not None}), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    out = []
    for c in req["cases"]:
        try:
            out.append(run(req["op"], c))
        except (Exception, RecursionError) as e:
            out.append(err(e))
    print(json.dumps(out), flush=True)
`

// cpython is one running Python.
type cpython struct {
	name string
	v    Version
	full string
	// oldPossessive is true for a Python whose sre predates the fix of
	// possessive repeats whose item fails (Debian bookworm's 3.11.2-6+deb12u6
	// has the bug, deb12u9 the fix; gpupass follows the fix).
	oldPossessive bool
	cmd           *exec.Cmd
	in            io.WriteCloser
	out           *bufio.Reader
	mu            sync.Mutex
}

// pyResult is one case's answer: ok, or the exception.
type pyResult struct {
	OK  json.RawMessage `json:"ok"`
	Exc string          `json:"exc"`
	Msg string          `json:"msg"`
}

func startPython(name string, argv ...string) (*cpython, error) {
	cmd := exec.Command(argv[0], append(argv[1:], "-c", pyServer)...)
	cmd.Stderr = io.Discard // re's FutureWarnings
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outp, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &cpython{name: name, cmd: cmd, in: in, out: bufio.NewReaderSize(outp, 1<<20)}
	line, err := p.out.ReadBytes('\n')
	if err != nil {
		p.close()
		return nil, fmt.Errorf("%s: no greeting: %v", name, err)
	}
	var hello struct {
		Version         [2]int
		Full            string
		PossessiveFixed bool `json:"possessive_fixed"`
	}
	if err := json.Unmarshal(line, &hello); err != nil {
		p.close()
		return nil, fmt.Errorf("%s: %q: %v", name, line, err)
	}
	p.full = hello.Full
	p.oldPossessive = !hello.PossessiveFixed
	switch hello.Version {
	case [2]int{3, 11}:
		p.v = Py311
	case [2]int{3, 13}:
		p.v = Py313
	case [2]int{3, 14}:
		p.v = Py314
	default:
		p.close()
		return nil, fmt.Errorf("%s is Python %s, which gpupass does not emulate (3.11, 3.13, 3.14)", name, hello.Full)
	}
	p.name = fmt.Sprintf("%s (Python %s)", name, p.full)
	if p.oldPossessive {
		p.name = fmt.Sprintf("%s (Python %s, before the possessive-repeat fix)", name, p.full)
	}
	return p, nil
}

func (p *cpython) close() {
	p.in.Close()
	p.cmd.Wait()
}

// run sends a batch of cases and returns one result per case.
func (p *cpython) run(op string, cases any) ([]pyResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	req, err := json.Marshal(map[string]any{"op": op, "cases": cases})
	if err != nil {
		return nil, err
	}
	if _, err := p.in.Write(append(req, '\n')); err != nil {
		return nil, fmt.Errorf("%s: %v", p.name, err)
	}
	line, err := p.out.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("%s: %v", p.name, err)
	}
	var out []pyResult
	if err := json.Unmarshal(line, &out); err != nil {
		return nil, fmt.Errorf("%s: %v", p.name, err)
	}
	return out, nil
}

const gateVar = "GPUPASS_PYSEM"

// hostPythonPath is the host's Python: the system's /usr/bin/python3 (the
// one Debian's Nova runs on), else python3 on PATH.
func hostPythonPath() (string, error) {
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3", nil
	}
	return exec.LookPath("python3")
}

// pythons starts the Pythons to compare with, closed when the test ends:
// it fails when GPUPASS_PYSEM=1 and there is no python3, or
// GPUPASS_NOVA_CHROOTS is set and a chroot's Python does not start; it
// skips, naming GPUPASS_PYSEM, when there is no python3 otherwise.
func pythons(t *testing.T) []*cpython {
	t.Helper()
	var ps []*cpython
	host, err := hostPythonPath()
	switch {
	case err == nil:
		p, err := startPython("host "+host, host)
		if err != nil {
			if os.Getenv(gateVar) == "1" {
				t.Fatalf("%s=1: %v", gateVar, err)
			}
			t.Logf("not compared with the host's Python: %v", err)
		} else {
			ps = append(ps, p)
		}
	case os.Getenv(gateVar) == "1":
		t.Fatalf("%s=1 but there is no python3 to compare with: %v", gateVar, err)
	}
	if dir := os.Getenv("GPUPASS_NOVA_CHROOTS"); dir != "" {
		for _, suite := range judges.Suites() {
			root := filepath.Join(dir, suite)
			p, err := startPython(suite+" chroot", "chroot", root, "python3")
			if err != nil {
				t.Fatalf("GPUPASS_NOVA_CHROOTS=%s: %s: %v", dir, suite, err)
			}
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		t.Skipf("no python3 to compare with (set %s=1 to make this a failure)", gateVar)
	}
	t.Cleanup(func() {
		for _, p := range ps {
			p.close()
		}
	})
	return ps
}

// hostPython is one host python3 shared by a fuzz worker's runs; nil
// when there is none.
var hostPython = sync.OnceValue(func() *cpython {
	host, err := hostPythonPath()
	if err != nil {
		return nil
	}
	p, err := startPython("host "+host, host)
	if err != nil {
		return nil
	}
	return p
})

// pyAnswer is Python's answer to a case: "ok VALUE" (a string, or
// re.match's answers as [true false ...]) or "EXCEPTION: MESSAGE".
func pyAnswer(r pyResult) string {
	if r.Exc != "" {
		return r.Exc + ": " + r.Msg
	}
	var str string
	if json.Unmarshal(r.OK, &str) == nil {
		return "ok " + str
	}
	var bools []bool
	if json.Unmarshal(r.OK, &bools) == nil {
		return fmt.Sprint("ok ", bools)
	}
	return "ok ?" + string(r.OK)
}

// intAnswer is gpupass's int(s, base) in pyAnswer's terms.
func intAnswer(v Version, s string, base int) string {
	r := v.ParseInt(s, base)
	if r.Value == nil {
		return "ValueError: " + r.Err
	}
	return "ok " + r.Value.Text(16)
}

// jsonAnswer is gpupass's repr(json.loads(s)).
func jsonAnswer(v Version, s string) string {
	x, err := v.LoadJSON(s, 1<<30)
	if err != nil {
		je := err.(*JSONError)
		return je.Exception + ": " + je.Message
	}
	return "ok " + v.Repr(x)
}

// reAnswer is gpupass's re.compile(p) and re.match on each subject;
// budget is true when Match gave up.
func reAnswer(v Version, p string, subjects []string) (answer string, budget bool) {
	r, err := v.Compile(p)
	if err != nil {
		return err.Exception + ": " + err.Message, false
	}
	got := make([]bool, len(subjects))
	for i, s := range subjects {
		ok, err := r.Match(s)
		if err == ErrTooComplex {
			return "", true
		}
		if err != nil {
			return "error: " + err.Error(), false
		}
		got[i] = ok
	}
	return fmt.Sprint("ok ", got), false
}

// possessive reports whether a pattern has a possessive repeat (*+, ++,
// ?+, {m,n}+), on which a Python before the possessive-repeat fix may
// answer differently (cpython.oldPossessive).
func possessive(pattern string) bool {
	return strings.Contains(pattern, "*+") || strings.Contains(pattern, "++") || strings.Contains(pattern, "?+") || strings.Contains(pattern, "}+")
}
