#!/usr/bin/python3
"""Writes the cases of the gpupass agreement corpus (corpus.jsonl), without
verdicts; oracle.py --update then records Nova's.

    python3 gen_corpus.py > corpus.jsonl && /usr/bin/python3 oracle.py --update

and the cases of the rules that changed after Zed, judged by each release:

    python3 gen_corpus.py --releases > releases/cases.jsonl
    /usr/bin/python3 oracle.py --update releases/cases.jsonl
    for r in 2023.1 2023.2 2024.1 2024.2 2025.1 2025.2 2026.1; do
        /usr/bin/python3 oracle.py --release $r --nova-git NOVA --update releases/cases.jsonl
    done

Three sources:

  nova/tests/unit/...   every case of Nova's own unit tests that a
                        configuration value can express (test_devspec.py,
                        test_whitelist.py, test_request.py, test_utils.py,
                        api/validation/extra_specs/test_validators.py), with
                        the functions the tests mock mocked the same way
                        ("mock"), or the sysfs files they fake ("host");
  generated:<rule>      values built to probe one rule (quirky hex, partial
                        addresses, regexes, tags, JSON corners, schema
                        errors...);
  mutated:<rule>        valid values with one change (a character, a type, a
                        duplicated key...).

Each case: {"id", "kind", "input", "origin"} plus, where needed, "host"
(the compute node's sysfs, see oracle.py), "mock", "conf" and "devices"
(devices to match device specs against). Cases ids are stable: they are
derived from the origin and a counter per origin.
"""

import json
import os
import random
import sys

CASES = []
_counters = {}


def add(kind, inp, origin, **extra):
    base = origin.replace("nova/tests/unit/", "").replace(".py:", ":")
    n = _counters.get(base, 0) + 1
    _counters[base] = n
    case = {"id": "%s#%d" % (base, n), "kind": kind, "input": inp,
            "origin": origin}
    case.update({k: v for k, v in extra.items() if v is not None})
    CASES.append(case)


def ds(obj, origin, **extra):
    add("device_spec", json.dumps(obj), origin, **extra)


def raw(text, origin, **extra):
    add("device_spec", text, origin, **extra)


def alias(values, origin, **extra):
    add("alias", values, origin, **extra)


def areq(aliases, request, origin):
    add("alias_request", {"aliases": aliases, "request": request}, origin)


def xs(key, value, origin):
    add("extra_spec", {"key": key, "value": value}, origin)


# Devices to match specs against (devices.json, which a case names with
# "devices": "standard"): a VF and its PF, a GPU and its audio function,
# and odd addresses.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "devices.json")) as _f:
    STANDARD = json.load(_f)["standard"]
DEV_VF = STANDARD[0]
DEVICES = "standard"

T = "nova/tests/unit/pci/test_devspec.py:"
W = "nova/tests/unit/pci/test_whitelist.py:"
R = "nova/tests/unit/pci/test_request.py:"
U = "nova/tests/unit/pci/test_utils.py:"
V = "nova/tests/unit/api/validation/extra_specs/test_validators.py:"

MAX_DOMAIN, MAX_BUS, MAX_SLOT, MAX_FUNC = 0xFFFF, 0xFF, 0x1F, 0x7


