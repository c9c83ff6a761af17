#!/usr/bin/python3
"""Ask Nova itself (python3-nova) whether it accepts what gpupass generate wrote.

    nova_accepts.py CASES.json

CASES.json is a list of {"id", "compute": FILE, "api": FILE, "flavors": [{"name",
"extra_specs": [[key, value], ...]}]}; one Nova import serves them all.

Loads each nova.conf with oslo.config as nova-compute and nova-api do, then
parses [pci]device_spec with nova.pci.whitelist.Whitelist (what the compute
node runs at start) and [pci]alias with nova.pci.request._get_alias_from_config
(what nova-api runs for every server create), and validates every flavor extra
spec with nova.api.validation.extra_specs.validators.validate (what the API
runs on flavor-set from microversion 2.86). Prints a JSON object, by case id:
{"compute": "ok" | error, "compute_aliases": [...], "api": ..., "enabled_filters": [...],
 "flavors": {name: "ok" | error}}.
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")


def load(path):
    import nova.conf
    from nova.pci import request, whitelist

    conf = nova.conf.CONF
    conf.reset()
    conf(["--config-file", path], project="nova", default_config_files=[])
    whitelist.Whitelist(conf.pci.device_spec)
    aliases = request._get_alias_from_config()
    return conf, aliases


def judge(case):
    out = {}
    for role in ("compute", "api"):
        try:
            conf, aliases = load(case[role])
            out[role] = "ok"
            out[role + "_aliases"] = sorted(aliases)
            if role == "api":
                out["enabled_filters"] = list(conf.filter_scheduler.enabled_filters)
        except Exception as e:  # what Nova raises is the verdict
            out[role] = "%s: %s" % (type(e).__name__, e)
    from nova.api.validation.extra_specs import validators

    out["flavors"] = {}
    for f in case["flavors"]:
        verdict = "ok"
        for key, value in f["extra_specs"]:
            try:
                validators.validate(key, value)
            except Exception as e:
                verdict = "%s=%s: %s: %s" % (key, value, type(e).__name__, e)
                break
        out["flavors"][f["name"]] = verdict
    return out


def main():
    cases = json.load(open(sys.argv[1]))
    print(json.dumps({c["id"]: judge(c) for c in cases}, sort_keys=True))


if __name__ == "__main__":
    main()
