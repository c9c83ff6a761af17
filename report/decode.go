package report

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/internal/fastjson"
	"github.com/gpupass/gpupass/internal/regfile"
	"github.com/gpupass/gpupass/pcidev"
)

// MaxSize bounds one report read: a 5,000-function host's is about 6 MB.
const MaxSize = 64 << 20

// DecodePreflight reads one preflight JSON report and checks that it is
// one: JSON, schema gpupass/report/v1, command preflight, with a host, and
// nothing after it. Errors do not name the file; callers do.
func DecodePreflight(r io.Reader) (*Report, error) {
	dec := json.NewDecoder(io.LimitReader(r, MaxSize))
	var rep Report
	if err := dec.Decode(&rep); err != nil {
		var syntax *json.SyntaxError
		switch {
		case errors.As(err, &syntax):
			return nil, fmt.Errorf("not JSON at byte %d: %v", syntax.Offset, err)
		case errors.Is(err, io.EOF):
			return nil, errors.New("empty: not a gpupass report")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("not JSON: truncated (or larger than %d MiB)", MaxSize>>20)
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			if typeErr.Field == "" {
				return nil, fmt.Errorf("not a gpupass report: a JSON %s, not an object", typeErr.Value)
			}
			return nil, fmt.Errorf("not a gpupass report: %q is a JSON %s at byte %d, which a report never has there", typeErr.Field, typeErr.Value, typeErr.Offset)
		}
		return nil, fmt.Errorf("not a gpupass report: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one JSON value: want one gpupass report")
	}
	if err := rep.checkPreflight(); err != nil {
		return nil, err
	}
	if err := rep.Host.checkNUMA(); err != nil {
		return nil, err
	}
	return &rep, nil
}

// checkPreflight says why a decoded report is not a preflight report.
func (rep *Report) checkPreflight() error {
	switch {
	case rep.Schema != Schema:
		return fmt.Errorf("schema %q, want %q (a gpupass preflight --format json report)", rep.Schema, Schema)
	case rep.Command != "preflight":
		return fmt.Errorf("a %q report, not a preflight report (gpupass preflight --format json > FILE)", rep.Command)
	case rep.Host == nil:
		return errors.New("a preflight report without a host")
	}
	return nil
}

// ReadPreflight reads a preflight report file; errors name it, after
// label (the flag that named it, or "report").
// A FIFO or a device is refused, never waited on.
func ReadPreflight(label, path string) (*Report, error) {
	f, err := regfile.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s %s: %w", label, path, err)
	}
	defer f.Close()
	r, err := DecodePreflight(f)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", label, path, err)
	}
	return r, nil
}

// ReadHostReport reads a preflight report as a host report: one whose
// host has a name, which the audit keys it by.
func ReadHostReport(path string) (*HostReport, error) {
	r, err := ReadPreflight("report", path)
	if err != nil {
		return nil, err
	}
	return hostReport(path, r)
}

func hostReport(path string, r *Report) (*HostReport, error) {
	if r.Host.Hostname == "" {
		return nil, fmt.Errorf("report %s: the host has no name (run preflight with --hostname)", path)
	}
	return &HostReport{Path: path, Report: *r}, nil
}

// AuditDrops are the parts of a host report ReadHostReports does not
// decode, by JSON key: the report's own checks and findings, which the
// audit never reads (it judges the host's inventory and nova.conf, not
// what preflight concluded from them). They are skipped, their syntax
// still checked. fleet's and the checks' use of host reports is held to
// this by TestAuditReadsNothingDropped.
var AuditDrops = map[string]bool{"checks": true, "findings": true}

