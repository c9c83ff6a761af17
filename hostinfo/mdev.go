package hostinfo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Where the mediated-device state is read (docs/research/vgpu-layouts.md
// section 1; the kernel's Documentation/driver-api/vfio-mediated-device.rst
// and drivers/vfio/mdev/mdev_sysfs.c):
//
//   - /sys/class/mdev_bus/<parent> is a link to each device a vendor driver
//     registered as an mdev parent; the directory exists once the mdev core
//     has a parent class (mdev_register_parent).
//   - <parent>/mdev_supported_types/<type-id>/{name, description,
//     device_api, available_instances, devices/} describe each type it
//     offers; description is hidden for drivers without one.
//   - /sys/bus/mdev/devices/<uuid> links to each mdev, whose sysfs parent is
//     its parent device; its mdev_type links to its type's directory, its
//     iommu_group to the group VFIO fakes for it.
//   - /etc/mdevctl.d/<parent>/<uuid> are mdevctl's persistent definitions.
const (
	mdevBusDir     = "/sys/class/mdev_bus"
	mdevDevicesDir = "/sys/bus/mdev/devices"
	mdevctlDir     = "/etc/mdevctl.d"
)

// MdevctlPaths are where the mdevctl command is looked for (the mdevctl
// package installs it in /usr/sbin; /usr/bin for builds that put it there).
var MdevctlPaths = []string{"/usr/sbin/mdevctl", "/usr/bin/mdevctl"}

// maxMdevctlFile bounds one mdevctl definition: mdevctl writes a type, a
// start mode and a few attributes (a few hundred bytes). A bigger file is
// not read.
const maxMdevctlFile = 64 << 10

func (c *collector) mdev() {
	m := &c.host.Mdev
	c.mdevParents(m)
	c.mdevDevices(m)
	c.mdevDefinitions(m)
	for _, p := range MdevctlPaths {
		if c.fs.Exists(p) {
			m.Mdevctl = p
			break
		}
	}
}

// listDir lists a directory; a missing one is nil without a note, any
// other failure is noted.
func (c *collector) listDir(dir string) ([]fs.DirEntry, bool) {
	entries, err := c.fs.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			c.note(dir, "%s", describeErr(err))
		}
		return nil, false
	}
	return entries, true
}

func (c *collector) mdevParents(m *Mdev) {
	entries, ok := c.listDir(mdevBusDir)
	if !ok {
		if c.fs.isDir(mdevBusDir) {
			m.Bus = true // present but not listable: noted
		}
		return
	}
	m.Bus = true
	for _, e := range entries {
		p := MdevParent{Address: e.Name()}
		typesDir := mdevBusDir + "/" + p.Address + "/mdev_supported_types"
		types, _ := c.listDir(typesDir)
		for _, te := range types {
			if !te.IsDir() {
				continue
			}
			p.Types = append(p.Types, c.mdevType(typesDir+"/"+te.Name(), te.Name()))
		}
		sort.Slice(p.Types, func(i, j int) bool { return p.Types[i].ID < p.Types[j].ID })
		m.Parents = append(m.Parents, p)
	}
	sort.Slice(m.Parents, func(i, j int) bool { return m.Parents[i].Address < m.Parents[j].Address })
}

// mdevType reads one mdev_supported_types/<id> directory.
func (c *collector) mdevType(dir, id string) MdevType {
	t := MdevType{ID: id}
	if s, ok := c.readText(dir+"/name", false); ok {
		t.Name = strings.TrimSpace(s)
	}
	if s, ok := c.readText(dir+"/description", true); ok {
		t.Description = strings.TrimSpace(s)
		n, err := ParseMdevMaxInstance(t.Description)
		if err != nil {
			c.note(dir+"/description", "%v", err)
		}
		t.MaxInstance = n
	}
	if s, ok := c.readText(dir+"/device_api", false); ok {
		t.DeviceAPI = strings.TrimSpace(s)
	}
	if s, ok := c.readText(dir+"/available_instances", false); ok {
		n, err := ParseIntAttr([]byte(s))
		if err == nil && n < 0 {
			err = fmt.Errorf("%q: not a number of instances", clip(strings.TrimSpace(s)))
		}
		if err != nil {
			c.note(dir+"/available_instances", "%v", err)
		} else {
			t.Available = &n
		}
	}
	devices, _ := c.listDir(dir + "/devices")
	for _, d := range devices {
		t.Devices = append(t.Devices, d.Name())
	}
	return t
}

// ParseMdevMaxInstance returns max_instance= of an mdev type's description
// as NVIDIA's driver writes it ("num_heads=4, frl_config=60,
// framebuffer=2048M, max_resolution=5120x2880, max_instance=24"); 0 when
// the description does not give it, an error when it gives something
// that is not a positive number.
func ParseMdevMaxInstance(description string) (int, error) {
	for _, field := range strings.Split(description, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok || strings.TrimSpace(key) != "max_instance" {
			continue
		}
		value = strings.TrimSpace(value)
		n, err := strconv.Atoi(value)
		if err != nil || n <= 0 || value[0] == '+' {
			return 0, fmt.Errorf("max_instance=%q: not a positive number", clip(value))
		}
		return n, nil
	}
	return 0, nil
}

