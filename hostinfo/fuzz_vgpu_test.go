package hostinfo_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gpupass/gpupass/hostinfo"
)

// Fuzz targets of the vGPU readers' parsers; seeds are added here and
// more live in testdata/fuzz/<FuzzName>/.

func FuzzParseCreatableVGPUTypes(f *testing.F) {
	for _, s := range []string{creatableL40S, "ID    : vGPU Name\n", "", "1428 : NVIDIA H200X-141C\n", "ID : vGPU Name\nx\n", "1 : a : b\n", "ID : vGPU Name\r\n2 : x\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		types, err := hostinfo.ParseCreatableVGPUTypes(data)
		if err != nil {
			if types != nil {
				t.Fatalf("types %v and an error %v", types, err)
			}
			return
		}
		var b strings.Builder
		b.WriteString("ID    : vGPU Name\n")
		for _, ty := range types {
			if ty.ID <= 0 || ty.Name == "" || strings.ContainsAny(ty.Name, "\n") || ty.Name != strings.TrimSpace(ty.Name) {
				t.Fatalf("%q: accepted %+v", data, ty)
			}
			fmt.Fprintf(&b, "%-5d : %s\n", ty.ID, ty.Name)
		}
		// What was read, written as the driver writes it, reads the same.
		again, err := hostinfo.ParseCreatableVGPUTypes([]byte(b.String()))
		if err != nil {
			t.Fatalf("%q rendered as %q: %v", data, b.String(), err)
		}
		if diff := cmp.Diff(types, again); diff != "" {
			t.Fatalf("%q: rendered and read again (-first +again):\n%s", data, diff)
		}
	})
}

func FuzzParseCurrentVGPUType(f *testing.F) {
	for _, s := range []string{"0\n", "1148\n", "-1", "+1", " 7 ", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		id, err := hostinfo.ParseCurrentVGPUType(data)
		if err != nil {
			return
		}
		digits := strings.TrimSpace(string(data))
		if id < 0 || strings.Trim(digits, "0123456789") != "" || strings.TrimLeft(digits, "0") != strings.TrimLeft(strconv.Itoa(id), "0") {
			t.Fatalf("%q read as %d", data, id)
		}
	})
}

func FuzzParseMdevMaxInstance(f *testing.F) {
	for _, s := range []string{t4Desc1B, "max_instance=", "max_instance=0", "2 heads, 512M FB", "max_instance=1,max_instance=2", "a=b=c, max_instance = 3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := hostinfo.ParseMdevMaxInstance(s)
		if err != nil && n != 0 || n < 0 || n > 0 && !strings.Contains(s, "max_instance") {
			t.Fatalf("%q read as %d, %v", s, n, err)
		}
	})
}

func FuzzParseMdevctlDefinition(f *testing.F) {
	for _, s := range []string{
		"{\n  \"mdev_type\": \"nvidia-558\",\n  \"start\": \"auto\",\n  \"attrs\": []\n}",
		`{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"}]}`,
		`{"mdev_type":null,"start":"auto"}`, `{"mdev_type":"a","start":"auto","attrs":[{}]}`, "null", "[]", "{",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := hostinfo.ParseMdevctlDefinition(data)
		if err != nil {
			return
		}
		if d.Start != "auto" && d.Start != "manual" || d.File != "" || d.UUID != "" || d.Parent != "" {
			t.Fatalf("%q: accepted %+v", data, d)
		}
		// As mdevctl would write it back, it reads the same.
		again, err := json.Marshal(map[string]any{"mdev_type": d.Type, "start": d.Start, "attrs": []any{}})
		if err != nil {
			t.Fatal(err)
		}
		if d2, err := hostinfo.ParseMdevctlDefinition(again); err != nil || d2 != d {
			t.Fatalf("%q: %+v written back as %s reads %+v, %v", data, d, again, d2, err)
		}
	})
}

func FuzzParseUnitFile(f *testing.F) {
	for _, s := range []string{novaSRIOVTemplate, "[Unit]\nA=b \\\n# c\n d\n", "K=v\n[S]\n", "[S]\nK=\\", "[S\nK=v\n", "[S]\r\nK = v \r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		as := hostinfo.ParseUnitFile(data)
		lines := strings.Count(string(data), "\n") + 1
		var b strings.Builder
		last := 0
		for _, a := range as {
			if a.Section == "" || a.Key == "" || strings.Contains(a.Key, "=") || a.Key != strings.TrimSpace(a.Key) ||
				a.Value != strings.TrimSpace(a.Value) || a.Line < last || a.Line > lines || strings.ContainsAny(a.Key+a.Value+a.Section, "\n") {
				t.Fatalf("%q: %+v", data, a)
			}
			last = a.Line
			if strings.HasSuffix(a.Value, `\`) || strings.HasPrefix(a.Key, "[") || strings.HasPrefix(a.Key, "#") || strings.HasPrefix(a.Key, ";") {
				return // cannot be written back as one assignment
			}
			fmt.Fprintf(&b, "[%s]\n%s=%s\n", a.Section, a.Key, a.Value)
		}
		// The assignments, written one by one, read the same.
		again := hostinfo.ParseUnitFile([]byte(b.String()))
		if len(again) != len(as) {
			t.Fatalf("%q: %d assignments, %d when written back as %q", data, len(as), len(again), b.String())
		}
		for i := range as {
			if as[i].Section != again[i].Section || as[i].Key != again[i].Key || as[i].Value != again[i].Value {
				t.Fatalf("%q: %+v written back reads %+v", data, as[i], again[i])
			}
		}
	})
}

func FuzzExpandUnitSpecifiers(f *testing.F) {
	f.Add("/usr/lib/nvidia/sriov-manage -e %i", "nvidia-sriov-manage@0000:41:00.0.service")
	f.Add("%I %P %%%", `a-b@c\x2d.service`)
	f.Fuzz(func(t *testing.T, s, name string) {
		got := hostinfo.ExpandUnitSpecifiers(s, name)
		if !strings.Contains(s, "%") && got != s {
			t.Fatalf("ExpandUnitSpecifiers(%q, %q) = %q", s, name, got)
		}
	})
}
