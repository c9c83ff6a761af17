package fleet

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/internal/judges"
	"github.com/gpupass/gpupass/openstack/cloudmodel"
	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/openstack/pcispec"
	"github.com/gpupass/gpupass/report"
)

// The NUMA oracle (testdata/numa, README there): Nova's own
// numa_fit_instance_to_host, run by each real release in its chroot,
// judged every case of cases.jsonl; verdicts-<release>.json are its
// answers. TestNUMAOracleVerdicts holds the audit's model to them offline;
// TestNUMAOracleUpToDate re-judges with GPUPASS_NOVA_CHROOTS set (CI) and
// fails when a recorded verdict is stale.

const numaOracleDir = "../testdata/numa"

type numaCase struct {
	Name string `json:"name"`
	Host struct {
		Nodes []struct {
			ID int `json:"id"`
			// Socket is the nodes' CPU package: a number, "mixed" (its CPUs
			// on two: libvirt gives the cell no socket), or absent (the
			// node's ID, as oracle.py writes it).
			Socket    any    `json:"socket"`
			CPUs      string `json:"cpus"`
			MemoryKB  int64  `json:"memory_kb"`
			HugePages []struct {
				SizeKB int64 `json:"size_kb"`
				Total  int64 `json:"total"`
			} `json:"huge_pages"`
		} `json:"nodes"`
		CPUsOnline string `json:"cpus_online"`
	} `json:"host"`
	Conf   map[string]any `json:"conf"`
	Flavor struct {
		VCPUs      int               `json:"vcpus"`
		MemoryMB   int               `json:"memory_mb"`
		ExtraSpecs map[string]string `json:"extra_specs"`
	} `json:"flavor"`
	PCI *struct {
		Count   int    `json:"count"`
		Policy  string `json:"policy"`
		Devices []struct {
			Node  int `json:"node"`
			Count int `json:"count"`
		} `json:"devices"`
	} `json:"pci"`
}

type numaVerdict struct {
	Verdict string `json:"verdict"`
	Error   string `json:"error,omitempty"`
	More    int    `json:"more"`
}

type numaOracleOut struct {
	Nova  string                 `json:"nova"`
	Cases map[string]numaVerdict `json:"cases"`
}

func loadNUMACases(t *testing.T) []numaCase {
	t.Helper()
	f, err := os.Open(filepath.Join(numaOracleDir, "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []numaCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c numaCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("cases.jsonl: %v", err)
		}
		cases = append(cases, c)
	}
	return cases
}

func loadNUMAVerdicts(t *testing.T, release string) numaOracleOut {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(numaOracleDir, "verdicts-"+release+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var out numaOracleOut
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("verdicts-%s.json: %v", release, err)
	}
	return out
}

var novaException = regexp.MustCompile(`\(([A-Za-z]+)\)$`)

// judgeNUMACase is the audit's model on one case, in the oracle's terms.
func judgeNUMACase(c numaCase, rel novarelease.Release) numaVerdict {
	f := &cloudmodel.Flavor{Name: c.Name, VCPUs: c.Flavor.VCPUs, RAMMB: c.Flavor.MemoryMB, ExtraSpecs: c.Flavor.ExtraSpecs}
	g, err := guestTopology(f)
	if err != nil {
		exc := ""
		if m := novaException.FindStringSubmatch(err.Error()); m != nil {
			exc = m[1]
		}
		return numaVerdict{Verdict: "refused", Error: exc}
	}
	if g == nil {
		return numaVerdict{Verdict: "no-topology"}
	}
	host := &hostinfo.Host{Hostname: c.Name, CPUsOnline: c.Host.CPUsOnline}
	for _, n := range c.Host.Nodes {
		node := hostinfo.NUMANode{ID: n.ID, CPUs: n.CPUs, MemoryKB: n.MemoryKB, HugePages: []hostinfo.HugePages{}}
		switch v := n.Socket.(type) {
		case nil:
			id := n.ID
			node.Socket = &id
		case float64:
			socket := int(v)
			node.Socket = &socket
		}
		for _, p := range n.HugePages {
			node.HugePages = append(node.HugePages, hostinfo.HugePages{SizeKB: p.SizeKB, Total: p.Total, Free: p.Total})
		}
		host.NUMATopology = append(host.NUMATopology, node)
	}
	conf := &report.ConfReport{}
	for key, val := range c.Conf {
		opt := "[DEFAULT]" + key
		if key == "cpu_dedicated_set" || key == "cpu_shared_set" {
			opt = "[compute]" + key
		}
		switch v := val.(type) {
		case string:
			conf.Options = append(conf.Options, report.ConfOption{Option: opt, Value: v})
		case float64:
			conf.Options = append(conf.Options, report.ConfOption{Option: opt, Value: fmt.Sprint(v)})
		case []any:
			for _, item := range v {
				m := item.(map[string]any)
				conf.Options = append(conf.Options, report.ConfOption{Option: opt, Value: fmt.Sprintf("node:%s,size:%s,count:%s", m["node"], m["size"], m["count"])})
			}
		}
	}
	h := &HostSupply{Name: c.Name, Host: host}
	h.numa = h.numaLayout(&report.Report{Host: report.FromHost(host), NovaConf: conf}, rel)
	if h.numa.problem != "" {
		return numaVerdict{Verdict: "model-error", Error: h.numa.problem}
	}
	ff := &FlavorFit{Flavor: f, guest: g, Policy: "legacy"}
	var supplies []aliasSupply
	if c.PCI != nil {
		ff.Requests = []pcispec.AliasRequest{{Name: "l40s", Count: big.NewInt(int64(c.PCI.Count))}}
		ff.Policy = c.PCI.Policy
		var devs []*SupplyDevice
		for _, d := range c.PCI.Devices {
			for range d.Count {
				devs = append(devs, &SupplyDevice{NUMANode: d.Node})
			}
		}
		supplies = []aliasSupply{summarize(devs, true)}
	}
	v := &View{}
	if ok, _, _ := v.numaFitLayout(ff, h, supplies); !ok {
		return numaVerdict{Verdict: "no-fit"}
	}
	return numaVerdict{Verdict: "fits", More: v.numaMore(ff, h, supplies, 64)}
}

