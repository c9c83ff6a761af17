package hostinfo

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gpupass/gpupass/pcidev"
)

// Options tune a collection.
type Options struct {
	// PCIIDs is a pci.ids file on the machine running gpupass to take
	// device names from, instead of the one found under the root.
	PCIIDs string
	// Workers bounds the goroutines reading PCI devices; 0 means a few
	// per CPU (sysfs reads block on the kernel, not the CPU).
	Workers int
}

// Collect reads a host under root. It fails only when root is not a Linux
// host tree; anything else that cannot be read is left unknown and noted.
func Collect(root string, opts Options) (*Host, error) {
	fsys, err := NewFS(root)
	if err != nil {
		return nil, err
	}
	return CollectFS(fsys, opts), nil
}

// CollectFS is Collect on an FS already opened (one with a Recorder, say).
func CollectFS(fsys FS, opts Options) *Host {
	c := &collector{fs: fsys, host: &Host{Notes: []Note{}}}
	c.hostname()
	c.kernel()
	c.cpu()
	c.host.KVM = fsys.Exists("/dev/kvm")
	c.host.VFIO.Container = fsys.Exists("/dev/vfio/vfio")
	c.numa()
	c.acpi()
	c.iort()
	c.iommu()
	c.modules()
	c.modprobe()
	c.driverctl()
	c.pciDevices(opts.Workers)
	c.dri()
	c.names(opts.PCIIDs)
	c.nova()
	c.mdev()
	c.bootUnits()
	c.virt()
	return c.host
}

type collector struct {
	fs   FS
	host *Host
	// unitNoted are the unit files already noted as unreadable (a
	// template is read once per instance).
	unitNoted map[string]bool
}

func (c *collector) note(hostPath, format string, args ...any) {
	c.host.Notes = append(c.host.Notes, Note{Path: hostPath, Message: fmt.Sprintf(format, args...)})
}

// readText reads a small text file. A missing file returns ok=false with no
// note when optional; anything else that goes wrong is noted.
func (c *collector) readText(hostPath string, optional bool) (string, bool) {
	data, err := c.fs.ReadFile(hostPath)
	if err != nil {
		if optional && errors.Is(err, fs.ErrNotExist) {
			return "", false
		}
		c.note(hostPath, "%s", describeErr(err))
		return "", false
	}
	if !isPrintable(data) || !utf8.Valid(data) {
		c.note(hostPath, "not text (%d bytes of binary data)", len(data))
		return "", false
	}
	return string(data), true
}

func describeErr(err error) string {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		err = pathErr.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "missing"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied (run as root to read it)"
	}
	return err.Error()
}

func (c *collector) hostname() {
	for _, p := range []string{"/proc/sys/kernel/hostname", "/etc/hostname"} {
		if s, ok := c.readText(p, true); ok {
			if name := strings.TrimSpace(s); name != "" {
				c.host.Hostname = name
				return
			}
		}
	}
	c.note("/proc/sys/kernel/hostname", "no host name found (nor in /etc/hostname); pass --hostname")
}

func (c *collector) kernel() {
	if s, ok := c.readText("/proc/sys/kernel/osrelease", true); ok {
		c.host.Kernel.Release = strings.TrimSpace(s)
	}
	if s, ok := c.readText("/proc/cmdline", false); ok {
		c.host.Kernel.Cmdline = recordedCmdline(strings.TrimRight(s, "\n"))
	}
}

func (c *collector) cpu() {
	if s, ok := c.readText("/proc/cpuinfo", false); ok {
		cpu, err := ParseCPUInfo(strings.NewReader(s))
		if err != nil {
			c.note("/proc/cpuinfo", "%v", err)
		}
		c.host.CPU = cpu
	}
	if s, ok := c.readText("/proc/meminfo", true); ok {
		mb, err := ParseMemTotalMB(strings.NewReader(s))
		if err != nil {
			c.note("/proc/meminfo", "%v", err)
		}
		c.host.MemoryMB = mb
	}
}