def nova_devspec_tests():
    dev = DEV_VF
    pci_addr = {"domain": "0000", "bus": "0a", "slot": "00", "function": "5"}
    # PhysicalPciAddressTestCase: the same addresses as device_spec values
    # (a dict address is a regex there, a string a glob).
    o = T + "PhysicalPciAddressTestCase."
    ds({"address": pci_addr}, o + "test_init_by_dict", devices=[dev])
    for comp, val in (("domain", MAX_DOMAIN + 1), ("bus", MAX_BUS + 1),
                      ("slot", MAX_SLOT + 1), ("function", MAX_FUNC + 1)):
        a = dict(pci_addr)
        a[comp] = str(val)
        ds({"address": a}, o + "test_init_by_dict_invalid_address_values",
           devices=[dev])
    for comp in pci_addr:
        a = dict(pci_addr)
        del a[comp]
        ds({"address": a}, o + "test_init_by_dict_missing_values",
           devices=[dev])
    ds({"address": "0000:0a:00.5"}, o + "test_init_by_string", devices=[dev])
    for a in [str(MAX_DOMAIN + 1) + ":0a:00.5", "0000:" + str(MAX_BUS + 1) +
              ":00.5", "0000:0a:" + str(MAX_SLOT + 1) + ".5",
              "0000:0a:00." + str(MAX_FUNC + 1)]:
        ds({"address": a}, o + "test_init_by_string_invalid_values")
    for a in ["00:0000:0a:00.5", "0a:00.5", "0000:00.5"]:
        ds({"address": a}, o + "test_init_by_string_missing_values",
           devices=[dev])
    for a in ["0000:0a:00.5"]:
        ds({"address": a}, o + "test_match", devices=[dev])
    for a in ["0010:0a:00.5", "0000:0b:00.5", "0000:0a:01.5", "0000:0a:00.4"]:
        ds({"address": a}, o + "test_false_match", devices=[dev])

    o = T + "PciAddressGlobSpecTestCase."
    ds({"address": "0000:0a:00.5"}, o + "test_init")
    ds({"address": "00:0000:0a:00.5"}, o + "test_init_invalid_address")
    for a in [str(MAX_DOMAIN + 1) + ":0a:00.5", "0000:" + str(MAX_BUS + 1) +
              ":00.5", "0000:0a:" + str(MAX_SLOT + 1) + ".5",
              "0000:0a:00." + str(MAX_FUNC + 1)]:
        ds({"address": a}, o + "test_init_invalid_values")
    for a in ["0000:0a:00.5", "*:0a:00.5", "0000:*:00.5", "0000:0a:*.5",
              "0000:0a:00.*"]:
        ds({"address": a}, o + "test_match", devices=[dev])
    for a in ["0010:0a:00.5", "0000:0b:00.5", "*:0a:01.5", "0000:0a:*.4"]:
        ds({"address": a}, o + "test_false_match", devices=[dev])

    o = T + "PciAddressRegexSpecTestCase."
    ds({"address": {"domain": ".*", "bus": "02", "slot": "01",
                    "function": "[0-2]"}}, o + "test_init")
    ds({"address": {"domain": "*", "bus": "02", "slot": "01",
                    "function": "[0-2]"}}, o + "test_init_invalid_address")
    vf_b = dict(dev, address="0000:0b:00.5")
    for a in [{"domain": ".*", "bus": "0a", "slot": "00", "function": "[5-6]"},
              {"domain": ".*", "bus": "0a", "slot": ".*", "function": "[4-5]"},
              {"domain": ".*", "bus": "0a", "slot": "[0-3]",
               "function": ".*"}]:
        ds({"address": a}, o + "test_match", devices=[dev, vf_b])
    for a in [{"domain": ".*", "bus": "0a", "slot": "00", "function": "[5-6]"},
              {"domain": ".*", "bus": "02", "slot": ".*", "function": "[4-5]"},
              {"domain": ".*", "bus": "02", "slot": "[0-3]",
               "function": ".*"}]:
        ds({"address": a}, o + "test_false_match", devices=[vf_b])

    o = T + "PciAddressTestCase."
    ds({"vendor_id": "8086", "address": "*: *: *.6", "product_id": "5057",
        "physical_network": "hr_net"}, o + "test_wrong_address",
       devices=[dev])
    ds({"address": "0000:0a:0b:00.5", "physical_network": "hr_net"},
       o + "test_address_too_big")
    ds({"address": "0000:h4.12:6", "physical_network": "hr_net"},
       o + "test_address_invalid_character")
    ds({"address": "0000:0a:00.%s" % (MAX_FUNC + 1),
        "physical_network": "hr_net"}, o + "test_max_func")
    ds({"address": "%x:0a:00.5" % (MAX_DOMAIN + 1),
        "physical_network": "hr_net"}, o + "test_max_domain")
    ds({"address": "0000:%x:00.5" % (MAX_BUS + 1),
        "physical_network": "hr_net"}, o + "test_max_bus")
    ds({"address": "0000:0a:%x.5" % (MAX_SLOT + 1),
        "physical_network": "hr_net"}, o + "test_max_slot")
    ds({"vendor_id": "8086", "product_id": "5057"},
       o + "test_address_is_undefined", devices=[dev])
    d2 = {"vendor_id": "1137", "product_id": "0071",
          "address": "0000:0a:00.5", "parent_addr": "0000:0a:00.0"}
    ds({"address": ":0a:00.", "physical_network": "hr_net"},
       o + "test_partial_address", devices=[d2])
    d3 = {"vendor_id": "1137", "product_id": "0071",
          "address": "0000:0a:00.5", "phys_function": "0000:0a:00.0"}
    ds({"address": ".5", "physical_network": "hr_net"},
       o + "test_partial_address_func", devices=[d3])
    pf = {"is_physical_function": True}
    ds({"address": "0000:0a:00.0", "physical_network": "hr_net"},
       o + "test_address_is_pf", mock=pf, devices=[dev])
    nop = dict(dev)
    nop.pop("parent_addr")
    ds({"address": "0000:0a:00.5", "physical_network": "hr_net"},
       o + "test_address_pf_no_parent_addr", mock=pf, devices=[nop])
    ds({"address": {"domain": ".*", "bus": ".*", "slot": "00",
                    "function": "[5-6]"}, "physical_network": "hr_net"},
       o + "test_spec_regex_match", devices=[dev])
    ds({"address": {"domain": ".*", "bus": ".*", "slot": "00",
                    "function": "[6-7]"}, "physical_network": "hr_net"},
       o + "test_spec_regex_no_match", devices=[dev])
    ds({"address": {"domain": ".*", "bus": ".*", "slot": "00",
                    "function": "[6[-7]"}, "physical_network": "hr_net"},
       o + "test_spec_invalid_regex")
    ds({"address": {"domain": "*", "bus": "*", "slot": "00",
                    "function": "[6-7]"}, "physical_network": "hr_net"},
       o + "test_spec_invalid_regex2")
    ds({"address": {"domain": ".*", "slot": "00", "function": "[5-6]"},
        "physical_network": "hr_net"}, o + "test_spec_partial_bus_regex",
       devices=[dev])
    ds({"address": {"domain": ".*", "bus": ".*", "slot": "00"},
        "physical_network": "hr_net"}, o + "test_spec_partial_address_regex",
       devices=[dev])
    ds({"address": [".*", ".*", "00", "[6-7]"], "physical_network": "hr_net"},
       o + "test_spec_invalid_address")
    ds({"address": {"domain": "0000", "bus": "0a", "slot": "00",
                    "function": "0"}, "physical_network": "hr_net"},
       o + "test_address_is_pf_regex", mock=pf, devices=[dev])

    o = T + "PciDevSpecTestCase."
    ds({"vendor_id": "8086", "address": "*: *: *.5", "product_id": "5057",
        "physical_network": "hr_net"}, o + "test_spec_match", devices=[dev])
    ds({"vendor_id": "8087", "address": "*: *: *.5", "product_id": "5057",
        "physical_network": "hr_net"}, o + "test_invalid_vendor_id",
       devices=[dev])
    ds({"vendor_id": "80860", "address": "*:*:*.5", "product_id": "5057",
        "physical_network": "hr_net"}, o + "test_vendor_id_out_of_range")
    ds({"vendor_id": "8086", "address": "*: *: *.5", "product_id": "5056",
        "physical_network": "hr_net"}, o + "test_invalid_product_id",
       devices=[dev])
    ds({"vendor_id": "8086", "address": "*:*:*.5", "product_id": "50570",
        "physical_network": "hr_net"}, o + "test_product_id_out_of_range")
    ds({"devname": "eth0", "vendor_id": "8086", "address": "*:*:*.5",
        "physical_network": "hr_net"}, o + "test_devname_and_address")
    ds({"devname": "", "physical_network": "hr_net"},
       o + "test_blank_devname", devices=[dev])
    ds({"devname": "eth0", "physical_network": "hr_net"}, o + "test_by_name",
       mock={"get_function_by_ifname": ["0000:0a:00.0", True]},
       devices=[dev])
    ds({"devname": "lo", "physical_network": "hr_net"},
       o + "test_invalid_name", mock={"get_function_by_ifname": [None, False]},
       devices=[dev])
    ds({"vendor_id": "8086", "address": "*:*:*.5", "product_id": "5057",
        "physical_network": "hr_net"}, o + "test_pci_obj",
       devices=[{"address": "0000:00:00.5", "product_id": "5057",
                 "vendor_id": "8086", "parent_addr": None}])

    o = T + "PciDevSpecRemoteManagedTestCase."
    test_dev = {"vendor_id": "8086", "product_id": "5057",
                "address": "0000:0a:00.0",
                "capabilities": {"vpd": {"card_serial_number":
                                         "MT2113X00000"}}}
    ds({"devname": "nonexdev0", "physical_network": "hr_net",
        "remote_managed": "true"}, o + "test_remote_managed_unknown_raises",
       mock={"get_function_by_ifname": [None, False]})
    rm = {"get_vf_product_id_by_pf_addr": "5058",
          "get_pci_ids_by_pci_addr": ["8086", "5057"],
          "is_physical_function": True}
    ds({"vendor_id": "8086", "address": "0000:0a:00.0", "product_id": "5057",
        "physical_network": "hr_net", "remote_managed": "true"},
       o + "test_remote_managed_pf_raises", mock=rm)
    for v, p in (("8086", "5058"), ("*", "*"), ("8086", "*"), ("*", "5058")):
        ds({"vendor_id": v, "address": "0000:0a:00.0", "product_id": p,
            "physical_network": "hr_net", "remote_managed": "true"},
           o + "test_remote_managed_vf_by_pf", mock=rm)
    for v, p in (("8080", "5050"), ("8086", "5050"), ("8080", "5058")):
        ds({"vendor_id": v, "address": "0000:0a:00.0", "product_id": p,
            "physical_network": "hr_net", "remote_managed": "true"},
           o + "test_remote_managed_vf_by_pf_raises", mock=rm)
    base = {"vendor_id": "8086", "address": "0000:0a:00.0",
            "product_id": "5057", "physical_network": "hr_net"}
    ds(dict(base, remote_managed="false"),
       o + "test_not_remote_managed_pf_match",
       mock={"is_physical_function": True}, devices=[test_dev])
    ds(base, o + "test_no_remote_managed_specified_pf_match",
       mock={"is_physical_function": True}, devices=[test_dev])
    notpf = {"is_physical_function": False}
    ds(dict(base, remote_managed="true"),
       o + "test_remote_managed_specified_vf_match", mock=notpf,
       devices=[test_dev])
    ds(dict(base, remote_managed="true"),
       o + "test_remote_managed_specified_no_serial_vf_no_match", mock=notpf,
       devices=[{"vendor_id": "8086", "product_id": "5057",
                 "address": "0000:0a:00.0"}])
    ds(dict(base, remote_managed="true"),
       o + "test_remote_managed_specified_empty_serial_vf_no_match",
       mock=notpf,
       devices=[{"vendor_id": "8086", "product_id": "5057",
                 "address": "0000:0a:00.0",
                 "capabilities": {"vpd": {"card_serial_number": ""}}}])
    ds(dict(base, remote_managed="false"), o + "test_not_remote_managed_vf_match",
       mock=notpf, devices=[test_dev])
    ds(base, o + "test_no_remote_managed_specified_vf_match", mock=notpf,
       devices=[test_dev])
    ds(dict(base, address="0000:0a:00.2", remote_managed="true"),
       o + "test_remote_managed_vf_match_by_pci_obj", mock=notpf,
       devices=[{"address": "0000:0a:00.2", "vendor_id": "8086",
                 "product_id": "5057", "parent_addr": "0000:0a:00.1",
                 "capabilities": {"vpd": {"card_serial_number":
                                          "MT2113X00000"}}}])
    ds(dict(base, remote_managed="true"),
       o + "test_remote_managed_vf_no_match_by_pci_obj", mock=notpf,
       devices=[{"address": "0000:0a:00.2", "vendor_id": "8086",
                 "product_id": "5057", "parent_addr": "0000:0a:00.1"}])


