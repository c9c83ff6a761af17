// Package mdevconf reads a nova.conf's mediated-device (vGPU) options —
// [devices]enabled_mdev_types (formerly enabled_vgpu_types) and the dynamic
// groups [mdev_<type>] (formerly [vgpu_<type>]) with device_addresses,
// mdev_class and max_instances — and says what nova-compute of a given
// release makes of them when its libvirt driver starts
// (LibvirtDriver._get_supported_vgpu_types): which type each mdev parent
// gets, which types are dropped, and the error that stops nova-compute.
package mdevconf

import (
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/openstack/novarelease"
)

// Conf is the mdev configuration of a nova.conf and its meaning for one
// release of Nova.
type Conf struct {
	// Release is the release whose rules were applied.
	Release novarelease.Release
	// Enabled is [devices]enabled_mdev_types (or enabled_vgpu_types) as a
	// list, in order; nil when unset or empty.
	Enabled []string
	// EnabledValue is where Enabled was set; nil when unset.
	EnabledValue *novaconf.Value
	// Groups are the [mdev_<type>] and [vgpu_<type>] sections, in the order
	// of their first appearance, whether or not their type is enabled.
	Groups []Group

	// What the release's nova-compute makes of it:

	// Used are the types the driver uses (its supported_vgpu_types).
	Used []string
	// Mapping is mdev parent address -> type, for the addresses the groups
	// list and the release validates (pgpu_type_mapping).
	Mapping map[string]string
	// Classes is mdev parent address -> resource class (mdev_class_mapping).
	Classes map[string]string
	// Default is the type of every parent not in Mapping: the only type
	// when one is enabled (or, before 2024.1, the first when several are
	// but one lacks device_addresses), the address-less group's from
	// 2024.1. "" when parents not in Mapping get none.
	Default string
	// DefaultClass is the resource class of the Default type's mdevs.
	DefaultClass string
	// ResourceClasses are the resource classes nova-compute claims mdevs
	// for in an instance's allocations (mdev_classes, sorted): the
	// classes of the groups it read, or VGPU alone when Zed falls back to
	// the first type. nil when no type is used.
	ResourceClasses []string
	// MaxInstances is each type's max_instances (2024.1 and later).
	MaxInstances map[string]int
	// Dropped are the enabled types the release does not use, and why.
	Dropped []Dropped
	// StartErr is what stops nova-compute from starting (an
	// InvalidLibvirtMdevConfig, or a value oslo.config refuses); nil when
	// it starts.
	StartErr *StartError
	// Warnings are what nova-compute logs about this configuration, and
	// options it ignores.
	Warnings []Diagnostic
}

// Group is one [mdev_<type>] or [vgpu_<type>] section.
type Group struct {
	// Type is the mdev type the section is for (nvidia-558).
	Type string
	// Section is the group as oslo.config normalises it (mdev_nvidia-558).
	Section string
	// Deprecated is set for a [vgpu_<type>] section.
	Deprecated bool
	// Line locates the section's first header.
	Where novaconf.Source
	// DeviceAddresses is device_addresses; AddressesValue where it was set
	// (nil when unset).
	DeviceAddresses []string
	AddressesValue  *novaconf.Value
	// MdevClass is mdev_class ("" when unset: VGPU); ClassValue where.
	MdevClass  string
	ClassValue *novaconf.Value
	// MaxInstances is max_instances (0 when unset); MaxValue where.
	MaxInstances int
	MaxValue     *novaconf.Value
}

// Dropped is an enabled type the release ignores.
type Dropped struct {
	Type string
	Why  string
}

// StartError is an error that stops nova-compute, as Nova raises it.
type StartError struct {
	// Exception is Nova's or oslo.config's exception class
	// (InvalidLibvirtMdevConfig, ConfigFileValueError).
	Exception string
	// Message is the exception's text as Nova logs it.
	Message string
	// Where is the value at fault.
	Where novaconf.Source
	// Logged is what nova-compute logs when it stops, where that is not
	// Message itself (a value oslo.config refuses surfaces through
	// load_compute_driver's ValueError handler); "" otherwise.
	Logged string
}

// Error returns "Exception: Message".
func (e *StartError) Error() string { return e.Exception + ": " + e.Message }

// Diagnostic is a warning with the value it is about.
type Diagnostic struct {
	// Code says what kind of warning it is (the Code* constants).
	Code    string
	Message string
	Where   novaconf.Source
}

// Codes of a Diagnostic.
const (
	// CodeNovaLog: nova-compute logs Message, word for word, as a warning
	// when its libvirt driver starts.
	CodeNovaLog = "nova-log"
	// CodeDeprecated: oslo.config logs Message, word for word: a value
	// read through a deprecated name or group.
	CodeDeprecated = "deprecated"
	// CodeIgnored: a section or option this release never reads, or a
	// value it reads and then does not apply.
	CodeIgnored = "ignored"
	// CodeNeverMatches: an address Nova accepts but that no mdev parent
	// can have (Nova compares it, as text, with the lower-case address
	// libvirt gives).
	CodeNeverMatches = "never-matches"
	// CodeNotModelled: a value gpupass cannot read as Nova does (a "$"
	// substitution).
	CodeNotModelled = "not-modelled"
)
