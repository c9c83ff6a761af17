package hostinfo

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ParseCPUInfo reads /proc/cpuinfo in the x86 or the arm64 layout. Vendor,
// model, flags and address sizes (x86), implementer and part (arm64) are
// taken from the first processor (they are the same on every processor of
// a server); every "processor" entry is counted.
//
// The arm64 layout is c_show's in arch/arm64/kernel/cpuinfo.c: per CPU
// "processor", "BogoMIPS", "Features", "CPU implementer\t: 0x41", "CPU
// architecture: 8", "CPU variant", "CPU part\t: 0xd4f", "CPU revision",
// and no vendor_id, model name or flags line (so no vmx or svm either).
// Model is then named from armCPUModels when the pair is known.
func ParseCPUInfo(r io.Reader) (CPU, error) {
	var cpu CPU
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 0, 64<<10), 1<<20)
	first := true
	sawKey := false
	x86 := false
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
			x86 = true
		case "model name":
			cpu.Model = value
		case "CPU implementer":
			if v, ok := armCPUID(value, 0xff); ok {
				cpu.Implementer = v
			}
		case "CPU part":
			if v, ok := armCPUID(value, 0xfff); ok {
				cpu.Part = v
			}
		case "flags":
			x86 = true
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
	// An x86 line wins over arm64 fields: a file holding both is not
	// arm64's.
	switch {
	case x86:
		cpu.Arch = ArchX86
		cpu.Implementer, cpu.Part = "", ""
	case cpu.Implementer != "":
		cpu.Arch = ArchARM64
		if cpu.Model == "" {
			cpu.Model = armCPUModels[[2]string{cpu.Implementer, cpu.Part}]
		}
	default:
		cpu.Part = ""
	}
	return cpu, nil
}

// The architectures CPU.Arch names, as uname -m does.
const (
	ArchX86   = "x86_64"
	ArchARM64 = "aarch64"
)

// IsARM64 reports an arm64 CPU (the cpuinfo layout said so).
func (c CPU) IsARM64() bool { return c.Arch == ArchARM64 }

// armCPUID parses an arm64 cpuinfo ID field ("0x41", "0xd4f") no larger
// than max, and returns it in the kernel's own spelling: lower-case hex
// with 0x, implementer two digits and part three ("0x%02x", "0x%03x").
func armCPUID(value string, max uint64) (string, bool) {
	digits, ok := strings.CutPrefix(strings.ToLower(value), "0x")
	if !ok || digits == "" || len(digits) > 3 {
		return "", false
	}
	n, err := strconv.ParseUint(digits, 16, 16)
	if err != nil || n > max {
		return "", false
	}
	if max == 0xff {
		return fmt.Sprintf("0x%02x", n), true
	}
	return fmt.Sprintf("0x%03x", n), true
}

// armCPUModels names the server-class arm64 cores by the pair (CPU
// implementer, CPU part), as lscpu does. The values are Linux's
// arch/arm64/include/asm/cputype.h: ARM_CPU_IMP_ARM 0x41 with
// ARM_CPU_PART_NEOVERSE_N1 0xD0C, _V1 0xD40, _N2 0xD49, _V2 0xD4F (NVIDIA
// Grace), _V3 0xD84, _N3 0xD8E; ARM_CPU_IMP_AMPERE 0xC0 with
// AMPERE_CPU_PART_AMPERE1 0xAC3, _AMPERE1A 0xAC4; ARM_CPU_IMP_CAVIUM 0x43
// with CAVIUM_CPU_PART_THUNDERX2 0x0AF; ARM_CPU_IMP_HISI 0x48 with
// HISI_CPU_PART_TSV110 0xD01 (Kunpeng 920); ARM_CPU_IMP_FUJITSU 0x46 with
// FUJITSU_CPU_PART_A64FX 0x001; ARM_CPU_IMP_MICROSOFT 0x6D with
// MICROSOFT_CPU_PART_AZURE_COBALT_100 0xD49. Ampere Altra reports Arm's
// Neoverse N1 pair.
var armCPUModels = map[[2]string]string{
	{"0x41", "0xd0c"}: "Neoverse-N1",
	{"0x41", "0xd40"}: "Neoverse-V1",
	{"0x41", "0xd49"}: "Neoverse-N2",
	{"0x41", "0xd4f"}: "Neoverse-V2",
	{"0x41", "0xd84"}: "Neoverse-V3",
	{"0x41", "0xd8e"}: "Neoverse-N3",
	{"0xc0", "0xac3"}: "Ampere-1",
	{"0xc0", "0xac4"}: "Ampere-1a",
	{"0x43", "0x0af"}: "ThunderX2",
	{"0x48", "0xd01"}: "Kunpeng-920",
	{"0x46", "0x001"}: "A64FX",
	{"0x6d", "0xd49"}: "Azure-Cobalt-100",
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