def nova_whitelist_tests():
    dev = {"address": "0000:00:0a.1", "product_id": "0001",
           "vendor_id": "8086", "phys_function": "0000:00:0a.0"}
    o = W + "WhitelistTestCase."
    raw('{"product_id":"0001", "vendor_id":"8086"}', o + "test_whitelist")
    raw('[{"product_id":"0001", "vendor_id":"8086"},'
        '{"product_id":"0002", "vendor_id":"8086"}]',
        o + "test_whitelist_list_format")
    raw('{"product_id":"0001", "vendor_id":"8086"}', o + "test_whitelist_multiple")
    raw('{"product_id":"0002", "vendor_id":"8087"}', o + "test_whitelist_multiple")
    raw('{"address":"*:00:0a.*", "physical_network":"hr_net"}',
        o + "test_device_assignable_glob", devices=[dev])
    raw('{"address":"*:00:0b.*", "physical_network":"hr_net"}',
        o + "test_device_not_assignable_glob", devices=[dev])
    raw('{"address":{"domain": ".*", "bus": ".*", "slot": "0a", '
        '"function": "[0-1]"}, "physical_network":"hr_net"}',
        o + "test_device_assignable_regex", devices=[dev])
    raw('{"address":{"domain": ".*", "bus": ".*", "slot": "0a", '
        '"function": "[2-3]"}, "physical_network":"hr_net"}',
        o + "test_device_not_assignable_regex", devices=[dev])
    raw('{"product_id":"0001", "vendor_id":"8086"}',
        o + "test_device_assignable", devices=[dev])


def nova_utils_tests():
    """test_utils.py fakes sysfs; the same files make these hosts."""
    o = U + "GetFunctionByIfnameTestCase."
    # readlink gives '../../../0000.00.00.1', sriov_totalvfs unreadable.
    ds({"devname": "eth0"}, o + "test_virtual_function",
       host={"pci": {"0000.00.00.1": {}}, "net": {"eth0": "0000.00.00.1"}})
    ds({"devname": "eth0"}, o + "test_physical_function",
       host={"pci": {"0000:00:00.1": {"sriov_totalvfs": "4"}},
             "net": {"eth0": "0000:00:00.1"}},
       devices=[{"vendor_id": "8086", "product_id": "1520",
                 "address": "0000:00:10.1", "parent_addr": "0000:00:00.1"},
                {"vendor_id": "8086", "product_id": "1521",
                 "address": "0000:00:00.1"}])
    ds({"devname": "lo"}, o + "test_exception", devices=[DEV_VF])
    ds({"devname": "lo", "remote_managed": "true"}, o + "test_exception")

    o = U + "IsPhysicalFunctionTestCase."
    vf = {"vendor_id": "8086", "product_id": "1520",
          "address": "0000:00:10.1", "parent_addr": "0000:00:00.1"}
    ds({"address": "0000:00:00.1"}, o + "test_virtual_function",
       host={"pci": {"0000:00:00.1": {}}}, devices=[vf])
    ds({"address": "0000:00:00.1"}, o + "test_physical_function",
       host={"pci": {"0000:00:00.1": {"sriov_totalvfs": "4"}}}, devices=[vf])
    ds({"address": "0000:00:00.1"}, o + "test_exception", devices=[vf])

    # The remote_managed check reads sriov_vf_device, vendor and product of
    # the PF that devname names.
    pf = {"sriov_totalvfs": "8", "sriov_vf_device": "101e\n",
          "vendor": "0x15b3\n", "product": "0x101d\n", "device": "0x101d\n"}
    spec = {"devname": "eth0", "remote_managed": "true",
            "vendor_id": "15b3", "product_id": "101e"}
    o = U + "GetProductIDByPfPciAddressTestCase."
    ds(spec, o + "test_sriov_vf_device_read",
       host={"pci": {"0000:0a:00.0": pf}, "net": {"eth0": "0000:0a:00.0"}})
    ds(spec, o + "test_sriov_vf_device_read_value_error",
       host={"pci": {"0000:0a:00.0": dict(pf, sriov_vf_device="")},
             "net": {"eth0": "0000:0a:00.0"}})
    nofile = dict(pf)
    del nofile["sriov_vf_device"]
    ds(spec, o + "test_sriov_vf_device_read_io_error",
       host={"pci": {"0000:0a:00.0": nofile}, "net": {"eth0": "0000:0a:00.0"}})
    o = U + "GetPciIdsByPciAddressTestCase."
    ds(spec, o + "test_get_pci_ids",
       host={"pci": {"0000:0a:00.0": pf}, "net": {"eth0": "0000:0a:00.0"}})
    ds(spec, o + "test_get_pci_ids_value_error_vendor",
       host={"pci": {"0000:0a:00.0": dict(pf, vendor="")},
             "net": {"eth0": "0000:0a:00.0"}})
    ds(spec, o + "test_get_pci_ids_value_error_product",
       host={"pci": {"0000:0a:00.0": dict(pf, product="")},
             "net": {"eth0": "0000:0a:00.0"}})
    novendor = dict(pf)
    del novendor["vendor"]
    ds(spec, o + "test_get_pci_ids_io_error_vendor",
       host={"pci": {"0000:0a:00.0": novendor}, "net": {"eth0": "0000:0a:00.0"}})
    noproduct = dict(pf)
    del noproduct["product"]
    # A real sysfs has no "product" file: Nova then refuses the spec.
    ds(spec, o + "test_get_pci_ids_io_error_product",
       host={"pci": {"0000:0a:00.0": noproduct},
             "net": {"eth0": "0000:0a:00.0"}})


