// Package report owns gpupass's JSON contract, schema gpupass/report/v1
// (and gpupass/inventory/v1): the report every check-running command
// writes — its checks, findings, summary, and the inventory of the host,
// nova.conf, audit and drift it ran on — and the reading of such reports
// back (DecodePreflight, ReadHostReports) for diff, preflight --baseline,
// audit --reports and generate --from-report. Field names are a contract:
// scripts and dashboards depend on them; add fields, never rename one.
//
// Nothing else declares these fields. The host inventory a report carries
// has types of its own here (Host, Device...), converted once from what
// hostinfo read (FromHost) and back for the packages that judge a host
// read from a report (Host.HostInfo): hostinfo can change how it reads a
// host without changing the contract, and a change of the contract shows
// here. The renderers (package render) format a Report; they never decide.
package report
