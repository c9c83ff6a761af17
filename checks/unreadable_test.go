package checks

import (
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gpupass/gpupass/internal/regfile"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/report"
)

// unreadableConf is the deployment's nova.conf as DiscoverSet reads it,
// from memory: files maps paths to their text; the paths in denied are
// there but cannot be read by this user (permission denied).
func unreadableConf(t *testing.T, files map[string]string, denied ...string) *novaconf.Set {
	t.Helper()
	isDenied := map[string]bool{}
	for _, d := range denied {
		isDenied[d] = true
	}
	exists := func(p string) bool {
		if _, ok := files[p]; ok || isDenied[p] {
			return true
		}
		for f := range files {
			if strings.HasPrefix(f, p+"/") {
				return true
			}
		}
		for _, f := range denied {
			if strings.HasPrefix(f, p+"/") {
				return true
			}
		}
		return false
	}
	notExist := func(p string) error { return &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist} }
	r := novaconf.ReaderFuncs{
		File: func(p string) ([]byte, error) {
			if isDenied[p] {
				return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
			}
			text, ok := files[p]
			if !ok {
				return nil, notExist(p)
			}
			return []byte(text), nil
		},
		Dir: func(p string) ([]fs.DirEntry, error) {
			if !exists(p) || isDenied[p] {
				if isDenied[p] {
					return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
				}
				return nil, notExist(p)
			}
			var out []fs.DirEntry
			for _, f := range append(slices.Sorted(maps.Keys(files)), denied...) {
				if path.Dir(f) == p {
					out = append(out, fs.FileInfoToDirEntry(fakeInfo(path.Base(f))))
				}
			}
			return out, nil
		},
	}
	stat := func(p string) (fs.FileInfo, error) {
		if exists(p) {
			return fakeInfo(path.Base(p)), nil
		}
		return nil, notExist(p)
	}
	set := novaconf.DiscoverSet("compute", r, stat)
	if set == nil {
		t.Fatal("no layout found")
	}
	return set
}

// fakeInfo is a regular file's FileInfo, mode 0640.
type fakeInfo string

func (f fakeInfo) Name() string       { return string(f) }
func (f fakeInfo) Size() int64        { return 0 }
func (f fakeInfo) Mode() fs.FileMode  { return 0o640 }
func (f fakeInfo) ModTime() time.Time { return time.Time{} }
func (f fakeInfo) IsDir() bool        { return false }
func (f fakeInfo) Sys() any           { return nil }

// Unreadable is not broken: a nova.conf this user may not read gives no
// finding (no GP301 error, no GP303 pass, no GP306 "no device_spec offers
// it"); every check of it is skipped, naming the file and why.
func TestUnreadableConfSkips(t *testing.T) {
	in := &Inputs{Host: readyHost(), NovaConf: unreadableConf(t, nil, "/etc/nova/nova.conf")}
	r := Run(in, InSection(All, "GP3"))
	if len(r.Findings) != 0 {
		t.Errorf("findings on an unreadable nova.conf: %+v", r.Findings)
	}
	for _, c := range r.Checks {
		if c.Status != report.StatusSkip || !strings.Contains(c.Reason, "needs a nova.conf readable by this user (run gpupass as root; /etc/nova/nova.conf: permission denied)") {
			t.Errorf("%s: %s %q, want skipped naming the file", c.ID, c.Status, c.Reason)
		}
	}
	if got := report.FromConf(in.NovaConf); got == nil || len(got.Unreadable) != 1 || got.Unreadable[0].Reason != novaconf.ReasonPermission {
		t.Errorf("the report's nova_conf does not say what could not be read: %+v", got)
	}
}

// When part of the configuration could not be read, what the rest says
// is not the whole story: the checks of the configuration skip (GP303 does
// not pass, GP306 does not claim that no device_spec offers the GPU,
// though the file read has none); GP301 still judges each file it read.
func TestPartlyUnreadableConf(t *testing.T) {
	conf := unreadableConf(t, map[string]string{"/etc/nova/nova.conf": "[DEFAULT]\ndebug = true\n"}, "/etc/nova/nova.conf.d/50-gpu.conf")
	in := &Inputs{Host: readyHost(), NovaConf: conf}
	r := Run(in, InSection(All, "GP3"))
	for _, c := range r.Checks {
		if c.ID == AliasMismatch.ID { // needs --api-conf first
			continue
		}
		if c.Status != report.StatusSkip || !strings.Contains(c.Reason, "/etc/nova/nova.conf.d/50-gpu.conf (permission denied) is not readable by this user") {
			t.Errorf("%s: %s %q, want skipped naming the unreadable file", c.ID, c.Status, c.Reason)
		}
	}
	if len(r.Findings) != 0 {
		t.Errorf("findings: %+v", r.Findings)
	}
	// A line oslo.config rejects in the file read is still an error.
	conf = unreadableConf(t, map[string]string{"/etc/nova/nova.conf": "[DEFAULT]\nno delimiter here\n"}, "/etc/nova/nova.conf.d/50-gpu.conf")
	r = Run(&Inputs{Host: readyHost(), NovaConf: conf}, []*Check{ConfSyntax})
	if r.Checks[0].Status != report.StatusFail || len(r.Findings) != 1 || r.Findings[0].Source != "/etc/nova/nova.conf:2" {
		t.Errorf("GP301 on the file read: %+v %+v", r.Checks, r.Findings)
	}
}

// A nova.conf that is there but cannot be read for another reason than
// permissions (a directory, a FIFO) is broken for nova too: GP301 says so,
// and does not blame the user gpupass runs as.
func TestConfNotARegularFile(t *testing.T) {
	r := novaconf.ReaderFuncs{
		File: func(p string) ([]byte, error) {
			return nil, &fs.PathError{Op: "open", Path: p, Err: &regfile.NotRegularError{Mode: fs.ModeNamedPipe}}
		},
		Dir: func(p string) ([]fs.DirEntry, error) {
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
		},
	}
	conf := novaconf.LoadSet("compute", "packages", r, []string{"/etc/nova/nova.conf"}, nil, func(string) (fs.FileInfo, error) { return nil, fs.ErrNotExist })
	r2 := Run(&Inputs{Host: readyHost(), NovaConf: conf}, []*Check{ConfSyntax})
	if len(r2.Findings) != 1 || r2.Findings[0].Severity != report.Error || !strings.Contains(r2.Findings[0].Message, "named pipe") ||
		strings.Contains(r2.Findings[0].Remediation, "root") || !strings.Contains(r2.Findings[0].Remediation, "regular file") {
		t.Errorf("GP301 on a FIFO: %+v", r2.Findings)
	}
}