_alias1 = json.dumps({"name": "QuickAssist", "capability_type": "pci",
                      "product_id": "4443", "vendor_id": "8086",
                      "device_type": "type-PCI", "numa_policy": "legacy"})
_alias2 = json.dumps({"name": "IntelNIC", "capability_type": "pci",
                      "product_id": "1111", "vendor_id": "8086",
                      "device_type": "type-PF"})


def nova_request_tests():
    o = R + "PciRequestTestCase."
    alias([_alias1], o + "test_get_alias_from_config_valid")
    alias([_alias1, json.dumps({"name": "QuickAssist", "capability_type": "pci",
                                "product_id": "4444", "vendor_id": "8086",
                                "device_type": "type-PCI"})],
          o + "test_get_alias_from_config_valid_multispec")
    for name, a in (
            ("invalid_device_type", {"name": "xxx", "device_type": "N"}),
            ("device_type_vdpa", {"name": "xxx", "device_type": "vdpa"}),
            ("invalid_product_id", {"name": "xxx", "product_id": "g111"}),
            ("invalid_vendor_id", {"name": "xxx", "vendor_id": "0xg111"}),
            ("invalid_capability_type", {"name": "xxx",
                                         "capability_type": "usb"}),
            ("invalid_numa_policy", {"name": "xxx", "numa_policy": "derp"}),
            ("invalid_arbitrary_field", {"name": "xxx", "foo": "bar"})):
        alias([json.dumps(a)], o + "test_get_alias_from_config_" + name)
    for policy in ("required", "legacy", "preferred", "socket"):
        alias([json.dumps({"name": "xxx", "capability_type": "pci",
                           "product_id": "1111", "vendor_id": "8086",
                           "device_type": "type-PCI", "numa_policy": policy})],
              o + "test_get_alias_from_config_valid_numa_policy")
    alias([json.dumps({"name": "xxx", "capability_type": "pci",
                       "product_id": "1111", "vendor_id": "8086",
                       "device_type": "type-PF"}),
           json.dumps({"name": "xxx", "capability_type": "pci",
                       "product_id": "1111", "vendor_id": "8086",
                       "device_type": "type-PCI"})],
          o + "test_get_alias_from_config_conflicting_device_type")
    alias([json.dumps({"name": "xxx", "capability_type": "pci",
                       "product_id": "1111", "vendor_id": "8086",
                       "numa_policy": "required"}),
           json.dumps({"name": "xxx", "capability_type": "pci",
                       "product_id": "1111", "vendor_id": "8086",
                       "numa_policy": "legacy"})],
          o + "test_get_alias_from_config_conflicting_numa_policy")
    areq([_alias1, _alias2], "QuickAssist : 3, IntelNIC: 1",
         o + "test_translate_alias_to_requests")
    areq([_alias1, _alias2], "QuickAssistX : 3",
         o + "test_translate_alias_to_requests_invalid")
    areq([_alias1, _alias2], "QuickAssist : 3, IntelNIC: 1",
         o + "test_translate_alias_to_requests_affinity_policy")
    areq([_alias1], "QuickAssist:3", o + "test_get_pci_requests_from_flavor")
    areq([_alias1, _alias2], "QuickAssist:3, IntelNIC: 1",
         o + "test_get_pci_requests_from_flavor_multiple")
    alias4 = json.dumps({"name": " Cirrus Logic ", "capability_type": "pci",
                         "product_id": "0ff2", "vendor_id": "10de",
                         "device_type": "type-PCI"})
    areq([_alias2, alias4], " Cirrus Logic : 4, IntelNIC: 3",
         o + "test_get_pci_requests_from_flavor_including_space")
    areq([_alias1, _alias2], "QuickAssist:3, IntelNIC: 1",
         o + "test_get_pci_requests_from_flavor_affinity_policy")


def nova_validator_tests():
    o = V + "TestValidators."
    for p in ("legacy", "required", "preferred", "socket"):
        xs("hw:pci_numa_affinity_policy", p, o + "test_value__str")
    for p in ("lgacy", "requird", "prefrred", "socet"):
        xs("hw:pci_numa_affinity_policy", p, o + "test_value__str")
    # test_spec: names outside any namespace Nova knows are accepted.
    for k, v in (("hhw:cpu_realtime_mask", "^0"), ("w:cpu_realtime_mask", "^0"),
                 ("hw_cpu_realtime_mask", "^0"), ("foo", "bar")):
        xs(k, v, o + "test_spec")


# --- generated cases -------------------------------------------------------

QUIRKY_HEX = [
    "10de", "10DE", "10De", "0x10de", "0X10DE", "0x10DE", "+10de", "-10de",
    "+0x10de", "-0x1", "10_de", "1_0_d_e", "10__de", "_10de", "10de_",
    "0x_10de", "0_x10de", " 10de", "10de ", "\t10de\n", "\u300010de",
    "10de\u2003", "\x1c10de", "10de\x1f", "\u0661\u0660de", "\u06f1\u06f0de",
    "\u0967\u0966de", "\uff11\uff10de", "\uff11\uff10\uff44\uff45",
    "\U0001d7cf\U0001d7ce" + "de", "10d", "010de", "0010de", "0", "00000",
    "ffff", "FFFF", "10000", "fffff", "-1", "-0", "+0", "0x", "0x0", "",
    " ", "*", " * ", "**", "*10de", "10de\x00", "1\u00a00de", "10 de",
    "g10d", "10dg", "1e3", "1.0", "0b101", "0o17", "ffff" * 3,
    "f" * 5000, "1" * 5000, "0" * 5000 + "1", "\u0e51\u0e50de",
    "\u1811\u1810de", "\u07c1\u07c0de", "0x\u0661\u0660de",
]


def gen_hex():
    for h in QUIRKY_HEX:
        ds({"vendor_id": h, "product_id": "2330"}, "generated:quirky-hex-vendor",
           devices=[STANDARD[2]])
        ds({"vendor_id": "10de", "product_id": h}, "generated:quirky-hex-product",
           devices=[STANDARD[2]])
    for v in (4318, 0, 1.5, True, False, None, [], ["10de"], {}, {"a": 1},
              float("nan"), 1e400):
        raw('{"vendor_id": %s}' % _js(v), "generated:wrong-type-vendor")
        raw('{"product_id": %s}' % _js(v), "generated:wrong-type-product")


def _js(v):
    if isinstance(v, float) and v != v:
        return "NaN"
    if v == float("inf"):
        return "Infinity"
    return json.dumps(v)


