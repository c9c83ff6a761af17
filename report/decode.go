package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
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
	switch {
	case rep.Schema != Schema:
		return nil, fmt.Errorf("schema %q, want %q (a gpupass preflight --format json report)", rep.Schema, Schema)
	case rep.Command != "preflight":
		return nil, fmt.Errorf("a %q report, not a preflight report (gpupass preflight --format json > FILE)", rep.Command)
	case rep.Host == nil:
		return nil, errors.New("a preflight report without a host")
	}
	if err := rep.Host.checkNUMA(); err != nil {
		return nil, err
	}
	return &rep, nil
}

// ReadPreflight reads a preflight report file; errors name it, after
// label (the flag that named it, or "report").
func ReadPreflight(label, path string) (*Report, error) {
	f, err := os.Open(path)
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
	if r.Host.Hostname == "" {
		return nil, fmt.Errorf("report %s: the host has no name (run preflight with --hostname)", path)
	}
	return &HostReport{Path: path, Report: *r}, nil
}

// ReadHostReports reads every *.json of dir as a host report, sorted by
// host name. A file that is not one is an error naming it, and so are
// two reports of one host: a fleet audit must not silently miss a host.
// flag names the option that gave dir, for messages.
func ReadHostReports(flag, dir string) ([]*HostReport, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	var out []*HostReport
	names := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		r, err := ReadHostReport(path)
		if err != nil {
			return nil, err
		}
		if prev, dup := names[r.Report.Host.Hostname]; dup {
			return nil, fmt.Errorf("%s and %s are both reports of host %s: keep one per host", prev, path, r.Report.Host.Hostname)
		}
		names[r.Report.Host.Hostname] = path
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s %s: no *.json report in it (gpupass preflight --format json > DIR/HOST.json on each compute node)", flag, dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Report.Host.Hostname < out[j].Report.Host.Hostname })
	return out, nil
}