func (c *collector) numa() {
	const dir = "/sys/devices/system/node"
	entries, err := c.fs.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			c.note(dir, "%s", describeErr(err))
		}
		return
	}
	var ids []int
	for _, e := range entries {
		if n, ok := strings.CutPrefix(e.Name(), "node"); ok {
			if id, err := strconv.Atoi(n); err == nil {
				c.host.NUMANodes++
				ids = append(ids, id)
			}
		}
	}
	c.numaTopology(dir, ids)
}

func (c *collector) acpi() {
	const dir = "/sys/firmware/acpi/tables"
	entries, err := c.fs.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			c.note(dir, "%s", describeErr(err))
		}
		return
	}
	c.host.ACPI.Readable = true
	c.host.ACPI.Tables = []string{}
	for _, e := range entries {
		// data/ and dynamic/ are directories, not tables.
		if !e.IsDir() {
			c.host.ACPI.Tables = append(c.host.ACPI.Tables, e.Name())
		}
	}
}

// intelECAPInterruptRemapping is the IR bit of the VT-d extended capability
// register (Intel VT-d specification, 11.4.3; ecap_ir_support in Linux).
const intelECAPInterruptRemapping = 1 << 3

func (c *collector) iommu() {
	c.host.IOMMU.Units = []string{}
	entries, err := c.fs.ReadDir("/sys/class/iommu")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.note("/sys/class/iommu", "%s", describeErr(err))
	}
	for _, e := range entries {
		unit := e.Name()
		c.host.IOMMU.Units = append(c.host.IOMMU.Units, unit)
		ecapPath := "/sys/class/iommu/" + unit + "/intel-iommu/ecap"
		s, ok := c.readText(ecapPath, true)
		if !ok {
			continue
		}
		ecap, err := strconv.ParseUint(strings.TrimSpace(s), 16, 64)
		if err != nil {
			c.note(ecapPath, "%q is not a hex register value", clip(strings.TrimSpace(s)))
			continue
		}
		supported := ecap&intelECAPInterruptRemapping != 0
		if c.host.IOMMU.InterruptRemapping == nil || !supported {
			c.host.IOMMU.InterruptRemapping = &supported
		}
	}
	groups, err := c.fs.ReadDir("/sys/kernel/iommu_groups")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.note("/sys/kernel/iommu_groups", "%s", describeErr(err))
	}
	c.host.IOMMU.Groups = len(groups)
}

// moduleParams are the module parameters checks look at; reading every
// parameter of every module would cost thousands of reads. (vfio-pci's and
// pci-stub's ids are registered with permission 0: they never appear under
// /sys/module, so they are read from the command line and modprobe.d.)
var moduleParams = map[string][]string{
	"vfio_iommu_type1": {"allow_unsafe_interrupts"},
	"vfio_pci":         {"disable_vga", "disable_idle_d3"},
	"nouveau":          {"modeset"},
}

// watchedModules are looked up in /sys/module even when /proc/modules and
// modules.builtin do not list them: a built-in module with parameters has a
// /sys/module directory without initstate.
// They are the VFIO stack and the GPU host drivers pcidev names, and KVM.
var watchedModules = func() []string {
	out := append([]string(nil), pcidev.VFIOModules...)
	out = append(out, KVMModules...)
	for _, d := range pcidev.GPUHostDrivers {
		out = append(out, d.Module)
	}
	return out
}()

// KVMModules are the modules of KVM: the core and the Intel and AMD
// back ends.
var KVMModules = []string{"kvm", "kvm_intel", "kvm_amd"}