GLOB_ADDRESSES = [
    "0000:0a:00.5", ":0a:00.", ".5", "0a:00.5", "00.5", "::.", ".", ":", "::",
    ":::", ":::.", "*", "*:*", "*.*", "*:*:*.*", "*:*:*:*.*", "0000:0a:00",
    "0000:0a:00.", "0a:", ":0a", "0000::00.5", " 0000 : 0a : 00 . 5 ",
    "0000:0a:00.5.6", "0000:0a:00.0x5", "0000:0A:00.5", "0000:0a:1f.7",
    "0000:0a:20.0", "ffff:ff:1f.7", "10000:00:00.0", "0000:0a:00.-1",
    "-1:0a:00.0", "0000:0a:00.*", "0000:0a:*.*", "0000:0a:0*.0",
    "0000:0a:00.[0-3]", "0000:\u0660a:00.0", "0000:0a:00.5\n", "0:a:0.5",
    "0000:0a:00.8", "0000:0a:00.7", "0000:0a:00. 5", "0000:0a:00.\u0665",
    "0000:0a:00.0_5", "0x0:0x0a:0x0.0x5", "+0:+a:+0.+5", "0000:0a:00.0:1",
    "000a:0b:0c.0", "000a:0b:0c.*", "0001:ff:1f.7", "0000:41:00.*",
    "0000:41:00.1", "0000:41:*.0", "*:41:00.0", "0000:0a:00.0", "41:00.",
    "\u3000:0a:00.5", "0000:0a:00\u3000.5", "0000:0a:00.\x1c5",
    "0000:0a:00.5" * 3, "0" * 300 + ":0a:00.5",
]


def gen_addresses():
    for a in GLOB_ADDRESSES:
        ds({"address": a}, "generated:glob-address", devices=DEVICES)
    for v in (5, 0, True, False, None, [], [".*"], {}, 1.5, float("nan"), "",
              [[["x"]]]):
        raw('{"address": %s}' % _js(v), "generated:address-type",
            devices=DEVICES)
    # An exact address that is a PF on the host also matches its VFs.
    pf_host = {"pci": {"0000:0a:00.0": {"sriov_totalvfs": "64\n",
                                        "vendor": "0x8086\n",
                                        "device": "0x1572\n"},
                       "000a:0b:0c.0": {"sriov_totalvfs": "0\n"}}}
    for a in ("0000:0a:00.0", "0000:0a:00.*", "*:0a:00.0", "0:a:0.0",
              "0000:0A:00.0", "000a:0b:0c.0"):
        ds({"address": a}, "generated:pf-address", host=pf_host,
           devices=DEVICES)
    for a in ({"domain": "0000", "bus": "0a", "slot": "00", "function": "0"},
              {"domain": "0000", "bus": "0A", "slot": "00", "function": "0"},
              {"domain": "0", "bus": "0a", "slot": "00", "function": "0"},
              {"bus": "0a", "slot": "00", "function": "0"}):
        ds({"address": a}, "generated:pf-address-regex", host=pf_host,
           devices=DEVICES)
    for content in ("abc", "", "-1", "\u0664", " 8 ", "0x8"):
        ds({"address": "0000:0a:00.0"}, "generated:pf-sriov-totalvfs",
           host={"pci": {"0000:0a:00.0": {"sriov_totalvfs": content}}},
           devices=DEVICES)


REGEXES = [
    ".*", "", "0000", "0a", "[0-9a-f]{2}", "0[0-9a]", "[^0]", "0?", "0+",
    "0*", "(0|a)", "(?:0a)", "(?P<bus>0a)", "0a$", "0a\\Z", "^0a", "\\A0a",
    "\\d\\d", "\\w+", "\\s*0", "\\S", "\\D", "\\W", "\\b0a\\b", "\\B",
    "(?i)0A", "(?i:0A)", "(?x) 0 a # bus", "(?x)0 a", "0a|", "|", "0{2}",
    "0{,2}", "0{2,}", "0{1,2}?", "[[:digit:]]", "[]0]", "[^]0]", "[0-]",
    "[-0]", "0\\.", "\\x30", "\\u0030", "\\U00000030", "\\060", "\\0",
    "\\N{DIGIT ZERO}", "(?a)\\w", "(?u)\\w", "(?s).", "(?m)^0", "0(?#c)a",
    "(a)\\1", "(?P<x>0)(?P=x)", "(0)?(?(1)0|a)", "(?=0)0", "(?!1)0",
    "(?<=0)a", "(?<!1)a", "(?>0)", "0*+", "0++", "0?+", "0{1,2}+",
    "0{1001}", "0{1000}", "0{,1001}", "(0{500}){3}", "0{4294967294}",
    "0{4294967295}", "0{99999999999999999999}", "(?u)(?a)0", "(?au)0",
    "(?L)0", "(?t)0", "(?t)0*", "(?i", "(", ")", "[", "]", "*", "+", "?",
    "{1}", "0**", "0*?*", "\\", "0\\", "\\q", "\\8", "[\\8]", "\\x3",
    "[z-a]", "[\\d-z]", "(?P<1>0)", "(?P<0a>0)", "(?P=nope)", "(?<=0*)a",
    "(?<=a|bc)0", "(?(2)a)", "(?(0)a)", "(?(-1)a)", "(?( 1)a)(0)",
    "(?(x)a)", "(?P<\u00e1>0)", "\\N{}", "\\N{EM DASH", "\\N{LATIN SMALL LETTER A}",
    "(?<=(0))\\1", "(?P<x>0)(?P<x>a)", "\u0660", "\\d", "[\u0660-\u0669]",
    "(?x)#", "(?x)[ ]", "0(?i)a", "(?i)(?x)0 a", "0a|(?i)0A", "(?-i:0)",
    "(?i-s:0)", "(?-a:0)", "(?i-i:0)", "(?#", "(?P", "(?P<", "(?Px)",
    "(?<", "(?<x)", "(?", "(?z)", "\\Z0", "^*", "\\b+", "(?=0)*",
    "(" * 100 + ")" * 100, "(" * 2000 + ")" * 2000, "(?:" * 100 + ")" * 100,
    "[" + "0" * 2000 + "]", "0" * 20000, "(0|" * 50 + "a" + ")" * 50,
    "(" * 470 + ")" * 470, "(" * 510 + ")" * 510,
    "\\N{NO SUCH CHARACTER}", "\\N{digit zero}a", "\\N{Digit Zero}",
    "\\N{DIGIT  ZERO}", "\\N{HANGUL SYLLABLE GA}", "\\N{hangul syllable GA}",
    "\\N{CJK UNIFIED IDEOGRAPH-4E00}", "\\N{CJK UNIFIED IDEOGRAPH-4e00}",
    "\\N{LATIN SMALL LETTER A WITH MACRON AND GRAVE}", "\\N{NUL}",
    "\\N{LINE FEED}", "[\\N{DIGIT ZERO}-\\N{DIGIT NINE}]{2}",
    "(?i)\\N{LATIN CAPITAL LETTER A}", "\\N{KELVIN SIGN}", "\\N{EM DASH}",
    "\\N{LATIN CAPITAL LETTER GHA}", "\\N{BYTE ORDER MARK}",
]


