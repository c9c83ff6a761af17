// Package checks is gpupass's rule catalog: one Check value per stable ID
// (GP101...), each documented next to its code, and Run, which applies them
// to collected inputs and returns a report.Report.
//
// Checks are pure functions of their inputs: they never read files or call
// APIs (collection is package collect's, hostinfo's and openstack/cloud's
// job) and never print (rendering is package render's). A check whose
// inputs are absent is reported as skipped with the reason, never silently
// dropped.
//
// # Where a check is
//
// The catalog (catalog.go, All) lists every check in report order. Each
// check is a documented variable and a named function runNAME beside it,
// in the file of its section: gp1_platform.go (host platform, GP1xx),
// gp2_devices.go (devices and IOMMU groups, GP2xx), gp3_conf.go and
// gp3_pci.go (nova.conf: syntax, deprecated names, scheduler, virt_type,
// secrets; and the [pci] options, GP3xx), gp4_audit.go (flavors and the
// cloud, GP4xx), gp5_drift.go (drift, GP5xx). docs/architecture.md walks
// through adding one.
//
// # Shared derived data
//
// What several checks derive from the same input is computed once per Run
// and handed to every check in its Pass: the host view (package hostview:
// passthrough GPUs, IOMMU groups, boot-time claims), the parsed [pci]
// configuration of the node and of the API node (pcispec.Conf), the audit's
// fleet (package fleet), and the drift pair of hosts. This is go/analysis's
// Requires/ResultOf in the simpler form a closed catalog allows: each view
// is a function of exactly one input, and a check already declares its
// inputs in Needs, so a check that Needs NeedHost finds Pass.Host set,
// NeedNovaConf Pass.Conf, NeedAPIConf Pass.API, NeedCloud or NeedReports
// Pass.Fleet, NeedBaseline Pass.Before and Pass.After (TestNeedsGiveViews
// holds that). A view is built only when its input is present, and every
// command whose input is present runs checks that read it, so building
// views eagerly costs nothing a lazy registry would save; a registry of
// analyzers with results of arbitrary types, as go/analysis has, serves an
// open set of analyzers, which this catalog is not.
package checks