func (c *collector) modules() {
	c.host.Modules = []Module{}
	seen := map[string]bool{}
	add := func(name string, state ModuleState) {
		if seen[name] {
			return
		}
		seen[name] = true
		c.host.Modules = append(c.host.Modules, Module{Name: name, State: state})
	}
	// A kernel built without module support has no /proc/modules: said
	// so when /proc itself was read (a tree without /proc says nothing).
	if _, err := c.fs.Lstat("/proc/modules"); errors.Is(err, fs.ErrNotExist) && c.host.Kernel.Cmdline != "" {
		c.host.Kernel.NoModuleSupport = true
	}
	if s, ok := c.readText("/proc/modules", true); ok {
		names, err := ParseProcModules(strings.NewReader(s))
		if err != nil {
			c.note("/proc/modules", "%v", err)
		}
		for _, n := range names {
			add(n, ModuleLoaded)
		}
	}
	if rel := c.host.Kernel.Release; rel != "" && !strings.Contains(rel, "/") {
		for _, dir := range []string{"/lib/modules/", "/usr/lib/modules/"} {
			p := dir + rel + "/modules.builtin"
			s, ok := c.readText(p, true)
			if !ok {
				continue
			}
			names, err := ParseModulesBuiltin(strings.NewReader(s))
			if err != nil {
				c.note(p, "%v", err)
			}
			for _, n := range names {
				add(n, ModuleBuiltin)
			}
			break
		}
	}
	for _, name := range watchedModules {
		if seen[name] || !c.fs.isDir("/sys/module/"+name) {
			continue
		}
		if !c.fs.Exists("/sys/module/" + name + "/initstate") {
			add(name, ModuleBuiltin)
		}
	}
	for i := range c.host.Modules {
		m := &c.host.Modules[i]
		for _, p := range moduleParams[m.Name] {
			s, ok := c.readText("/sys/module/"+m.Name+"/parameters/"+p, true)
			if !ok {
				continue
			}
			if m.Params == nil {
				m.Params = map[string]string{}
			}
			m.Params[p] = strings.TrimSpace(s)
		}
	}
	sort.Slice(c.host.Modules, func(i, j int) bool { return c.host.Modules[i].Name < c.host.Modules[j].Name })
}

func (c *collector) modprobe() {
	c.host.Modprobe = []Directive{}
	// kmod reads the *.conf files of all directories sorted by file name;
	// a name in a higher-priority directory hides the same name later.
	chosen := map[string]string{}
	for _, dir := range ModprobeDirs {
		entries, err := c.fs.ReadConfigDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				c.note(dir, "%s", describeErr(err))
			}
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") || !(strings.HasSuffix(name, ".conf") || strings.HasSuffix(name, ".alias")) || e.IsDir() {
				continue
			}
			if _, taken := chosen[name]; !taken {
				chosen[name] = dir + "/" + name
			}
		}
	}
	names := make([]string, 0, len(chosen))
	for name := range chosen {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := chosen[name]
		data, _, err := c.fs.ReadConfigFile(p)
		if err != nil {
			c.note(p, "%s", describeErr(err))
			continue
		}
		if bytes.IndexByte(data, 0) >= 0 {
			c.note(p, "not text (%d bytes of binary data)", len(data))
			continue
		}
		directives, errs := ParseModprobeConf(p, data)
		for _, err := range errs {
			c.note(p, "%v", err)
		}
		c.host.Modprobe = append(c.host.Modprobe, recordedDirectives(directives)...)
	}
}

func (c *collector) driverctl() {
	const dir = "/etc/driverctl.d"
	c.host.Driverctl = []DriverOverride{}
	entries, err := c.fs.ReadConfigDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			c.note(dir, "%s", describeErr(err))
		}
		return
	}
	for _, e := range entries {
		p := dir + "/" + e.Name()
		data, _, err := c.fs.ReadConfigFile(p)
		if err != nil {
			c.note(p, "%s", describeErr(err))
			continue
		}
		o, err := ParseDriverctl(e.Name(), data)
		if err != nil {
			c.note(p, "%v", err)
			continue
		}
		o.File = p
		c.host.Driverctl = append(c.host.Driverctl, o)
	}
}

const pciDevicesDir = "/sys/bus/pci/devices"

