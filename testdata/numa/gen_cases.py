#!/usr/bin/env python3
"""Writes cases.jsonl: hand-picked cases, one or more per rule of the NUMA
fit, then generated ones (seeded, so the file is reproducible):
python3 gen_cases.py > cases.jsonl"""
import json
import random

GiB = 1024 * 1024  # in kB


def node(i, cpus, mem_gib, huge=None):
    pools = [{"size_kb": 2048, "total": 0}, {"size_kb": 1048576, "total": 0}]
    for size, total in (huge or {}).items():
        for p in pools:
            if p["size_kb"] == size:
                p["total"] = total
    return {"id": i, "cpus": cpus, "memory_kb": mem_gib * GiB, "huge_pages": pools}


def two_nodes(huge=None, mem=250):
    """Issue 14's host: two nodes of 32 CPUs (16 cores, 2 threads)."""
    return {"nodes": [node(0, "0-15,32-47", mem, huge), node(1, "16-31,48-63", mem, huge)], "cpus_online": "0-63"}


def four_nodes():
    return {"nodes": [node(i, "%d-%d" % (16 * i, 16 * i + 15), 128) for i in range(4)], "cpus_online": "0-63"}


def nps2(mixed=None):
    """Four nodes of 16 CPUs, two a socket; node 0 has 128 GiB, the others
    32. mixed: a node whose CPUs are on two sockets."""
    nodes = []
    for i in range(4):
        n = node(i, "%d-%d" % (16 * i, 16 * i + 15), 32 if i else 128)
        n["socket"] = "mixed" if i == mixed else i // 2
        nodes.append(n)
    return {"nodes": nodes, "cpus_online": "0-63"}


GPUS = [{"node": 0, "count": 2}, {"node": 1, "count": 2}]


def pci(count, policy="required", devices=None):
    return {"count": count, "policy": policy, "devices": devices or GPUS}


def case(name, flavor, host=None, conf=None, pci_=None):
    c = {"name": name, "host": host or two_nodes(), "flavor": flavor}
    if conf:
        c["conf"] = conf
    if pci_:
        c["pci"] = pci_
    return c


def fl(vcpus, mem, **specs):
    return {"vcpus": vcpus, "memory_mb": mem, "extra_specs": {k.replace("__", ":").replace("_DOT_", "."): v for k, v in specs.items()}}