// ReadHostReports reads every *.json of dir as a host report, sorted by
// host name. A file that is not one is an error naming it, and so are
// two reports of one host: a fleet audit must not silently miss a host.
// flag names the option that gave dir, for messages.
//
// The reports are read on every CPU, each file whole into a buffer its
// reader reuses, and decoded by the fast decoder (internal/fastjson) without
// their checks and findings (AuditDrops); the strings they repeat are
// kept once, and so are the PCI functions and mdev parents they repeat
// byte for byte (auditMemo). A file the fast decoder gives up on is decoded again as
// ReadHostReport does, so every error is the one ReadHostReport gives,
// and the first file in directory order with an error is the one named.
func ReadHostReports(flag, dir string) ([]*HostReport, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	var paths []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		paths = append(paths, filepath.Join(dir, e.Name()))
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s %s: no *.json report in it (gpupass preflight --format json > DIR/HOST.json on each compute node)", flag, dir)
	}
	type result struct {
		r   *HostReport
		err error
	}
	results := make([]result, len(paths))
	var next atomic.Int64
	// firstErr is the lowest index with an error so far: files after it
	// need not be read.
	var firstErr atomic.Int64
	firstErr.Store(int64(len(paths)))
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(paths)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rd := &hostReportReader{dec: fastjson.Decoder{Intern: true, Drop: auditDrop, Borrow: auditBorrow, Memo: auditMemo}}
			for {
				i := next.Add(1) - 1
				if i >= int64(len(paths)) || i > firstErr.Load() {
					return
				}
				r, err := rd.read(paths[i])
				results[i] = result{r, err}
				for err != nil {
					cur := firstErr.Load()
					if i >= cur || firstErr.CompareAndSwap(cur, i) {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	out := make([]*HostReport, 0, len(paths))
	names := make(map[string]string, len(paths))
	for i, res := range results {
		if res.err != nil {
			return nil, res.err
		}
		r := res.r
		if prev, dup := names[r.Report.Host.Hostname]; dup {
			return nil, fmt.Errorf("%s and %s are both reports of host %s: keep one per host", prev, paths[i], r.Report.Host.Hostname)
		}
		names[r.Report.Host.Hostname] = paths[i]
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Report.Host.Hostname < out[j].Report.Host.Hostname })
	return out, nil
}

// auditDrop is AuditDrops for the fast decoder.
var auditDrop = map[reflect.Type]map[string]bool{reflect.TypeFor[Report](): AuditDrops}

// auditBorrow: the host's devices are left in the decoder's scratch slice,
// as read converts them to hostinfo's before the next report and keeps
// only the host's name.
var auditBorrow = map[reflect.Type]bool{reflect.TypeFor[[]Device](): true}

// auditMemo: a fleet's reports repeat the same PCI functions and the same
// mdev parents (with their dozens of vGPU types) byte for byte: the same
// model of server, the same slots. Each distinct one is decoded, and
// converted to hostinfo's form, once per reader; the hosts that have it
// share its slices and pointers, and the hosts with the same ones share
// one list (nothing the audit does changes a host's inventory:
// TestAuditChangesNoDevice).
var auditMemo = map[reflect.Type]bool{deviceType: true, mdevParentType: true}

var (
	deviceType     = reflect.TypeFor[Device]()
	mdevParentType = reflect.TypeFor[MdevParent]()
)

// hostReportReader reads host reports one after the other, reusing its
// buffer and its decoder's interned strings and remembered values.
type hostReportReader struct {
	buf     []byte
	dec     fastjson.Decoder
	devices memoConv[Device, pcidev.Device]
	parents memoConv[MdevParent, hostinfo.MdevParent]
}

// memoConv converts the values a reader's decoder remembered once per memo
// entry, and a list of them once per sequence of entries.
type memoConv[S, T any] struct {
	// vals are the values converted so far, by memo entry; done tells
	// which are.
	vals []T
	done []bool
	// lists are the lists converted so far, by their entries in order (up
	// to maxLists of them).
	lists map[string][]T
}

// maxLists bounds the lists a reader keeps for other hosts.
const maxLists = 1 << 12

// convert is in converted by f, through the memo: ids are in's entries
// (fastjson's Memoized, as long as in).
func (m *memoConv[S, T]) convert(in []S, ids []int, f func(*S) T) []T {
	if in == nil {
		return nil
	}
	// A host whose values are all remembered, in the order of a host
	// read before, shares that host's list: a fleet has few kinds of
	// server (3,000 hosts of the benchmark fleet have 11 lists of devices).
	var key []byte
	for _, id := range ids {
		if id < 0 {
			key = nil
			break
		}
		key = binary.AppendUvarint(key, uint64(id))
	}
	if key != nil {
		if list, ok := m.lists[string(key)]; ok {
			return list
		}
	}
	out := make([]T, len(in))
	if key != nil {
		if m.lists == nil {
			m.lists = map[string][]T{}
		}
		if len(m.lists) < maxLists {
			m.lists[string(key)] = out
		}
	}
	for i, id := range ids {
		switch {
		case id < 0:
			out[i] = f(&in[i])
			continue
		case id >= len(m.vals):
			m.vals = append(m.vals, make([]T, id+1-len(m.vals))...)
			m.done = append(m.done, make([]bool, id+1-len(m.done))...)
		}
		if !m.done[id] {
			m.vals[id], m.done[id] = f(&in[i]), true
		}
		out[i] = m.vals[id]
	}
	return out
}

// hostInfo converts the host of a report the fast decoder just decoded:
// its devices and mdev parents through the decoder's memo (Memoized lists
// their entries in order).
func (rd *hostReportReader) hostInfo(rep *Report) *hostinfo.Host {
	hr := rep.Host
	if hr == nil {
		return nil
	}
	devs, devIDs := hr.Devices, rd.dec.Memoized(deviceType)
	var parents []MdevParent
	if hr.Mdev != nil {
		parents = hr.Mdev.Parents
	}
	parentIDs := rd.dec.Memoized(mdevParentType)
	if len(devIDs) != len(devs) || len(parentIDs) != len(parents) {
		return hr.HostInfo() // cannot be: every one is listed
	}
	hr.Devices = nil
	if hr.Mdev != nil {
		hr.Mdev.Parents = nil
	}
	h := hr.HostInfo()
	hr.Devices = devs
	if hr.Mdev != nil {
		hr.Mdev.Parents = parents
	}
	h.Devices = rd.devices.convert(devs, devIDs, (*Device).PCIDevice)
	h.Mdev.Parents = rd.parents.convert(parents, parentIDs, (*MdevParent).hostinfo)
	return h
}

// read reads one host report as ReadHostReport does, but for AuditDrops.
func (rd *hostReportReader) read(path string) (*HostReport, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return ReadHostReport(path) // its error, as ever
	}
	st, err := f.Stat()
	if err != nil || st.Size() >= MaxSize {
		f.Close()
		return ReadHostReport(path)
	}
	if need := int(st.Size()) + 512; cap(rd.buf) < need {
		rd.buf = make([]byte, 0, need)
	}
	buf := rd.buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // the file grew while read
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil || len(buf) >= MaxSize {
			f.Close()
			return ReadHostReport(path)
		}
	}
	f.Close()
	rd.buf = buf
	var rep Report
	fast := true
	if err := rd.dec.Decode(buf, &rep); err != nil {
		// What is wrong, said as ever; or a report the fast decoder does
		// not take, decoded as ever.
		fast = false
		full, err := DecodePreflight(bytes.NewReader(buf))
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", "report", path, err)
		}
		rep = *full
		for key := range AuditDrops {
			clearField(&rep, key)
		}
	}
	if err := rep.checkPreflight(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", "report", path, err)
	}
	r, err := hostReport(path, &rep)
	if err != nil {
		return nil, err
	}
	// The host as the audit judges it, converted here on every CPU (its
	// devices copied out of the decoder's scratch: auditBorrow); the
	// report keeps the host's name only.
	if fast {
		r.host = rd.hostInfo(&rep)
	} else {
		r.host = rep.Host.HostInfo()
	}
	r.Report.Host = &Host{Hostname: rep.Host.Hostname}
	return r, nil
}

// clearField zeroes the field of rep whose JSON key is key.
func clearField(rep *Report, key string) {
	v := reflect.ValueOf(rep).Elem()
	t := v.Type()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name == key {
			v.Field(i).SetZero()
		}
	}
}