def gen_regexes():
    for r in REGEXES:
        ds({"address": {"bus": r}}, "generated:regex-bus", devices=DEVICES)
    for r in (".*", "0a", "(?i)0A", "[0-4]", "\\d", "a\\Z"):
        for field in ("domain", "slot", "function"):
            ds({"address": {field: r}}, "generated:regex-field",
               devices=DEVICES)
    for v in (5, None, True, 1.5, [".*"], {"a": "b"}, float("nan")):
        raw('{"address": {"bus": %s}}' % _js(v), "generated:regex-type")
    ds({"address": {"Domain": "xx", "bus": "0a"}}, "generated:regex-extra-key",
       devices=DEVICES)
    ds({"address": {"func": "[", "bus": "0a"}}, "generated:regex-extra-key",
       devices=DEVICES)
    raw('{"address": {"bus": "0b", "bus": "0a"}}', "generated:regex-dup-key",
        devices=DEVICES)
    raw('{"address": {"bus": "0a", "bus": "["}}', "generated:regex-dup-key")


def gen_devname():
    vf_host = {"pci": {"0000:0a:00.5": {"vendor": "0x8086\n",
                                        "device": "0x154c\n"}},
               "net": {"ens1f0v0": "0000:0a:00.5"}}
    pf_host = {"pci": {"0000:0a:00.0": {"sriov_totalvfs": "64\n"}},
               "net": {"ens1f0": "0000:0a:00.0"}}
    for dn, host in (("eth0", None), ("ens1f0", pf_host), ("ens1f0v0", vf_host),
                     ("ens1f0", vf_host), ("", None), (" ", None),
                     ("ens1f0/..", pf_host), ("../ens1f0", pf_host)):
        ds({"devname": dn}, "generated:devname", host=host, devices=DEVICES)
    for v in (0, None, False, [], {}, 5, True, ["eth0"], {"a": 1}):
        raw('{"devname": %s}' % _js(v), "generated:devname-type",
            devices=DEVICES)
    ds({"devname": "eth0", "address": ""}, "generated:devname-and-address")
    ds({"devname": "", "address": "0000:0a:00.5"},
       "generated:devname-and-address", devices=DEVICES)
    ds({"devname": "eth0", "address": {}}, "generated:devname-and-address")
    ds({"devname": "eth0", "address": "*"}, "generated:devname-and-address")
    ds({"devname": "ens1f0", "remote_managed": "true"},
       "generated:remote-managed-devname", host=pf_host)
    ds({"devname": "ens1f0v0", "remote_managed": "true"},
       "generated:remote-managed-devname", host=vf_host)


def gen_remote_managed():
    for v in ("true", "True", "TRUE ", " yes", "1", "on", "t", "y", "false",
              "no", "0", "maybe", "", "\u3000true", "\x1ctrue", True, False,
              1, 0, 1.0, None, "truee"):
        raw('{"address": "0000:0a:00.0", "remote_managed": %s}' % _js(v),
            "generated:remote-managed-value")
    pf = {"pci": {"0000:0a:00.0": {"sriov_totalvfs": "8",
                                   "sriov_vf_device": "101e\n",
                                   "vendor": "0x15b3\n",
                                   "device": "0x101d\n"}}}
    for spec in ({"address": "0000:0a:00.0"},
                 {"address": "0000:0a:00.0", "product_id": "101e"},
                 {"address": {"domain": "0000", "bus": "0a", "slot": "00",
                              "function": "0"}, "product_id": "101e"},
                 {"address": "0000:0a:00.*", "product_id": "101e"},
                 {"address": "0000:0a:00.1", "product_id": "101e"}):
        ds(dict(spec, remote_managed="true"), "generated:remote-managed-pf",
           host=pf)


TAG_VALUES = ["physnet1", "", None, True, 5, ["a"], {"a": "b"}, "TRUE",
              "yes", "no", "maybe"]


def gen_tags():
    for tag in ("physical_network", "trusted", "resource_class", "traits",
                "managed", "live_migratable", "one_time_use",
                "physical_netwrok", "dev_type", "capability_type", "numa_node",
                "foo", ""):
        for v in TAG_VALUES:
            raw('{"vendor_id": "10de", %s: %s}' % (json.dumps(tag), _js(v)),
                "generated:tag-value", devices=[STANDARD[2]])
    for v in ("true", "false"):
        raw('{"vendor_id": "10de", "one_time_use": "%s"}' % v,
            "generated:one-time-use-conf", conf={"report_in_placement": True})
    raw('{"vendor_id": "10de", "product_id": "2330", "vendor_id": "8086"}',
        "generated:dup-key", devices=DEVICES)
    raw('{"vendor_id": "zzzz", "vendor_id": "10de"}', "generated:dup-key",
        devices=DEVICES)
    raw('{"vendor_id": "10de", "vendor_id": "zzzz"}', "generated:dup-key")
    raw('{"address": "0000:41:00.0", "physical_network": "a", '
        '"physical_network": null}', "generated:dup-key")
    raw('{"devname": "eth0", "devname": ""}', "generated:dup-key",
        devices=DEVICES)


JSON_TEXTS = [
    '', ' ', '{}', '[]', '[{}]', '[{}, {}]', '{"vendor_id": "10de",}',
    "{'vendor_id': '10de'}", '{"vendor_id": "10de"} {"vendor_id": "10de"}',
    '{"vendor_id": "10de"}\n', '\t{"vendor_id": "10de"}\r\n',
    '\u3000{"vendor_id": "10de"}', '\ufeff{"vendor_id": "10de"}',
    '{"vendor_id": "10de"} // comment', '# {"vendor_id": "10de"}',
    '"10de"', '10', 'null', 'true', 'NaN', '[1]', '[[]]', '[null]',
    '[{"vendor_id": "10de"}, 5]', '[{"vendor_id": "zzzz"}, 5]',
    '[5, {"vendor_id": "zzzz"}]', '{"vendor_id": NaN}',
    '{"x": NaN, "y": Infinity, "z": -Infinity}', '{"x": -NaN}',
    '{"x": 1' + '0' * 5000 + '}', '{"x": 1e400}', '{"x": 01}',
    '{"x": .5}', '{"x": 1.}', '{"x": -}', '{"x": "\\q"}', '{"x": "\\u12"}',
    '{"x": "\\ud800"}', '{"x": "\\ud83d\\ude00"}', '{"x": "a\x01b"}',
    '{"x": "a\x7fb"}', '{"vendor_id": "\\u0031\\u0030\\u0064\\u0065"}',
    '{"x": [' * 100 + ']' * 100 + '}', '[' * 5000 + ']' * 5000,
    '[' * 970 + ']' * 970, '[' * 1010 + ']' * 1010,
    '{"x": ' + '[' * 470 + ']' * 470 + '}', '{"x": ' + '[' * 520 + ']' * 520 + '}',
    '{"address": {"bus": ' + '[' * 520 + ']' * 520 + '}}',
    '{"a":' * 3000 + '1' + '}' * 3000, '{"x": tru}', '{"x" "y"}',
    '{"x": "y" "z": 1}', '{x: 1}', '{"x": 1}}', '[{"x": 1}]]',
    '{"vendor_id": "10de", "product_id": "2330", "address": "0000:41:00.0", '
    '"physical_network": null}',
]