HAND = [
    # Issue 14's known cases and their neighbours.
    case("known-48cpu-1node", fl(48, 65536, hw__numa_nodes="1"), pci_=pci(1)),
    case("known-300000mb-1node", fl(16, 300000, hw__numa_nodes="1"), pci_=pci(1)),
    case("48cpu-2nodes", fl(48, 65536, hw__numa_nodes="2"), pci_=pci(2)),
    case("300000mb-no-numa", fl(16, 300000)),
    case("32cpu-1node-fits", fl(32, 256000, hw__numa_nodes="1")),
    case("256001mb-1node", fl(8, 256001, hw__numa_nodes="1")),
    # Dedicated CPUs and the CPU sets.
    case("dedicated-32", fl(32, 65536, hw__cpu_policy="dedicated"), pci_=pci(1)),
    case("dedicated-33", fl(33, 65536, hw__cpu_policy="dedicated")),
    case("dedicated-set-8-per-node", fl(8, 8192, hw__cpu_policy="dedicated"), conf={"cpu_dedicated_set": "2-5,34-37,18-21,50-53"}),
    case("dedicated-set-9-on-8", fl(9, 8192, hw__cpu_policy="dedicated"), conf={"cpu_dedicated_set": "2-5,34-37,18-21,50-53"}),
    case("dedicated-set-no-shared", fl(4, 8192, hw__numa_nodes="1"), conf={"cpu_dedicated_set": "2-5,34-37,18-21,50-53"}),
    case("shared-set-no-dedicated", fl(4, 8192, hw__cpu_policy="dedicated"), conf={"cpu_shared_set": "0-63"}),
    case("shared-set-shared-guest", fl(24, 8192, hw__numa_nodes="1"), conf={"cpu_shared_set": "0-11,16-27"}),
    case("shared-set-too-small", fl(13, 8192, hw__numa_nodes="1"), conf={"cpu_shared_set": "0-11,16-27"}),
    case("both-sets", fl(16, 8192, hw__cpu_policy="dedicated"), conf={"cpu_dedicated_set": "0-31", "cpu_shared_set": "32-63"}),
    case("both-sets-17", fl(17, 8192, hw__cpu_policy="dedicated"), conf={"cpu_dedicated_set": "0-31", "cpu_shared_set": "32-63"}),
    case("vcpu-pin-set-pinned", fl(8, 8192, hw__cpu_policy="dedicated"), conf={"vcpu_pin_set": "0-7,16-23", "cpu_shared_set": "0-63"}),
    case("vcpu-pin-set-9", fl(9, 8192, hw__cpu_policy="dedicated"), conf={"vcpu_pin_set": "0-7,16-23"}),
    case("vcpu-pin-set-exclusion", fl(7, 8192, hw__cpu_policy="dedicated"), conf={"vcpu_pin_set": "0-7,^3,16-23"}),
    case("resources-pcpu", fl(16, 8192, resources__PCPU="16")),
    case("emulator-isolate-32", fl(32, 8192, hw__cpu_policy="dedicated", hw__emulator_threads_policy="isolate")),
    case("emulator-isolate-31", fl(31, 8192, hw__cpu_policy="dedicated", hw__emulator_threads_policy="isolate")),
    # The CPU thread policy, the hyperthreading trait, the emulator threads
    # policy, realtime and resources:VCPU/PCPU (numa_get_constraints'
    # checks). The oracle's hosts have no SMT (each CPU its own core).
    case("thread-isolate-shared", fl(8, 8192, hw__cpu_thread_policy="isolate")),
    case("thread-require-shared-policy", fl(8, 8192, hw__cpu_policy="shared", hw__cpu_thread_policy="require")),
    case("thread-invalid", fl(8, 8192, hw__cpu_policy="dedicated", hw__cpu_thread_policy="sometimes")),
    case("thread-prefer-dedicated", fl(32, 8192, hw__cpu_policy="dedicated", hw__cpu_thread_policy="prefer")),
    case("thread-isolate-dedicated", fl(16, 8192, hw__cpu_policy="dedicated", hw__cpu_thread_policy="isolate")),
    case("thread-isolate-mixed", fl(8, 8192, hw__cpu_policy="mixed", hw__cpu_dedicated_mask="0-3", hw__cpu_thread_policy="isolate")),
    case("thread-and-ht-trait", fl(8, 8192, hw__cpu_policy="dedicated", hw__cpu_thread_policy="isolate", trait__HW_CPU_HYPERTHREADING="forbidden")),
    case("ht-trait-forbidden-shared", fl(8, 8192, trait__HW_CPU_HYPERTHREADING="forbidden")),
    case("ht-trait-numbered-required-shared", fl(8, 8192, trait1__HW_CPU_HYPERTHREADING="required")),
    case("ht-trait-forbidden-dedicated", fl(8, 8192, hw__cpu_policy="dedicated", trait__HW_CPU_HYPERTHREADING="forbidden")),
    case("emulator-isolate-shared", fl(8, 8192, hw__emulator_threads_policy="isolate")),
    case("emulator-share-shared", fl(8, 8192, hw__numa_nodes="1", hw__emulator_threads_policy="share")),
    case("emulator-invalid", fl(8, 8192, hw__cpu_policy="dedicated", hw__emulator_threads_policy="sometimes")),
    case("pcpu-with-cpu-policy", fl(8, 8192, hw__cpu_policy="dedicated", resources__PCPU="8")),
    case("vcpu-with-shared-policy", fl(8, 8192, hw__cpu_policy="shared", resources__VCPU="8")),
    case("vcpu-and-pcpu", fl(8, 8192, resources__VCPU="4", resources1__PCPU="4")),
    case("pcpu-mismatch", fl(8, 8192, resources__PCPU="4")),
    case("pcpu-emulator-isolate", fl(8, 8192, resources__PCPU="9", hw__emulator_threads_policy="isolate")),
    case("pcpu-emulator-isolate-short", fl(8, 8192, resources__PCPU="8", hw__emulator_threads_policy="isolate")),
    case("pcpu-numbered-groups", fl(8, 8192, resources1__PCPU="4", resources2__PCPU="4")),
    case("vcpu-resource-emulator-isolate", fl(8, 8192, resources__VCPU="8", hw__emulator_threads_policy="isolate")),
    case("realtime-shared", fl(8, 8192, hw__cpu_realtime="yes", hw__cpu_realtime_mask="^0")),
    case("realtime-dedicated-mask", fl(8, 8192, hw__cpu_policy="dedicated", hw__cpu_realtime="true", hw__cpu_realtime_mask="^0")),
    case("realtime-dedicated-no-mask", fl(8, 8192, hw__cpu_policy="dedicated", hw__cpu_realtime="true")),
    case("realtime-dedicated-emulator", fl(8, 8192, hw__cpu_policy="dedicated", hw__cpu_realtime="1", hw__emulator_threads_policy="isolate")),
    case("realtime-mask-out-of-range", fl(8, 8192, hw__cpu_policy="dedicated", hw__cpu_realtime="yes", hw__cpu_realtime_mask="6-9")),
    case("realtime-mask-empty", fl(8, 8192, hw__cpu_policy="dedicated", hw__cpu_realtime="yes", hw__cpu_realtime_mask="^0-7")),
    case("realtime-off", fl(8, 8192, hw__cpu_realtime="no", hw__cpu_realtime_mask="^0")),
    case("mixed-realtime-mask", fl(8, 8192, hw__cpu_policy="mixed", hw__cpu_realtime="yes", hw__cpu_realtime_mask="0-3")),
    case("mixed-realtime-and-dedicated-mask", fl(8, 8192, hw__cpu_policy="mixed", hw__cpu_realtime="yes", hw__cpu_realtime_mask="0-3", hw__cpu_dedicated_mask="0-3")),
    case("dedicated-mask-all", fl(8, 8192, hw__cpu_policy="mixed", hw__cpu_dedicated_mask="0-7")),
    case("dedicated-mask-out-of-range", fl(8, 8192, hw__cpu_policy="mixed", hw__cpu_dedicated_mask="4-9")),
    # Mixed.
    case("mixed-mask", fl(8, 8192, hw__cpu_policy="mixed", hw__cpu_dedicated_mask="0-3")),
    case("mixed-mask-caret", fl(8, 8192, hw__cpu_policy="mixed", hw__cpu_dedicated_mask="^0-1")),
    case("mixed-no-mask", fl(8, 8192, hw__cpu_policy="mixed")),
    case("mask-without-mixed", fl(8, 8192, hw__cpu_policy="dedicated", hw__cpu_dedicated_mask="0-3")),
    case("mixed-shared-set-small", fl(40, 8192, hw__cpu_policy="mixed", hw__cpu_dedicated_mask="0-7"), conf={"cpu_dedicated_set": "0-7,16-23", "cpu_shared_set": "8-15,24-63"}),
    # Manual cells.
    case("manual-cells", fl(8, 8192, hw__numa_nodes="2", hw__numa_cpus_DOT_0="0-5", hw__numa_cpus_DOT_1="6-7", hw__numa_mem_DOT_0="6144", hw__numa_mem_DOT_1="2048")),
    case("manual-cells-too-big", fl(40, 8192, hw__numa_nodes="2", hw__numa_cpus_DOT_0="0-35", hw__numa_cpus_DOT_1="36-39", hw__numa_mem_DOT_0="6144", hw__numa_mem_DOT_1="2048")),
    case("manual-incomplete", fl(8, 8192, hw__numa_nodes="2", hw__numa_cpus_DOT_0="0-5", hw__numa_mem_DOT_0="6144")),
    case("manual-out-of-range", fl(8, 8192, hw__numa_nodes="2", hw__numa_cpus_DOT_0="0-5", hw__numa_cpus_DOT_1="6-8", hw__numa_mem_DOT_0="6144", hw__numa_mem_DOT_1="2048")),
    case("manual-memory-mismatch", fl(8, 8192, hw__numa_nodes="2", hw__numa_cpus_DOT_0="0-5", hw__numa_cpus_DOT_1="6-7", hw__numa_mem_DOT_0="6144", hw__numa_mem_DOT_1="1024")),
    case("manual-unassigned", fl(8, 8192, hw__numa_nodes="2", hw__numa_cpus_DOT_0="0-4", hw__numa_cpus_DOT_1="6-7", hw__numa_mem_DOT_0="6144", hw__numa_mem_DOT_1="2048")),
    case("asymmetric", fl(15, 8192, hw__numa_nodes="2")),
    case("numa-nodes-zero", fl(8, 8192, hw__numa_nodes="0")),
    case("three-of-two", fl(12, 12288, hw__numa_nodes="3")),
    case("three-of-four", fl(48, 12288, hw__numa_nodes="3"), host=four_nodes()),
    case("three-of-four-too-big", fl(51, 12288, hw__numa_nodes="3"), host=four_nodes()),
    # Huge pages.
    case("pages-large-1g", fl(8, 65536, hw__mem_page_size="large"), host=two_nodes({1048576: 64})),
    case("pages-large-1g-short", fl(8, 65536, hw__mem_page_size="large"), host=two_nodes({1048576: 63})),
    case("pages-1gb-explicit", fl(8, 16384, hw__mem_page_size="1GB"), host=two_nodes({1048576: 16})),
    case("pages-2mb-explicit-none", fl(8, 16384, hw__mem_page_size="2048"), host=two_nodes({1048576: 16})),
    case("pages-2mb-explicit", fl(8, 16384, hw__mem_page_size="2MB"), host=two_nodes({2048: 8192})),
    case("pages-any", fl(8, 16384, hw__mem_page_size="any"), host=two_nodes({2048: 4096})),
    case("pages-small", fl(8, 16384, hw__mem_page_size="small"), host=two_nodes({1048576: 200})),
    case("pages-small-squeezed", fl(8, 65536, hw__mem_page_size="small"), host=two_nodes({1048576: 200})),
    case("pages-not-multiple", fl(8, 1000, hw__mem_page_size="1GB"), host=two_nodes({1048576: 16})),
    case("pages-invalid", fl(8, 1024, hw__mem_page_size="huge")),
    case("huge-squeezes-small", fl(8, 65536, hw__numa_nodes="1"), host=two_nodes({1048576: 200})),
    case("huge-squeezes-small-fits", fl(8, 51200, hw__numa_nodes="1"), host=two_nodes({1048576: 200})),
    case("reserved-huge-pages", fl(8, 16384, hw__mem_page_size="1GB"), host=two_nodes({1048576: 16}),
         conf={"reserved_huge_pages": [{"node": "0", "size": "1048576", "count": "4"}, {"node": "1", "size": "1GB", "count": "4"}]}),
    case("reserved-huge-pages-fits", fl(8, 12288, hw__mem_page_size="1GB"), host=two_nodes({1048576: 16}),
         conf={"reserved_huge_pages": [{"node": "0", "size": "1048576", "count": "4"}, {"node": "1", "size": "1GB", "count": "4"}]}),
    # Allocation ratios.
    case("cpu-ratio-half", fl(16, 8192, hw__numa_nodes="1"), conf={"cpu_allocation_ratio": 0.5}),
    case("cpu-ratio-half-17", fl(17, 8192, hw__numa_nodes="1"), conf={"cpu_allocation_ratio": 0.5}),
    case("ram-ratio-half", fl(8, 128000, hw__numa_nodes="1"), conf={"ram_allocation_ratio": 0.5}),
    case("ram-ratio-half-over", fl(8, 128001, hw__numa_nodes="1"), conf={"ram_allocation_ratio": 0.5}),
    case("cpu-ratio-16-more", fl(16, 4096, hw__numa_nodes="1"), conf={"cpu_allocation_ratio": 16.0}),
    # PCI NUMA affinity.
    case("pci-required-2-of-2", fl(8, 8192, hw__numa_nodes="1"), pci_=pci(2)),
    case("pci-required-3", fl(8, 8192, hw__numa_nodes="1"), pci_=pci(3)),
    case("pci-required-3-on-2-nodes", fl(8, 8192, hw__numa_nodes="2"), pci_=pci(3)),
    case("pci-preferred-3", fl(8, 8192, hw__numa_nodes="1"), pci_=pci(3, "preferred")),
    case("pci-legacy-unknown-node", fl(8, 8192, hw__numa_nodes="1"), pci_=pci(2, "legacy", [{"node": 0, "count": 1}, {"node": -1, "count": 2}])),
    case("pci-required-unknown-node", fl(8, 8192, hw__numa_nodes="1"), pci_=pci(2, "required", [{"node": 0, "count": 1}, {"node": -1, "count": 2}])),
    case("pci-socket", fl(8, 8192, hw__numa_nodes="1"), pci_=pci(2, "socket")),
    case("pci-on-other-node-only", fl(24, 8192, hw__numa_nodes="1"), conf={"cpu_shared_set": "0-15,32-47,16-19"}, pci_=pci(1, "required", [{"node": 1, "count": 2}])),
    # The socket policy on two nodes a socket (AMD NPS2, Intel SNC2): the
    # guest fits node 0 only; node 1 shares its socket, node 2 does not.
    case("pci-socket-sibling-node", fl(8, 65536, hw__numa_nodes="1"), host=nps2(), pci_=pci(1, "socket", [{"node": 1, "count": 1}])),
    case("pci-socket-other-socket", fl(8, 65536, hw__numa_nodes="1"), host=nps2(), pci_=pci(1, "socket", [{"node": 2, "count": 1}])),
    case("pci-required-sibling-node", fl(8, 65536, hw__numa_nodes="1"), host=nps2(), pci_=pci(1, "required", [{"node": 1, "count": 1}])),
    case("pci-socket-sibling-node-2", fl(8, 65536, hw__numa_nodes="1"), host=nps2(), pci_=pci(2, "socket", [{"node": 1, "count": 1}, {"node": 0, "count": 1}])),
    case("pci-socket-unknown-socket", fl(8, 65536, hw__numa_nodes="1"), host=nps2(mixed=3), pci_=pci(1, "socket", [{"node": 1, "count": 1}])),
    case("pci-socket-unknown-socket-own-node", fl(8, 65536, hw__numa_nodes="1"), host=nps2(mixed=3), pci_=pci(1, "socket", [{"node": 0, "count": 1}])),
    case("pci-socket-no-numa-guest", fl(8, 65536), host=nps2(), pci_=pci(1, "socket", [{"node": 1, "count": 1}])),
]


