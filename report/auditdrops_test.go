package report_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/report"
)

// The packages that read host reports from ReadHostReports: the audit's
// model, the checks, and the audit command (audit.go: generate
// --from-report reads its one report with ReadHostReport, whole).
var hostReportReaders = []string{"fleet", "checks", "cmd/gpupass"}

// onlyIn limits a package's violations to these files.
var onlyIn = map[string]string{"cmd/gpupass": "audit.go"}

const module = "github.com/gpupass/gpupass/"

// TestAuditReadsNothingDropped holds the readers of host reports to what
// ReadHostReports keeps: they must not read a field it does not decode
// (AuditDrops: the report's checks and findings) nor the host's body
// through the report (Report.Host keeps the name; the host is
// HostReport.HostInfo). A new field the audit reads — the host's NUMA
// cells, say — is read through HostInfo, which carries every field of the
// host; reading it from r.Report.Host would read nothing, and fails here.
//
// It type-checks the packages (go list's export data for their imports)
// and looks at every selection of such a field, or call of Host.HostInfo,
// on a value reached from a HostReport's Report: through the selector
// itself (r.Report.Findings) or through a variable set from one (rep :=
// &r.Report; rep.Host.Devices). fleet reads reports only from host
// reports, so there any such selection fails, wherever its value comes
// from.
func TestAuditReadsNothingDropped(t *testing.T) {
	l := load(t, hostReportReaders...)
	for _, pkg := range hostReportReaders {
		for _, v := range l.violations(t, pkg, l.files[module+pkg], pkg == "fleet") {
			if f := onlyIn[pkg]; f == "" || strings.Contains(v, string(filepath.Separator)+f+":") {
				t.Errorf("%s", v)
			}
		}
	}
}

// TestAuditReadsNothingDroppedCanFail: the check finds each way of reading
// a dropped field.
func TestAuditReadsNothingDroppedCanFail(t *testing.T) {
	l := load(t, "fleet")
	src := `package probe

import "github.com/gpupass/gpupass/report"

func f(reports []*report.HostReport) int {
	n := 0
	for _, r := range reports {
		n += len(r.Report.Findings)               // 1
		rep := &r.Report
		n += len(rep.Checks)                      // 2
		n += len(rep.Host.Devices)                // 3
		if h := rep.Host.HostInfo(); h != nil {   // 4
			n++
		}
		host := r.Report.Host
		n += int(host.MemoryMB)                   // 5
		n += len(r.Report.Host.Hostname)          // kept: not a violation
		n += len(r.HostInfo().Devices)            // the way: not a violation
		n += len(rep.NovaConf.Options)            // kept: not a violation
	}
	var own report.Report
	n += len(own.Findings) // a report of its own: not a violation
	return n
}
`
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "probe.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	l.fset = fset
	got := l.violations(t, "probe", []*ast.File{file}, false)
	if len(got) != 5 {
		t.Fatalf("%d violations, want 5:\n%s", len(got), strings.Join(got, "\n"))
	}
	for i, v := range got {
		if !strings.Contains(v, fmt.Sprintf("probe.go:%d:", []int{8, 10, 11, 12, 16}[i])) {
			t.Errorf("violation %d: %s", i+1, v)
		}
	}
}

type loaded struct {
	fset    *token.FileSet
	exports map[string]string
	files   map[string][]*ast.File
}

// load parses the packages' Go files (not tests) and finds the export data
// of everything they import.
func load(t *testing.T, pkgs ...string) *loaded {
	t.Helper()
	args := []string{"list", "-export", "-deps", "-json=ImportPath,Dir,GoFiles,Export"}
	for _, p := range pkgs {
		args = append(args, module+p)
	}
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	l := &loaded{fset: token.NewFileSet(), exports: map[string]string{}, files: map[string][]*ast.File{}}
	want := map[string]bool{}
	for _, p := range pkgs {
		want[module+p] = true
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath, Dir, Export string
			GoFiles                 []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		l.exports[p.ImportPath] = p.Export
		if want[p.ImportPath] {
			for _, f := range p.GoFiles {
				file, err := parser.ParseFile(l.fset, filepath.Join(p.Dir, f), nil, parser.ParseComments)
				if err != nil {
					t.Fatal(err)
				}
				l.files[p.ImportPath] = append(l.files[p.ImportPath], file)
			}
		}
	}
	return l
}