def gen_json():
    for t in JSON_TEXTS:
        raw(t, "generated:json", devices=[STANDARD[2]])


def gen_alias():
    ok = {"name": "a100", "vendor_id": "10de", "product_id": "20b5",
          "device_type": "type-PCI"}

    def one(a, rule, **extra):
        alias([json.dumps(a) if not isinstance(a, str) else a],
              "generated:" + rule, **extra)
    one(ok, "alias-valid")
    for k, vals in (
            ("name", ["", " ", "a" * 256, "a" * 257, "\u00e9", "x y", 5, None,
                      True, ["a"], {"a": 1}, 1.5]),
            ("vendor_id", ["10DE", "10de\n", "\u0661\u0660de", "10de ",
                           " 10de", "0x10", "1de", "10dee", "", 4318,
                           None, "\uff11\uff10de", "10d\n\n"]),
            ("product_id", ["20B5", "20b5\n", "*", "", 5]),
            ("device_type", ["type-PCI", "type-PF", "type-VF", "vdpa",
                             "type-pci", "", None, 1]),
            ("numa_policy", ["required", "legacy", "preferred", "socket",
                             "Required", "", None, 0, 1, True, False]),
            ("capability_type", ["pci", "PCI", "usb", "", None]),
            ("resource_class", ["CUSTOM_A100", 5]),
            ("traits", ["CUSTOM_X,CUSTOM_Y"]),
            ("live_migratable", ["true", "yes", "maybe", True]),
            ("foo", ["bar"])):
        for v in vals:
            a = dict(ok)
            a[k] = v
            one(a, "alias-field-" + k)
    a = dict(ok)
    del a["name"]
    one(a, "alias-no-name")
    one({"name": "x"}, "alias-name-only")
    # Several errors at once: which one jsonschema reports.
    for a in ({"name": "", "device_type": 5},
              {"name": 5, "vendor_id": "zz"},
              {"vendor_id": "zz", "foo": 1},
              {"vendor_id": 5},
              {"foo": 1, "bar": 2, "name": 3},
              {"name": "x", "numa_policy": "bad", "device_type": "bad"},
              {"name": "x", "vendor_id": "zz", "product_id": 5},
              {"name": "x", "capability_type": 0},
              {"name": "x", "capability_type": 1, "vendor_id": "zz"},
              {"name": "a" * 300, "vendor_id": "zz"}):
        one(a, "alias-multiple-errors")
    for t in ("", "[]", "[" + json.dumps(ok) + "]", '"a100"', "5", "null",
              "{", '{"name": "a", }', "{'name': 'a'}", '{"name": NaN}',
              '{"name": "a", "name": "b"}', '{"name": 5, "name": "b"}',
              '{"name": "b", "name": 5}', '\ufeff{"name": "a"}',
              '[' * 3000 + ']' * 3000, '[' * 970 + ']' * 970,
              '{"name": "a", "x": [' + '[' * 3000 +
              ']' * 3000 + ']}', '{"name": 1' + '0' * 5000 + '}',
              '{"name": "a", "vendor_id": "\\u0031\\u0030de"}'):
        one(t, "alias-json")
    # Repeated names: OR-merged, or refused.
    dt = {"name": "gpu", "vendor_id": "10de", "product_id": "20b5",
          "device_type": "type-PCI"}
    nodt = {"name": "gpu", "vendor_id": "10de", "product_id": "20b5"}
    pairs = [
        (dt, dict(dt, product_id="20b0")),
        (dt, dict(dt, device_type="type-PF")),
        (dt, dict(nodt)),
        (nodt, dt),
        (nodt, dict(nodt, product_id="20b0")),
        (dict(dt, numa_policy="required"), dt),
        (dict(dt, numa_policy="legacy"), dt),
        (dict(nodt, numa_policy="required"), dict(nodt, numa_policy="preferred")),
        (dt, dict(dt, name=" gpu ")),
        (dt, dict(dt, name="GPU")),
        (dt, dict(dt, name="gpu", device_type="")),
    ]
    for a, b in pairs:
        alias([json.dumps(a), json.dumps(b)], "generated:alias-repeated")
    alias([json.dumps(dt), json.dumps(dict(dt, product_id="20b0")),
           json.dumps(dict(dt, product_id="20b1"))], "generated:alias-repeated")
    alias([json.dumps(dt), json.dumps({"name": "t4", "vendor_id": "10de",
                                       "product_id": "1eb8"}),
           json.dumps(dict(dt, device_type="type-VF"))],
          "generated:alias-repeated")
    alias([], "generated:alias-none")
    alias([json.dumps(ok), "{"], "generated:alias-second-bad")
    alias([json.dumps(dict(ok, name="n%d" % i)) for i in range(30)],
          "generated:alias-many")
    # Matching: does each alias spec select each device's pool?
    pools = [
        {"vendor_id": "10de", "product_id": "20b5", "dev_type": "type-PCI"},
        {"vendor_id": "10de", "product_id": "20b5", "dev_type": "type-PF"},
        {"vendor_id": "10de", "product_id": "20b0", "dev_type": "type-VF"},
        {"vendor_id": "10de", "product_id": "20b5", "dev_type": "type-PCI",
         "capability_type": "pci"},
        {"vendor_id": "10de", "product_id": "20b5", "dev_type": "type-PCI",
         "capability_type": "PCI"},
        {"vendor_id": "10de", "product_id": "20b5", "dev_type": "type-PCI",
         "physical_network": "physnet1"},
    ]
    for a in (ok, dict(ok, vendor_id="10DE"), dict(ok, product_id="20B5"),
              {"name": "a", "vendor_id": "10de"},
              {"name": "a", "device_type": "type-PF"},
              {"name": "a", "capability_type": "pci", "vendor_id": "10de"},
              dict(ok, vendor_id="10de\n"),
              dict(ok, vendor_id="\u0661\u0660de"), {"name": "a"}):
        alias([json.dumps(a)], "generated:alias-match", pools=pools)


ALIAS_REQUESTS = [
    "a:1", "a:1,b:2", " a : 1 ", "a :1, b: 2", "a:01", "a:+1", "a:-1", "a:0",
    "a:1_0", "a:1__0", "a:\u0661", "a:\uff12", "a:1.5", "a:", ":1", "a",
    "a:1:2", "a:1,", ",a:1", "a:1,,b:1", "x:1", "a:1,x:1", "x:1,a:foo",
    "a:foo,x:1", "a:" + "9" * 5000, "a:" + "9" * 4300, "\u3000a\u3000:1",
    "a:1\u3000", "a:\x1c1", "a : 1 , b : 2 ", "a\t:\t2", "a:1 ,b:2",
    "a:1, b:2", "a:1,b :2", "a:\n1", "a b:1", "a,b:1", "a:1,b", "",
    ",", ":", "a:1,a:2", "A:1", "a:0x1", "a:1e3", "a: ", "a:_1", "a:1_",
]


