package hostinfo

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ParseCPUInfo reads /proc/cpuinfo. Vendor, model, flags and address sizes
// are taken from the first processor (they are the same on every
// processor of an x86 host); every "processor" entry is counted.
func ParseCPUInfo(r io.Reader) (CPU, error) {
	var cpu CPU
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 0, 64<<10), 1<<20)
	first := true
	sawKey := false
	lineNo := 0
	for scanner.Scan() {
		lineNo++
		line := scanner.Text()
		if strings.TrimSpace(line) == "" {
			if cpu.LogicalCPUs > 0 {
				first = false
			}
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			return cpu, fmt.Errorf("line %d: want \"key : value\", got %q", lineNo, clip(line))
		}
		sawKey = true
		key = strings.TrimSpace(key)
		value = strings.TrimSpace(value)
		if key == "processor" {
			cpu.LogicalCPUs++
			continue
		}
		if !first {
			continue
		}
		switch key {
		case "vendor_id":
			cpu.Vendor = value
		case "model name":
			cpu.Model = value
		case "flags":
			for _, flag := range strings.Fields(value) {
				switch flag {
				case "vmx", "svm":
					cpu.Virtualization = flag
				case "hypervisor":
					cpu.Hypervisor = true
				}
			}
		case "address sizes":
			// "46 bits physical, 48 bits virtual"
			phys, _, _ := strings.Cut(value, " bits physical")
			if n, err := strconv.Atoi(strings.TrimSpace(phys)); err == nil {
				cpu.PhysicalAddressBits = n
			}
		}
	}
	if err := scanner.Err(); err != nil {
		return cpu, err
	}
	if !sawKey {
		return cpu, fmt.Errorf("no processor entries")
	}
	return cpu, nil
}

// ParseMemTotalMB returns MemTotal from /proc/meminfo in MiB.
func ParseMemTotalMB(r io.Reader) (int64, error) {
	scanner := bufio.NewScanner(r)
	for scanner.Scan() {
		key, value, ok := strings.Cut(scanner.Text(), ":")
		if !ok || key != "MemTotal" {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("MemTotal: want \"<n> kB\", got %q", clip(strings.TrimSpace(value)))
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil || kb < 0 {
			return 0, fmt.Errorf("MemTotal: %q is not a number of kB", clip(fields[0]))
		}
		return kb / 1024, nil
	}
	if err := scanner.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no MemTotal line")
}
