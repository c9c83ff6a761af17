#!/usr/bin/python3
"""Ask Nova itself (python3-nova) whether it can carry an alias name everywhere
gpupass generate writes it.

    nova_names.py CASES.json

CASES.json is a list of {"name": NAME, "conf": FILE}, FILE a nova.conf whose
[pci]alias is the alias as generate writes it. For each case, in order, prints
"ok" or why not, as a JSON list. A name is carried when:

- oslo.config loads FILE and nova.pci.request._get_alias_from_config() (what
  nova-api runs for every server create) reads an alias of exactly NAME: the
  alias schema (1 to 256 characters) takes it, and neither oslo.config's
  $-substitution nor Nova's strip() changes it;
- the flavor extra spec pci_passthrough:alias=NAME:8 passes the API's
  validator (nova.api.validation.extra_specs, microversion 2.86) and
  _translate_alias_to_requests' split gives back NAME and 8;
- the flavor name gpu.NAME.8 passes the flavor API's name schema
  (parameter_types.name: printable, no surrounding space, 1 to 255).
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")


def judge(case):
    import jsonschema
    import nova.conf
    from nova.api.validation import parameter_types, validators as _formats  # noqa: F401 (registers the "name" format)
    from nova.api.validation.extra_specs import validators
    from nova.pci import request

    name = case["name"]
    conf = nova.conf.CONF
    conf.reset()
    try:
        conf(["--config-file", case["conf"]], project="nova", default_config_files=[])
        aliases = request._get_alias_from_config()
    except Exception as e:
        return "nova.conf: %s: %s" % (type(e).__name__, e)
    if list(aliases) != [name]:
        return "nova.conf: Nova reads the alias as %r" % list(aliases)
    spec = "%s:8" % name
    try:
        validators.validate("pci_passthrough:alias", spec)
    except Exception as e:
        return "extra spec: %s: %s" % (type(e).__name__, e)
    try:
        pairs = [s.split(":") for s in spec.split(",")]
        if [(n.strip(), c) for n, c in pairs] != [(name, "8")]:
            return "extra spec: translated as %r" % pairs
    except ValueError as e:
        return "extra spec: %s" % e
    try:
        jsonschema.validate("gpu.%s.8" % name, parameter_types.name,
                            format_checker=jsonschema.FormatChecker())
    except Exception as e:
        return "flavor name: %s: %s" % (type(e).__name__, str(e).splitlines()[0])
    return "ok"


def main():
    cases = json.load(open(sys.argv[1]))
    print(json.dumps([judge(c) for c in cases]))


if __name__ == "__main__":
    main()