// dropped are the Go names of report.Report's fields AuditDrops names.
func dropped() map[string]bool {
	out := map[string]bool{}
	rt := reflect.TypeFor[report.Report]()
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if report.AuditDrops[name] {
			out[rt.Field(i).Name] = true
		}
	}
	return out
}

// violations type-checks files as package path and lists the reads of
// what ReadHostReports drops; anywhere: every such selection counts,
// wherever its value comes from.
func (l *loaded) violations(t *testing.T, path string, files []*ast.File, anywhere bool) []string {
	t.Helper()
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", path)
	}
	imp := importer.ForCompiler(l.fset, "gc", func(p string) (io.ReadCloser, error) {
		e, ok := l.exports[p]
		if !ok || e == "" {
			return nil, fmt.Errorf("no export data for %s", p)
		}
		return os.Open(e)
	})
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}}
	if _, err := (&types.Config{Importer: imp}).Check(path, l.fset, files, info); err != nil {
		t.Fatalf("type-checking %s: %v", path, err)
	}
	drops := dropped()
	if len(drops) != len(report.AuditDrops) {
		t.Fatalf("AuditDrops %v names keys that are not report.Report's", report.AuditDrops)
	}
	// isField: sel selects field name of the report type typ.
	isField := func(sel *types.Selection, typ, name string) bool {
		if sel.Kind() != types.FieldVal || sel.Obj().Name() != name {
			return false
		}
		return isReportType(sel.Recv(), typ)
	}
	// The variables set from a HostReport's Report, to a fixpoint.
	tainted := map[types.Object]bool{}
	derived := func(e ast.Expr) bool {
		found := false
		ast.Inspect(e, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if sel := info.Selections[n]; sel != nil && isField(sel, "HostReport", "Report") {
					found = true
				}
			case *ast.Ident:
				if tainted[info.Uses[n]] {
					found = true
				}
			case *ast.CallExpr:
				// A call's result is its own, not the report's (r.HostInfo()).
				if s, ok := n.Fun.(*ast.SelectorExpr); ok {
					if sel := info.Selections[s]; sel != nil && sel.Kind() == types.MethodVal {
						return false
					}
				}
			}
			return !found
		})
		return found
	}
	for changed := true; changed; {
		changed = false
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				var lhs, rhs []ast.Expr
				switch n := n.(type) {
				case *ast.AssignStmt:
					lhs, rhs = n.Lhs, n.Rhs
				case *ast.ValueSpec:
					for _, id := range n.Names {
						lhs = append(lhs, id)
					}
					rhs = n.Values
				case *ast.RangeStmt:
					if n.Value != nil {
						lhs, rhs = []ast.Expr{n.Value}, []ast.Expr{n.X}
					}
				}
				for i, l := range lhs {
					id, ok := l.(*ast.Ident)
					if !ok {
						continue
					}
					var r ast.Expr
					switch {
					case len(rhs) == len(lhs):
						r = rhs[i]
					case len(rhs) == 1:
						r = rhs[0]
					default:
						continue
					}
					obj := info.Defs[id]
					if obj == nil {
						obj = info.Uses[id]
					}
					if obj != nil && !tainted[obj] && derived(r) {
						tainted[obj] = true
						changed = true
					}
				}
				return true
			})
		}
	}
	var out []string
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			s, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			sel := info.Selections[s]
			if sel == nil {
				return true
			}
			what := ""
			switch {
			case sel.Kind() == types.FieldVal && isReportType(sel.Recv(), "Report") && drops[sel.Obj().Name()]:
				what = "report.Report's " + sel.Obj().Name() + ", which ReadHostReports does not decode (AuditDrops)"
			case sel.Kind() == types.FieldVal && isReportType(sel.Recv(), "Host") && sel.Obj().Name() != "Hostname":
				what = "report.Host's " + sel.Obj().Name() + " from the report, which keeps only the host's name: read HostReport.HostInfo()"
			case sel.Kind() == types.MethodVal && isReportType(sel.Recv(), "Host") && sel.Obj().Name() == "HostInfo":
				what = "report.Host.HostInfo on the report's host, which keeps only its name: call HostReport.HostInfo()"
			default:
				return true
			}
			if anywhere || derived(s.X) {
				out = append(out, fmt.Sprintf("%s: reads %s", l.fset.Position(s.Sel.Pos()), what))
			}
			return true
		})
	}
	return out
}

// isReportType: t is report.NAME or a pointer to it.
func isReportType(t types.Type, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Name() == name && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == module+"report"
}