func (c *collector) pciDevices(workers int) {
	c.host.Devices = []pcidev.Device{}
	entries, err := c.fs.ReadDir(pciDevicesDir)
	if err != nil {
		c.note(pciDevicesDir, "%s: no PCI device could be listed", describeErr(err))
		return
	}
	type slot struct {
		addr  pcidev.Address
		dev   pcidev.Device
		notes []Note
	}
	slots := make([]slot, 0, len(entries))
	for _, e := range entries {
		addr, err := pcidev.ParseAddress(e.Name())
		if err != nil {
			c.note(pciDevicesDir+"/"+e.Name(), "%v; skipped", err)
			continue
		}
		slots = append(slots, slot{addr: addr})
	}
	sort.Slice(slots, func(i, j int) bool { return slots[i].addr.Less(slots[j].addr) })

	hasResetMethod := KernelAtLeast(c.host.Kernel.Release, 5, 15)
	// Devices are opened relative to the devices directory (see
	// sysio_unix.go); by their full path if it cannot be opened again.
	devices, err := c.fs.t.openSysDir(nil, "", pciDevicesDir)
	if err == nil {
		defer devices.close()
	}
	if workers <= 0 {
		workers = 4 * runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(slots))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := deviceReader{fs: c.fs, devices: devices, dir: pciDevicesDir + "/" + slots[i].addr.String(), kernelHasResetMethod: hasResetMethod}
				slots[i].dev = r.read(slots[i].addr)
				slots[i].notes = r.notes
			}
		}()
	}
	for i := range slots {
		next <- i
	}
	close(next)
	wg.Wait()
	modules := map[string]string{}
	for _, s := range slots {
		if drv := s.dev.Driver; drv != "" {
			module, seen := modules[drv]
			if !seen {
				module = c.driverModule(drv)
				modules[drv] = module
			}
			s.dev.DriverModule = module
		}
		c.host.Devices = append(c.host.Devices, s.dev)
		c.host.Notes = append(c.host.Notes, s.notes...)
	}
}

// driverModule reads which module provides a PCI driver; "" for a driver
// built into the kernel (it has no module link).
func (c *collector) driverModule(driver string) string {
	target, err := c.fs.Readlink("/sys/bus/pci/drivers/" + driver + "/module")
	if err != nil || path.Base(path.Dir(target)) != "module" {
		return ""
	}
	return path.Base(target)
}

// deviceReader reads one PCI function's sysfs directory.
type deviceReader struct {
	fs FS
	// devices is the open devices directory, or nil; sys is the
	// device's own directory while it is read.
	devices, sys *sysDir
	dir          string // host path of the device's directory
	notes        []Note
	// kernelHasResetMethod is true on Linux 5.15 and later, which have
	// the reset_method attribute.
	kernelHasResetMethod bool
}

func (r *deviceReader) note(file, format string, args ...any) {
	r.notes = append(r.notes, Note{Path: r.dir + "/" + file, Message: fmt.Sprintf(format, args...)})
}

