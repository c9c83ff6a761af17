package fakehost

import (
	"fmt"
	"strconv"
	"strings"
)

// logicalCPU is one processor of /proc/cpuinfo.
type logicalCPU struct {
	id, socket, core, thread, apicid, node int
}

// cpus enumerates the logical CPUs as Linux numbers them on x86: the
// first thread of every core of every socket, then the second threads.
func (h *Host) cpus() []logicalCPU {
	c := h.CPU
	sockets, cores, threads := max(1, c.Sockets), max(1, c.Cores), max(1, c.Threads)
	nodes := h.numaNodes()
	nodesPerSocket := max(1, nodes/sockets)
	apicShift := 0
	for 1<<apicShift < cores*threads {
		apicShift++
	}
	var out []logicalCPU
	for t := range threads {
		for s := range sockets {
			for k := range cores {
				node := 0
				if nodes >= sockets {
					node = s*nodesPerSocket + k*nodesPerSocket/cores
				}
				out = append(out, logicalCPU{
					id: len(out), socket: s, core: k, thread: t,
					apicid: s<<apicShift | k*threads + t, node: node,
				})
			}
		}
	}
	return out
}

func (h *Host) numaNodes() int { return max(1, h.NUMANodes) }

// hugePagePools are the huge page sizes the kernel shows under each node
// (hugetlb_add_hstate: 2 MiB, and 1 GiB with pdpe1gb on x86; 64 KiB,
// 2 MiB, 32 MiB and 1 GiB on arm64 with 4 KiB pages, or 2 MiB, 512 MiB
// and 16 GiB with the 64 KiB pages of the -64k kernels), with the
// spec's pools filled in.
func (h *Host) hugePagePools() []HugePagePool {
	var sizes []int
	switch {
	case h.CPU.IsARM64() && strings.Contains(h.KernelRelease, "64k"):
		sizes = []int{2048, 524288, 16777216}
	case h.CPU.IsARM64():
		sizes = []int{64, 2048, 32768, 1048576}
	default:
		sizes = []int{2048}
		if strings.Contains(" "+h.CPU.Flags+" ", " pdpe1gb ") {
			sizes = append(sizes, 1048576)
		}
	}
	pools := make([]HugePagePool, 0, len(sizes))
	for _, size := range sizes {
		p := HugePagePool{SizeKB: size}
		for _, spec := range h.HugePages {
			if spec.SizeKB == size {
				p = spec
			}
		}
		pools = append(pools, p)
	}
	return pools
}