func TestNUMAOracleVerdicts(t *testing.T) {
	cases := loadNUMACases(t)
	if len(cases) < 400 {
		t.Fatalf("%d cases in cases.jsonl, want the whole corpus", len(cases))
	}
	for _, r := range judges.Live {
		rel, err := novarelease.Parse(r.Release)
		if err != nil && r.Release == "2026.2" {
			// Not yet among gpupass's releases (another change adds it):
			// the rules used here are 2023.1's and later ones'.
			rel, err = novarelease.Release{Name: "2026.2", Major: 34}, nil
		}
		if err != nil {
			t.Fatal(err)
		}
		recorded := loadNUMAVerdicts(t, r.Release)
		if len(recorded.Cases) != len(cases) {
			t.Errorf("verdicts-%s.json judges %d cases, cases.jsonl has %d: re-run testdata/numa/judge.sh", r.Release, len(recorded.Cases), len(cases))
		}
		agree := 0
		for _, c := range cases {
			want, ok := recorded.Cases[c.Name]
			if !ok {
				continue
			}
			if got := judgeNUMACase(c, rel); got != want {
				t.Errorf("%s, Nova %s: the audit says %+v, Nova says %+v", c.Name, recorded.Nova, got, want)
			} else {
				agree++
			}
		}
		t.Logf("Nova %s (%s): %d of %d cases agree", recorded.Nova, r.Release, agree, len(cases))
	}
}

// TestNUMAOracleUpToDate re-runs the oracle in each release's chroot.
func TestNUMAOracleUpToDate(t *testing.T) {
	chroots := os.Getenv("GPUPASS_NOVA_CHROOTS")
	if chroots == "" {
		t.Skip("GPUPASS_NOVA_CHROOTS is not set: the recorded verdicts of testdata/numa are not re-judged " +
			"(set it to a directory with bookworm/ trixie/ sid/ chroots holding python3-nova, as .ci/run does)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("GPUPASS_NOVA_CHROOTS is set but chroot needs root")
	}
	for _, r := range judges.Live {
		t.Run(r.Release, func(t *testing.T) {
			t.Parallel() // one python3 per chroot: three at once
			rejudgeNUMA(t, filepath.Join(chroots, r.Suite), r.Release)
		})
	}
}

func rejudgeNUMA(t *testing.T, dir, release string) {
	{
		if _, err := os.Stat(filepath.Join(dir, "usr/lib/python3/dist-packages/nova/virt/hardware.py")); err != nil {
			t.Fatalf("GPUPASS_NOVA_CHROOTS is set but %s has no Nova: %v", dir, err)
		}
		work, err := os.MkdirTemp(filepath.Join(dir, "tmp"), "gpupass-numa-")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(work)
		for _, name := range []string{"oracle.py", "cases.jsonl"} {
			data, err := os.ReadFile(filepath.Join(numaOracleDir, name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(work, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		inRoot := "/tmp/" + filepath.Base(work)
		cmd := exec.Command("chroot", dir, "python3", inRoot+"/oracle.py", inRoot+"/cases.jsonl")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("oracle.py in %s: %v\n%s", dir, err, stderr.String())
		}
		var got numaOracleOut
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("oracle.py in %s: %v", dir, err)
		}
		want := loadNUMAVerdicts(t, release)
		if got.Nova != want.Nova {
			t.Errorf("%s: the chroot has Nova %s, the verdicts were recorded with %s: re-run testdata/numa/judge.sh", release, got.Nova, want.Nova)
		}
		var stale []string
		for name, v := range got.Cases {
			if want.Cases[name] != v {
				stale = append(stale, fmt.Sprintf("%s: recorded %+v, Nova %s says %+v", name, want.Cases[name], got.Nova, v))
			}
		}
		if len(stale) > 0 || len(got.Cases) != len(want.Cases) {
			t.Errorf("verdicts-%s.json is stale (re-run testdata/numa/judge.sh and review):\n%s", release, strings.Join(stale, "\n"))
		}
	}
}