func (r *deviceReader) read(addr pcidev.Address) pcidev.Device {
	d := pcidev.Device{Address: addr.String()}
	var err error
	if r.devices != nil {
		r.sys, err = r.fs.t.openSysDir(r.devices, d.Address, r.dir)
	} else {
		r.sys, err = r.fs.t.openSysDir(nil, "", r.dir)
	}
	r.fs.rec.note(r.dir, AccessFollow)
	var names []string
	if err == nil {
		defer r.sys.close()
		names, err = r.sys.names()
	}
	if err != nil {
		r.notes = append(r.notes, Note{Path: r.dir, Message: describeErr(err) + ": nothing known about this device"})
		d.Unreadable = []string{"device"}
		return d
	}
	present := make(map[string]struct{}, len(names))
	var virtfns []string
	for _, name := range names {
		present[name] = struct{}{}
		if strings.HasPrefix(name, "virtfn") {
			virtfns = append(virtfns, name)
		}
	}
	sort.Strings(virtfns) // in directory order, as ReadDir lists them
	// text returns a file's content; missing optional files are silent.
	text := func(name string, required bool) (string, bool) {
		if _, ok := present[name]; !ok {
			if required {
				r.note(name, "missing")
				d.Unreadable = append(d.Unreadable, name)
			}
			return "", false
		}
		r.fs.rec.note(r.dir+"/"+name, AccessRead)
		data, err := r.sys.readFile(name)
		if err != nil {
			r.note(name, "%s", describeErr(err))
			d.Unreadable = append(d.Unreadable, name)
			return "", false
		}
		return string(data), true
	}
	hexAttr := func(name string, digits int, required bool) string {
		s, ok := text(name, required)
		if !ok {
			return ""
		}
		v, err := ParseHexAttr([]byte(s), digits)
		if err != nil {
			r.note(name, "%v", err)
			d.Unreadable = append(d.Unreadable, name)
			return ""
		}
		return v
	}
	d.VendorID = hexAttr("vendor", 4, true)
	d.DeviceID = hexAttr("device", 4, true)
	d.Class = hexAttr("class", 6, true)
	d.SubsystemVendorID = hexAttr("subsystem_vendor", 4, false)
	d.SubsystemDeviceID = hexAttr("subsystem_device", 4, false)

	if _, ok := present["driver"]; ok {
		if name, err := r.linkBase("driver", "drivers"); err != nil {
			r.note("driver", "%v", err)
			d.Unreadable = append(d.Unreadable, "driver")
		} else {
			d.Driver = name
		}
	}
	if s, ok := text("driver_override", false); ok {
		if v := strings.TrimSpace(s); v != "(null)" && v != "" {
			d.DriverOverride = v
		}
	}
	if _, ok := present["iommu_group"]; ok {
		name, err := r.linkBase("iommu_group", "iommu_groups")
		if err == nil {
			var id int
			id, err = strconv.Atoi(name)
			if err == nil && id >= 0 {
				d.IOMMUGroup = &id
			} else {
				err = fmt.Errorf("group %q is not a number", clip(name))
			}
		}
		if err != nil {
			r.note("iommu_group", "%v", err)
			d.Unreadable = append(d.Unreadable, "iommu_group")
		}
	}
	if s, ok := text("numa_node", false); ok {
		if n, err := ParseIntAttr([]byte(s)); err != nil {
			r.note("numa_node", "%v", err)
			d.Unreadable = append(d.Unreadable, "numa_node")
		} else {
			d.NUMANode = &n
		}
	}
	if s, ok := text("boot_vga", false); ok {
		if b, err := ParseBoolAttr([]byte(s)); err != nil {
			r.note("boot_vga", "%v", err)
			d.Unreadable = append(d.Unreadable, "boot_vga")
		} else {
			d.BootVGA = &b
		}
	}
	if s, ok := text("reset_method", false); ok {
		if m, err := ParseResetMethod([]byte(s)); err != nil {
			r.note("reset_method", "%v", err)
			d.Unreadable = append(d.Unreadable, "reset_method")
		} else {
			d.ResetMethod = m
		}
	} else if _, exists := present["reset_method"]; !exists && r.kernelHasResetMethod {
		// Since 5.15 the kernel hides reset_method on devices that
		// support no reset method at all.
		d.ResetMethod = []string{}
	}
	if s, ok := text("resource", true); ok {
		if bars, err := ParseResource([]byte(s)); err != nil {
			r.note("resource", "%v", err)
			d.Unreadable = append(d.Unreadable, "resource")
		} else {
			d.BARs = bars
		}
	}
	if s, ok := text("sriov_totalvfs", false); ok {
		total, err := ParseIntAttr([]byte(s))
		if err == nil && total < 0 {
			err = fmt.Errorf("%q: not a number of VFs", strings.TrimSpace(s))
		}
		if err != nil {
			r.note("sriov_totalvfs", "%v", err)
			d.Unreadable = append(d.Unreadable, "sriov_totalvfs")
		} else if total > 0 {
			d.SRIOV = &pcidev.SRIOV{TotalVFs: total}
			if s, ok := text("sriov_numvfs", false); ok {
				if n, err := ParseIntAttr([]byte(s)); err == nil {
					d.SRIOV.NumVFs = n
				} else {
					r.note("sriov_numvfs", "%v", err)
				}
			}
			d.SRIOV.VFs = r.virtfns(virtfns)
		}
	}
	if _, ok := present["physfn"]; ok {
		name, err := r.linkBase("physfn", "")
		if err == nil {
			_, err = pcidev.ParseAddress(name)
		}
		if err != nil {
			r.note("physfn", "%v", err)
		} else {
			d.PhysFn = name
		}
	}
	if _, ok := present["nvidia"]; ok {
		d.VGPU = r.vendorVGPU()
	}
	if _, ok := present["net"]; ok {
		d.Net = r.netInterfaces()
	}
	d.Parent = r.parent()
	return d
}