def generated(n, seed=14):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        nodes = rnd.choice([1, 2, 2, 2, 4])
        per = rnd.choice([4, 8, 16, 32, 48])
        mem = rnd.choice([16, 64, 128, 250, 500])
        huge = {}
        if rnd.random() < 0.3:
            huge[1048576] = rnd.choice([0, 4, 16, 64])
        if rnd.random() < 0.2:
            huge[2048] = rnd.choice([512, 4096])
        host = {"nodes": [node(k, "%d-%d" % (per * k, per * k + per - 1), mem, huge) for k in range(nodes)],
                "cpus_online": "0-%d" % (per * nodes - 1)}
        gnodes = rnd.choice([0, 1, 1, 2, 3])
        vcpus = rnd.choice([1, 2, 4, 8, 16, 24, 32, 48, 64]) * max(gnodes, 1)
        ram = rnd.choice([2048, 8192, 32768, 65536, 131072, 262144]) * max(gnodes, 1)
        specs = {}
        if gnodes:
            specs["hw:numa_nodes"] = str(gnodes)
        policy = rnd.choice(["", "", "dedicated", "shared"])
        if policy:
            specs["hw:cpu_policy"] = policy
        if rnd.random() < 0.25:
            specs["hw:mem_page_size"] = rnd.choice(["large", "1GB", "2MB", "any", "small"])
        conf = {}
        if rnd.random() < 0.3:
            half = per // 2
            conf["cpu_dedicated_set"] = ",".join("%d-%d" % (per * k, per * k + half - 1) for k in range(nodes))
            if rnd.random() < 0.5:
                conf["cpu_shared_set"] = ",".join("%d-%d" % (per * k + half, per * k + per - 1) for k in range(nodes))
        if rnd.random() < 0.2:
            conf["cpu_allocation_ratio"] = rnd.choice([0.5, 1.0, 2.0, 16.0])
        c = {"name": "gen-%03d" % i, "host": host, "flavor": {"vcpus": vcpus, "memory_mb": ram, "extra_specs": specs}}
        if conf:
            c["conf"] = conf
        if rnd.random() < 0.5:
            devs = [{"node": k, "count": rnd.choice([0, 1, 2, 4])} for k in range(nodes)]
            c["pci"] = {"count": rnd.choice([1, 1, 2, 3, 4]), "policy": rnd.choice(["required", "legacy", "preferred"]), "devices": devs}
        out.append(c)
    return out


for c in HAND + generated(400):
    print(json.dumps(c, sort_keys=True))