// cpuList formats a set of CPU numbers as the kernel's %*pbl does:
// "0-31,64-95".
func cpuList(ids []int) string {
	var parts []string
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, strconv.Itoa(ids[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", ids[i], ids[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// cpuMask formats a set of CPU numbers as the kernel's %*pb does: 32-bit
// hex words, most significant first, comma separated, over nbits bits.
func cpuMask(ids []int, nbits int) string {
	words := make([]uint32, (nbits+31)/32)
	for _, id := range ids {
		words[id/32] |= 1 << (id % 32)
	}
	var sb strings.Builder
	for i := len(words) - 1; i >= 0; i-- {
		if i == len(words)-1 {
			digits := 8
			if rem := nbits % 32; rem != 0 {
				digits = (rem + 3) / 4
			}
			fmt.Fprintf(&sb, "%0*x", digits, words[i])
		} else {
			fmt.Fprintf(&sb, ",%08x", words[i])
		}
	}
	return sb.String()
}

// cpuinfo writes /proc/cpuinfo in the kernel's format (show_cpuinfo in
// arch/x86/kernel/cpu/proc.c), tabs included.
func (h *Host) cpuinfo() string {
	c := h.CPU
	var sb strings.Builder
	if c.IsARM64() {
		// arch/arm64/kernel/cpuinfo.c c_show (research 4.3): no vendor, no
		// model name, no flags; Features are the hwcaps.
		for _, p := range h.cpus() {
			fmt.Fprintf(&sb, "processor\t: %d\n", p.id)
			fmt.Fprintf(&sb, "BogoMIPS\t: %s\n", c.BogoMIPS)
			fmt.Fprintf(&sb, "Features\t: %s\n", c.Flags)
			fmt.Fprintf(&sb, "CPU implementer\t: 0x%02x\n", c.Implementer)
			sb.WriteString("CPU architecture: 8\n")
			fmt.Fprintf(&sb, "CPU variant\t: 0x%x\n", c.Variant)
			fmt.Fprintf(&sb, "CPU part\t: 0x%03x\n", c.Part)
			fmt.Fprintf(&sb, "CPU revision\t: %d\n\n", c.Revision)
		}
		return sb.String()
	}
	siblings := max(1, c.Cores) * max(1, c.Threads)
	for _, p := range h.cpus() {
		fmt.Fprintf(&sb, "processor\t: %d\n", p.id)
		fmt.Fprintf(&sb, "vendor_id\t: %s\n", c.Vendor)
		fmt.Fprintf(&sb, "cpu family\t: %d\n", c.Family)
		fmt.Fprintf(&sb, "model\t\t: %d\n", c.Model)
		fmt.Fprintf(&sb, "model name\t: %s\n", c.ModelName)
		fmt.Fprintf(&sb, "stepping\t: %d\n", c.Stepping)
		fmt.Fprintf(&sb, "microcode\t: %s\n", c.Microcode)
		fmt.Fprintf(&sb, "cpu MHz\t\t: %s\n", c.MHz)
		fmt.Fprintf(&sb, "cache size\t: %d KB\n", c.CacheKB)
		fmt.Fprintf(&sb, "physical id\t: %d\n", p.socket)
		fmt.Fprintf(&sb, "siblings\t: %d\n", siblings)
		fmt.Fprintf(&sb, "core id\t\t: %d\n", p.core)
		fmt.Fprintf(&sb, "cpu cores\t: %d\n", max(1, c.Cores))
		fmt.Fprintf(&sb, "apicid\t\t: %d\n", p.apicid)
		fmt.Fprintf(&sb, "initial apicid\t: %d\n", p.apicid)
		sb.WriteString("fpu\t\t: yes\nfpu_exception\t: yes\n")
		fmt.Fprintf(&sb, "cpuid level\t: %d\n", c.CPUIDLevel)
		sb.WriteString("wp\t\t: yes\n")
		fmt.Fprintf(&sb, "flags\t\t: %s\n", c.Flags)
		if c.VMXFlags != "" {
			fmt.Fprintf(&sb, "vmx flags\t: %s\n", c.VMXFlags)
		}
		fmt.Fprintf(&sb, "bugs\t\t: %s\n", c.Bugs)
		fmt.Fprintf(&sb, "bogomips\t: %s\n", c.BogoMIPS)
		if c.TLBSize > 0 {
			fmt.Fprintf(&sb, "TLB size\t: %d 4K pages\n", c.TLBSize)
		}
		sb.WriteString("clflush size\t: 64\ncache_alignment\t: 64\n")
		fmt.Fprintf(&sb, "address sizes\t: %d bits physical, %d bits virtual\n", c.PhysBits, c.VirtBits)
		if c.PowerMgmt != "" {
			fmt.Fprintf(&sb, "power management: %s\n\n", c.PowerMgmt)
		} else {
			sb.WriteString("power management:\n\n")
		}
	}
	return sb.String()
}

// meminfo writes /proc/meminfo; only MemTotal matters to a reader, the
// rest is in proportion so the file looks like a running host's.
func (h *Host) meminfo() string {
	total := h.MemTotalKB
	free := total * 83 / 100
	lines := []struct {
		k string
		v uint64
	}{
		{"MemTotal", total}, {"MemFree", free}, {"MemAvailable", total * 88 / 100},
		{"Buffers", total / 400}, {"Cached", total * 4 / 100}, {"SwapCached", 0},
		{"Active", total * 3 / 100}, {"Inactive", total * 2 / 100},
		{"Active(anon)", total / 100}, {"Inactive(anon)", 0},
		{"Active(file)", total * 2 / 100}, {"Inactive(file)", total * 2 / 100},
		{"Unevictable", 0}, {"Mlocked", 0},
		{"SwapTotal", 8388604}, {"SwapFree", 8388604},
		{"Zswap", 0}, {"Zswapped", 0}, {"Dirty", 132}, {"Writeback", 0},
		{"AnonPages", total / 100}, {"Mapped", total / 500}, {"Shmem", total / 1000},
		{"KReclaimable", total / 200}, {"Slab", total / 100},
		{"SReclaimable", total / 200}, {"SUnreclaim", total / 200},
		{"KernelStack", 31488}, {"PageTables", 20480}, {"SecPageTables", 0},
		{"NFS_Unstable", 0}, {"Bounce", 0}, {"WritebackTmp", 0},
		{"CommitLimit", total/2 + 8388604}, {"Committed_AS", total / 50},
		{"VmallocTotal", 34359738367}, {"VmallocUsed", 262144}, {"VmallocChunk", 0},
		{"Percpu", uint64(h.CPU.LogicalCPUs()) * 512}, {"HardwareCorrupted", 0},
		{"AnonHugePages", 0}, {"ShmemHugePages", 0}, {"ShmemPmdMapped", 0},
		{"FileHugePages", 0}, {"FilePmdMapped", 0}, {"Unaccepted", 0},
	}
	var sb strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&sb, "%-16s%8d kB\n", l.k+":", l.v)
	}
	sb.WriteString("HugePages_Total:       0\nHugePages_Free:        0\nHugePages_Rsvd:        0\nHugePages_Surp:        0\n")
	sb.WriteString("Hugepagesize:       2048 kB\nHugetlb:               0 kB\n")
	fmt.Fprintf(&sb, "%-16s%8d kB\n%-16s%8d kB\n%-16s%8d kB\n", "DirectMap4k:", 1048576, "DirectMap2M:", total/8, "DirectMap1G:", total-total/8)
	return sb.String()
}

// CPU models. Flags are those a recent kernel prints for each part.

const intelSPRFlags = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf tsc_known_freq pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault epb cat_l3 cat_l2 cdp_l3 invpcid_single intel_ppin cdp_l2 ssbd mba ibrs ibpb stibp ibrs_enhanced tpr_shadow flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid cqm rdt_a avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb intel_pt avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local split_lock_detect avx_vnni avx512_bf16 wbnoinvd dtherm ida arat pln pts hfi vnmi avx512vbmi umip pku ospke waitpkg avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg tme avx512_vpopcntdq la57 rdpid bus_lock_detect cldemote movdiri movdir64b enqcmd fsrm md_clear serialize tsxldtrk pconfig arch_lbr ibt amx_bf16 avx512_fp16 amx_tile amx_int8 flush_l1d arch_capabilities"

const intelSPRVMX = "vnmi preemption_timer posted_intr invvpid ept_x_only ept_ad ept_1gb ept_5level flexpriority apicv tsc_offset vtpr mtf vapic ept vpid unrestricted_guest vapic_reg vid ple shadow_vmcs pml ept_mode_based_exec tsc_scaling usr_wait_pause notify_vm_exiting ipi_virt"

const intelCLXFlags = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault epb cat_l3 cdp_l3 invpcid_single intel_ppin ssbd mba ibrs ibpb stibp ibrs_enhanced tpr_shadow flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid cqm mpx rdt_a avx512f avx512dq rdseed adx smap clflushopt clwb intel_pt avx512cd avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local dtherm ida arat pln pts vnmi pku ospke avx512_vnni md_clear flush_l1d arch_capabilities"

const intelCLXVMX = "vnmi preemption_timer posted_intr invvpid ept_x_only ept_ad ept_1gb flexpriority apicv tsc_offset vtpr mtf vapic ept vpid unrestricted_guest vapic_reg vid ple shadow_vmcs pml ept_mode_based_exec tsc_scaling"

const intelCFLFlags = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault epb invpcid_single pti ssbd ibrs ibpb stibp tpr_shadow flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid mpx rdseed adx smap clflushopt intel_pt xsaveopt xsavec xgetbv1 xsaves dtherm ida arat pln pts hwp hwp_notify hwp_act_window hwp_epp vnmi md_clear flush_l1d arch_capabilities"

const intelCFLVMX = "vnmi preemption_timer invvpid ept_x_only ept_ad ept_1gb flexpriority tsc_offset vtpr mtf vapic ept vpid unrestricted_guest ple shadow_vmcs pml ept_mode_based_exec"

const amdZen3Flags = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf rapl pni pclmulqdq monitor ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext perfctr_core perfctr_nb bpext perfctr_llc mwaitx cpb cat_l3 cdp_l3 invpcid_single hw_pstate ssbd mba ibrs ibpb stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 erms invpcid cqm rdt_a rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local clzero irperf xsaveerptr rdpru wbnoinvd amd_ppin brs arat npt lbrv svm_lock nrip_save tsc_scale vmcb_clean flushbyasid decodeassists pausefilter pfthreshold v_vmsave_vmload vgif v_spec_ctrl umip pku ospke vaes vpclmulqdq rdpid overflow_recov succor smca fsrm debug_swap"

const amdZen2Flags = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf rapl pni pclmulqdq monitor ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext perfctr_core perfctr_nb bpext perfctr_llc mwaitx cpb cat_l3 cdp_l3 hw_pstate ssbd mba ibrs ibpb stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 cqm rdt_a rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local clzero irperf xsaveerptr rdpru wbnoinvd amd_ppin arat npt lbrv svm_lock nrip_save tsc_scale vmcb_clean flushbyasid decodeassists pausefilter pfthreshold avic v_vmsave_vmload vgif v_spec_ctrl umip rdpid overflow_recov succor smca sev sev_es"

const amdPowerMgmt = "ts ttp tm hwpstate cpb eff_freq_ro [13] [14]"

// XeonPlatinum8462Y is a Sapphire Rapids Xeon (32 cores, 2 threads).
func XeonPlatinum8462Y(sockets int) CPU {
	return CPU{
		Vendor: "GenuineIntel", Family: 6, Model: 143, Stepping: 8,
		ModelName: "Intel(R) Xeon(R) Platinum 8462Y+", Microcode: "0x2b000590",
		MHz: "2800.000", CacheKB: 61440, CPUIDLevel: 32,
		Sockets: sockets, Cores: 32, Threads: 2, PhysBits: 46, VirtBits: 57,
		Flags: intelSPRFlags, VMXFlags: intelSPRVMX,
		Bugs:     "spectre_v1 spectre_v2 spec_store_bypass swapgs eibrs_pbrsb bhi",
		BogoMIPS: "5600.00",
	}
}

// XeonGold6248R is a Cascade Lake Xeon (24 cores, 2 threads).
func XeonGold6248R(sockets int) CPU {
	return CPU{
		Vendor: "GenuineIntel", Family: 6, Model: 85, Stepping: 7,
		ModelName: "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", Microcode: "0x5003604",
		MHz: "3000.000", CacheKB: 36608, CPUIDLevel: 22,
		Sockets: sockets, Cores: 24, Threads: 2, PhysBits: 46, VirtBits: 48,
		Flags: intelCLXFlags, VMXFlags: intelCLXVMX,
		Bugs:     "spectre_v1 spectre_v2 spec_store_bypass swapgs taa itlb_multihit mmio_stale_data retbleed eibrs_pbrsb gds bhi",
		BogoMIPS: "6000.00",
	}
}

// XeonW2245 is a Cascade Lake-W workstation Xeon (8 cores, 2 threads).
func XeonW2245() CPU {
	c := XeonGold6248R(1)
	c.ModelName, c.Cores, c.MHz, c.CacheKB, c.BogoMIPS = "Intel(R) Xeon(R) W-2245 CPU @ 3.90GHz", 8, "3900.000", 16896, "7800.00"
	c.Microcode = "0x5003707"
	return c
}

// CoreI78700K is a Coffee Lake desktop CPU (6 cores, 2 threads).
func CoreI78700K() CPU {
	return CPU{
		Vendor: "GenuineIntel", Family: 6, Model: 158, Stepping: 10,
		ModelName: "Intel(R) Core(TM) i7-8700K CPU @ 3.70GHz", Microcode: "0xf8",
		MHz: "3700.000", CacheKB: 12288, CPUIDLevel: 22,
		Sockets: 1, Cores: 6, Threads: 2, PhysBits: 39, VirtBits: 48,
		Flags: intelCFLFlags, VMXFlags: intelCFLVMX,
		Bugs:     "cpu_meltdown spectre_v1 spectre_v2 spec_store_bypass l1tf mds swapgs taa itlb_multihit srbds mmio_stale_data retbleed gds",
		BogoMIPS: "7399.70",
	}
}

// EPYC7543 is a Milan EPYC (32 cores, 2 threads).
func EPYC7543(sockets int) CPU {
	return CPU{
		Vendor: "AuthenticAMD", Family: 25, Model: 1, Stepping: 1,
		ModelName: "AMD EPYC 7543 32-Core Processor", Microcode: "0xa0011d1",
		MHz: "2800.000", CacheKB: 512, CPUIDLevel: 16,
		Sockets: sockets, Cores: 32, Threads: 2, PhysBits: 48, VirtBits: 48,
		Flags: amdZen3Flags, Bugs: "sysret_ss_attrs spectre_v1 spectre_v2 spec_store_bypass srso",
		BogoMIPS: "5589.62", TLBSize: 2560, PowerMgmt: amdPowerMgmt,
	}
}

// EPYC7742 is a Rome EPYC (64 cores; here 2 threads). SME takes address
// bits, hence 43 physical.
func EPYC7742(sockets int) CPU {
	return CPU{
		Vendor: "AuthenticAMD", Family: 23, Model: 49, Stepping: 0,
		ModelName: "AMD EPYC 7742 64-Core Processor", Microcode: "0x830107a",
		MHz: "2250.000", CacheKB: 512, CPUIDLevel: 16,
		Sockets: sockets, Cores: 64, Threads: 2, PhysBits: 43, VirtBits: 48,
		Flags: amdZen2Flags, Bugs: "sysret_ss_attrs spectre_v1 spectre_v2 spec_store_bypass retbleed smt_rsb srso",
		BogoMIPS: "4491.45", TLBSize: 3072, PowerMgmt: amdPowerMgmt,
	}
}

// Ryzen95950X is a Vermeer desktop CPU (16 cores, 2 threads).
func Ryzen95950X() CPU {
	c := EPYC7543(1)
	c.Model, c.Stepping, c.Cores = 33, 0, 16
	c.ModelName, c.Microcode, c.MHz, c.BogoMIPS = "AMD Ryzen 9 5950X 16-Core Processor", "0xa201205", "3400.000", "6787.28"
	c.Flags = strings.Replace(c.Flags, " amd_ppin brs", "", 1)
	return c
}

// graceFeatures is the Features line of a Grace (Neoverse V2) CPU, from a
// real capture (research 4.3: LKML, Breno Leitao, 2025-07-03).
const graceFeatures = "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm sb paca pacg dcpodp sve2 sveaes svepmull svebitperm svesha3 svesm4 flagm2 frint svei8mm svebf16 i8mm bf16 dgh bti"

// Grace is the 72-core NVIDIA Grace CPU of a GH200: Arm Neoverse V2
// (implementer 0x41, part 0xd4f), one thread per core.
func Grace() CPU {
	return CPU{
		Arch: "aarch64", Implementer: 0x41, Variant: 0, Part: 0xd4f, Revision: 0,
		ModelName: "Neoverse-V2", Sockets: 1, Cores: 72, Threads: 1, PhysBits: 48, VirtBits: 48,
		Flags: graceFeatures, BogoMIPS: "2000.00",
	}
}