func (c *collector) mdevDevices(m *Mdev) {
	entries, _ := c.listDir(mdevDevicesDir)
	for _, e := range entries {
		name := e.Name()
		p := mdevDevicesDir + "/" + name
		if !IsMdevUUID(name) {
			c.note(p, "not a mediated device's UUID; skipped")
			continue
		}
		d := MdevDevice{UUID: name}
		// The device's directory sits in its parent's.
		if target, err := c.fs.Readlink(p); err != nil {
			c.note(p, "not a readable symlink: %s", describeErr(err))
		} else if path.Base(target) != name || !strings.Contains(target, "/") {
			c.note(p, "link to %q does not lead to the device's own directory", clip(target))
		} else {
			d.Parent = path.Base(path.Dir(target))
		}
		if target, err := c.fs.Readlink(p + "/mdev_type"); err != nil {
			c.note(p+"/mdev_type", "not a readable symlink: %s", describeErr(err))
		} else if base := path.Base(target); base == "." || base == "/" || base == ".." {
			c.note(p+"/mdev_type", "link to %q names no type", clip(target))
		} else {
			d.Type = base
		}
		if target, err := c.fs.Readlink(p + "/iommu_group"); err == nil {
			id, err := strconv.Atoi(path.Base(target))
			if err != nil || id < 0 || path.Base(path.Dir(target)) != "iommu_groups" {
				c.note(p+"/iommu_group", "link to %q is not an IOMMU group", clip(target))
			} else {
				d.IOMMUGroup = &id
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			c.note(p+"/iommu_group", "not a readable symlink: %s", describeErr(err))
		}
		m.Devices = append(m.Devices, d)
	}
	sort.Slice(m.Devices, func(i, j int) bool { return m.Devices[i].UUID < m.Devices[j].UUID })
}

// IsMdevUUID reports whether a name is a UUID as the kernel names an mdev
// ("%pUl": 8-4-4-4-12 lower-case hex digits).
func IsMdevUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
				return false
			}
		}
	}
	return true
}

// isUUID is IsMdevUUID in either case: mdevctl parses file names with
// Rust's uuid crate, which accepts upper-case digits.
func isUUID(s string) bool { return IsMdevUUID(strings.ToLower(s)) }

func (c *collector) mdevDefinitions(m *Mdev) {
	parents, _ := c.listDir(mdevctlDir)
	for _, pe := range parents {
		if !pe.IsDir() {
			continue
		}
		dir := mdevctlDir + "/" + pe.Name()
		files, _ := c.listDir(dir)
		for _, fe := range files {
			p := dir + "/" + fe.Name()
			if fe.IsDir() {
				continue
			}
			if !isUUID(fe.Name()) {
				c.note(p, "not named by an mdev UUID: not an mdevctl definition; skipped")
				continue
			}
			if info, err := c.fs.StatConfig(p); err == nil && info.Size() > maxMdevctlFile {
				c.note(p, "larger than %d bytes: not an mdevctl definition; skipped", maxMdevctlFile)
				continue
			}
			data, _, err := c.fs.ReadConfigFile(p)
			if err != nil {
				c.note(p, "%s", describeErr(err))
				continue
			}
			d, err := ParseMdevctlDefinition(data)
			if err != nil {
				c.note(p, "%v", err)
				continue
			}
			d.File, d.UUID, d.Parent = p, strings.ToLower(fe.Name()), pe.Name()
			m.Definitions = append(m.Definitions, d)
		}
	}
	sort.Slice(m.Definitions, func(i, j int) bool { return m.Definitions[i].File < m.Definitions[j].File })
}

// ParseMdevctlDefinition parses one of mdevctl's persistent definitions,
// a JSON object such as
//
//	{"mdev_type": "nvidia-558", "start": "auto", "attrs": []}
//
// as mdevctl loads it (mdevctl/mdevctl src/mdev.rs, load_from_json and
// add_attributes, commit 0218c0f1368c; mdevctl writes it with
// to_json): mdev_type and start must be present and not null, mdev_type
// a string; start "auto" is started at boot and anything else is
// "manual"; attrs, when present and not null, is an array of objects of
// one string field each. File, UUID and Parent come from the file's
// place and are left to the caller.
func ParseMdevctlDefinition(data []byte) (MdevDefinition, error) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&obj); err != nil {
		return MdevDefinition{}, fmt.Errorf("not an mdevctl definition: not a JSON object (%s)", clip(err.Error()))
	}
	if dec.More() {
		return MdevDefinition{}, errors.New("not an mdevctl definition: more than one JSON value")
	}
	if obj == nil {
		return MdevDefinition{}, errors.New("not an mdevctl definition: null, not a JSON object")
	}
	isNull := func(raw json.RawMessage) bool { return raw == nil || string(raw) == "null" }
	if isNull(obj["mdev_type"]) || isNull(obj["start"]) {
		return MdevDefinition{}, errors.New(`mdevctl refuses it: "mdev_type" or "start" is missing`)
	}
	var d MdevDefinition
	if err := json.Unmarshal(obj["mdev_type"], &d.Type); err != nil {
		return MdevDefinition{}, errors.New(`mdevctl refuses it: "mdev_type" is not a string`)
	}
	var start string
	d.Start = "manual"
	if json.Unmarshal(obj["start"], &start) == nil && start == "auto" {
		d.Start = "auto"
	}
	if attrs := obj["attrs"]; !isNull(attrs) {
		var list []map[string]json.RawMessage
		if err := json.Unmarshal(attrs, &list); err != nil {
			return MdevDefinition{}, errors.New(`mdevctl refuses it: "attrs" is not an array of objects`)
		}
		for i, a := range list {
			var s string
			for _, v := range a {
				if json.Unmarshal(v, &s) != nil {
					return MdevDefinition{}, fmt.Errorf(`mdevctl refuses it: attribute %d's value is not a string`, i)
				}
			}
			if len(a) != 1 {
				return MdevDefinition{}, fmt.Errorf(`mdevctl refuses it: attribute %d is not one name and its value`, i)
			}
		}
	}
	return d, nil
}