// netInterfaces lists the network interfaces of a NIC function (.../net/*):
// a [pci]device_spec may name a device by its interface (devname).
func (r *deviceReader) netInterfaces() []string {
	r.fs.rec.note(r.dir+"/net", AccessList)
	net, err := r.sys.openDir("net")
	if err != nil {
		r.note("net", "%s", describeErr(err))
		return nil
	}
	defer net.close()
	names, err := net.names()
	if err != nil {
		r.note("net", "%s", describeErr(err))
		return nil
	}
	sort.Strings(names)
	return names
}

// linkBase reads a symlink and returns its target's last element, checking
// that the element before it is wantParent ("drivers" for driver links):
// a link that points elsewhere (a loop, a damaged capture) is not trusted.
func (r *deviceReader) linkBase(name, wantParent string) (string, error) {
	r.fs.rec.note(r.dir+"/"+name, AccessLink)
	target, err := r.sys.readlink(name)
	if err != nil {
		return "", fmt.Errorf("not a readable symlink: %s", describeErr(err))
	}
	base := path.Base(target)
	if wantParent != "" && path.Base(path.Dir(target)) != wantParent {
		return "", fmt.Errorf("link to %q does not point into a %s directory", clip(target), wantParent)
	}
	if base == "." || base == "/" || base == ".." {
		return "", fmt.Errorf("link to %q names nothing", clip(target))
	}
	return base, nil
}

// virtfns resolves virtfn0..N in index order (virtfn10 after virtfn9).
func (r *deviceReader) virtfns(names []string) []string {
	sort.Slice(names, func(i, j int) bool {
		a, _ := strconv.Atoi(strings.TrimPrefix(names[i], "virtfn"))
		b, _ := strconv.Atoi(strings.TrimPrefix(names[j], "virtfn"))
		return a < b
	})
	var vfs []string
	for _, n := range names {
		base, err := r.linkBase(n, "")
		if err == nil {
			_, err = pcidev.ParseAddress(base)
		}
		if err != nil {
			r.note(n, "%v", err)
			continue
		}
		vfs = append(vfs, base)
	}
	return vfs
}

// parent finds the upstream bridge from the device's place in
// /sys/devices: its directory sits in the bridge's directory.
func (r *deviceReader) parent() string {
	var target string
	var err error
	if r.devices != nil {
		r.fs.rec.note(r.dir, AccessLink)
		target, err = r.devices.readlink(path.Base(r.dir))
	} else {
		target, err = r.fs.Readlink(r.dir)
	}
	if err != nil {
		return ""
	}
	up := path.Base(path.Dir(target))
	if _, err := pcidev.ParseAddress(up); err != nil {
		return "" // a root bus (pci0000:00)
	}
	return up
}

// KernelAtLeast reports whether a kernel release (6.8.0-49-generic) is at
// least major.minor; false when the release cannot be parsed.
func KernelAtLeast(release string, major, minor int) bool {
	parts := strings.SplitN(release, ".", 3)
	if len(parts) < 2 {
		return false
	}
	maj, err := strconv.Atoi(parts[0])
	if err != nil {
		return false
	}
	minorDigits := parts[1]
	if i := strings.IndexFunc(minorDigits, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minorDigits = minorDigits[:i]
	}
	mnr, err := strconv.Atoi(minorDigits)
	if err != nil {
		return false
	}
	return maj > major || maj == major && mnr >= minor
}