def gen_alias_request():
    aliases = [json.dumps({"name": "a", "vendor_id": "10de",
                           "product_id": "20b5", "device_type": "type-PCI"}),
               json.dumps({"name": "b", "vendor_id": "10de",
                           "product_id": "1eb8"}),
               json.dumps({"name": "a b", "vendor_id": "10de",
                           "product_id": "1eb8"})]
    for r in ALIAS_REQUESTS:
        areq(aliases, r, "generated:alias-request")
        xs("pci_passthrough:alias", r, "generated:extra-spec-alias")


def gen_extra_specs():
    for v in ("required", "legacy", "preferred", "socket", "Required",
              " required", "required ", "", "none", "REQUIRED", "legacy\n"):
        xs("hw:pci_numa_affinity_policy", v, "generated:extra-spec-numa")
    for k in ("pci_passthrough:foo", "pci_passthrough:", "pci_passthrough:alias:x",
              "pci_passthrough:Alias", "PCI_PASSTHROUGH:alias",
              "pci_passthrough_alias", "pci_passthrough", " pci_passthrough:alias",
              "pci_passthrough :alias"):
        xs(k, "a:1", "generated:extra-spec-key")


# --- mutations of valid values ---------------------------------------------

def mutate():
    rnd = random.Random(20240601)
    seeds = [
        '{"vendor_id": "10de", "product_id": "2330", "address": "0000:41:00.0",'
        ' "physical_network": null}',
        '{"address": {"domain": ".*", "bus": "41", "slot": "00", '
        '"function": "[0-1]"}}',
        '[{"vendor_id": "10de", "product_id": "2330"}, '
        '{"address": ":41:00."}]',
        '{"devname": "eth0", "trusted": "true"}',
    ]
    alphabet = list('{}[]":,. *01aAfFxX_-+\\/\t\n') + ["\u0661", "\u3000"]
    seen = set()
    for s in seeds:
        for _ in range(40):
            chars = list(s)
            i = rnd.randrange(len(chars))
            op = rnd.randrange(3)
            if op == 0:
                del chars[i]
            elif op == 1:
                chars.insert(i, rnd.choice(alphabet))
            else:
                chars[i] = rnd.choice(alphabet)
            m = "".join(chars)
            if m in seen:
                continue
            seen.add(m)
            raw(m, "mutated:device-spec-char", devices=DEVICES)
    aseed = json.dumps({"name": "a100", "vendor_id": "10de",
                        "product_id": "20b5", "device_type": "type-PCI",
                        "numa_policy": "preferred"})
    for _ in range(60):
        chars = list(aseed)
        i = rnd.randrange(len(chars))
        op = rnd.randrange(3)
        if op == 0:
            del chars[i]
        elif op == 1:
            chars.insert(i, rnd.choice(alphabet))
        else:
            chars[i] = rnd.choice(alphabet)
        m = "".join(chars)
        if m in seen:
            continue
        seen.add(m)
        alias([m], "mutated:alias-char")


def release_cases():
    """Cases for the rules that changed after Zed, judged by each release's
    own code (releases/cases.jsonl; oracle.py --release)."""
    bools = ["true", "false", "yes", "No", " on ", "1", "0", "t", "maybe",
             "", "truee", True, False, 1, 0, 2, None, 1.5, ["true"]]
    for tag in ("managed", "live_migratable", "one_time_use"):
        for v in bools:
            raw('{"vendor_id": "10de", "product_id": "2330", %s: %s}'
                % (json.dumps(tag), _js(v)), "release:tag-" + tag,
                devices=[STANDARD[2]])
    for v in ("true", "yes", True, "false"):
        raw('{"vendor_id": "10de", "one_time_use": %s}' % _js(v),
            "release:one-time-use-in-placement",
            conf={"report_in_placement": True})
    raw('{"vendor_id": "10de", "managed": "maybe", "one_time_use": "true"}',
        "release:tag-order")
    raw('{"vendor_id": "10de", "one_time_use": "true", "live_migratable": "x"}',
        "release:tag-order")
    raw('{"vendor_id": "zzzz", "managed": "maybe"}', "release:tag-order")
    raw('[{"vendor_id": "10de", "managed": "yes"}, {"managed": "no"}]',
        "release:tag-list")
    raw('{"vendor_id": "10de", "resource_class": "CUSTOM_A100", '
        '"traits": "CUSTOM_X,CUSTOM_Y"}', "release:tag-placement")
    ok = {"name": "a100", "vendor_id": "10de", "product_id": "20b5",
          "device_type": "type-PCI"}
    for extra in ({"resource_class": "CUSTOM_A100"},
                  {"traits": "CUSTOM_X,CUSTOM_Y"},
                  {"resource_class": 5},
                  {"live_migratable": "true"}, {"live_migratable": "yes"},
                  {"live_migratable": "NO"}, {"live_migratable": "maybe"},
                  {"live_migratable": True}, {"live_migratable": ""},
                  {"resource_class": "x", "traits": "y", "live_migratable": "1"}):
        alias([json.dumps(dict(ok, **extra))], "release:alias-field")
    no_ids = [{"name": "a"}, {"name": "a", "vendor_id": "10de"},
              {"name": "a", "product_id": "20b5"},
              {"name": "a", "resource_class": "CUSTOM_A"},
              {"name": "a", "vendor_id": "10de", "resource_class": "CUSTOM_A"}]
    for a in no_ids:
        for pip in (False, True):
            alias([json.dumps(a)], "release:alias-ids",
                  conf={"pci_in_placement": pip})
    alias([json.dumps({"name": "b"}), json.dumps({"name": "a"}),
           json.dumps(ok)], "release:alias-ids")
    two = [json.dumps(ok), json.dumps(dict(ok, product_id="20b0"))]
    for pip in (False, True):
        alias(two, "release:alias-multispec", conf={"pci_in_placement": pip})
        alias(two + [json.dumps(dict(ok, name="t4", product_id="1eb8"))],
              "release:alias-multispec", conf={"pci_in_placement": pip})
    alias([json.dumps({"name": "z"}), json.dumps({"name": "z"})],
          "release:alias-multispec", conf={"pci_in_placement": True})


def main():
    if sys.argv[1:] == ["--releases"]:
        release_cases()
        for c in CASES:
            sys.stdout.write(json.dumps(c, sort_keys=True) + "\n")
        return
    nova_devspec_tests()
    nova_whitelist_tests()
    nova_utils_tests()
    nova_request_tests()
    nova_validator_tests()
    gen_hex()
    gen_addresses()
    gen_regexes()
    gen_devname()
    gen_remote_managed()
    gen_tags()
    gen_json()
    gen_alias()
    gen_alias_request()
    gen_extra_specs()
    mutate()
    ids = set()
    for c in CASES:
        assert c["id"] not in ids, c["id"]
        ids.add(c["id"])
        sys.stdout.write(json.dumps(c, sort_keys=True)
                         + "\n")


if __name__ == "__main__":
    main()
