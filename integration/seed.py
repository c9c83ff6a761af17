#!/usr/bin/python3
"""Seed the gpupass lab (.ci/openstack-lab-up.sh) through its APIs.

    seed.py cloud STATE_DIR            flavors, flavor access, resource providers,
                                       inventories, traits and allocations from
                                       integration/expectations.json (idempotent)
    seed.py reports OUTDIR --gpupass BIN
                                       one host report per fleet host with a fixture:
                                       gpupass preflight --root testdata/hosts/FIXTURE
    seed.py bench-flavors STATE_DIR N  N public flavors bench.NNNN, every tenth with a
                                       GPU alias (idempotent: only the missing ones)

Only the standard library: it runs with Debian's /usr/bin/python3 as well as
any other. Every request is retried on connection errors and on 5xx (sqlite
answers "database is locked" now and then), and a create whose retry meets
409 looks the object up instead.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
EXPECTATIONS = os.path.join(HERE, "expectations.json")
PLACEMENT_VERSION = "placement 1.36"  # consumer_generation (1.28), no consumer_type yet (1.38)
USAGE_USER = "gpupass-lab-usage"  # the user id the seeded allocations carry


class APIError(Exception):
    def __init__(self, method, url, status, body):
        super().__init__(f"{method} {url} -> {status}: {body[:300]}")
        self.status = status
        self.body = body


def lab_env(state_dir):
    env = {}
    with open(os.path.join(state_dir, "lab.env")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                env[key] = value
    return env


class Lab:
    """A session with the lab as admin (or another user) and request counts."""

    def __init__(self, state_dir, user="admin", password="secret", project="admin"):
        self.env = lab_env(state_dir)
        self.keystone = self.env["KEYSTONE_URL"]
        self.nova = self.env["NOVA_URL"]
        self.placement = self.env["PLACEMENT_URL"]
        self.requests = 0
        self.token = self._token(user, password, project)

    def _token(self, user, password, project):
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": user, "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": {"name": project, "domain": {"id": "default"}}}}}
        _, headers = self.call("POST", self.keystone + "/auth/tokens", body, token=False)
        return headers["X-Subject-Token"]

    def call(self, method, url, body=None, headers=None, token=True, ok_conflict=False):
        """One API request, retried; returns (decoded body or None, headers)."""
        data = json.dumps(body).encode() if body is not None else None
        hdrs = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            hdrs["X-Auth-Token"] = self.token
        hdrs.update(headers or {})
        last = None
        for attempt in range(10):
            self.requests += 1
            req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
            try:
                with urllib.request.urlopen(req, timeout=60) as resp:
                    raw = resp.read()
                    return (json.loads(raw) if raw else None), resp.headers
            except urllib.error.HTTPError as e:
                text = e.read().decode(errors="replace")
                last = APIError(method, url, e.code, text)
                if e.code == 409 and (ok_conflict or attempt > 0):
                    raise last
                if e.code < 500:
                    raise last
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                last = APIError(method, url, 0, str(e))
            time.sleep(min(0.5 * (attempt + 1), 3))
        raise last

    # Nova
    def compute(self, method, path, body=None, microversion="2.61", **kw):
        return self.call(method, self.nova + path, body,
                         {"OpenStack-API-Version": "compute " + microversion}, **kw)[0]

    def flavors_by_name(self):
        """Every flavor (public and private), by name: one paginated listing."""
        found, url = {}, "/flavors/detail?is_public=None&limit=1000"
        while url:
            page = self.compute("GET", url)
            for f in page["flavors"]:
                found[f["name"]] = f
            url = None
            for link in page.get("flavors_links", []):
                if link.get("rel") == "next":
                    url = link["href"].split("/v2.1", 1)[1]
        return found

    # Placement
    def place(self, method, path, body=None, **kw):
        return self.call(method, self.placement + path, body,
                         {"OpenStack-API-Version": PLACEMENT_VERSION}, **kw)[0]

    # Keystone
    def project_id(self, name):
        found = self.call("GET", f"{self.keystone}/projects?name={name}")[0]["projects"]
        if not found:
            raise SystemExit(f"seed: no project {name!r} in the lab's keystone")
        return found[0]["id"]


def create_flavor(lab, spec, project_ids):
    body = {"flavor": {"name": spec["name"], "vcpus": spec["vcpus"], "ram": spec["ram_mb"],
                       "disk": spec.get("disk_gb", 0),
                       "os-flavor-access:is_public": spec.get("public", True)}}
    try:
        flavor = lab.compute("POST", "/flavors", body, microversion="2.1")["flavor"]
    except APIError as e:
        if e.status != 409:
            raise
        flavor = lab.flavors_by_name()[spec["name"]]
    specs = spec.get("extra_specs") or {}
    if specs:
        # Valid extra specs go through 2.86, where Nova validates them, so a
        # typo in the seed fails here; invalid ones are stored through 2.1.
        mv = spec.get("store_microversion", "2.86")
        if mv == "2.1":
            try:
                lab.compute("POST", f"/flavors/{flavor['id']}/os-extra_specs",
                            {"extra_specs": specs}, microversion="2.86")
            except APIError as e:
                if e.status != 400:
                    raise
            else:
                raise SystemExit(f"seed: nova-api accepted {spec['name']}'s extra specs {specs} "
                                 "at microversion 2.86; they were meant to be invalid")
        lab.compute("POST", f"/flavors/{flavor['id']}/os-extra_specs",
                    {"extra_specs": specs}, microversion=mv)
    for project in spec.get("access", []):
        try:
            lab.compute("POST", f"/flavors/{flavor['id']}/action",
                        {"addTenantAccess": {"tenant": project_ids[project]}},
                        microversion="2.1", ok_conflict=True)
        except APIError as e:
            if e.status != 409:
                raise
    return flavor


def seed_cloud(state_dir):
    with open(EXPECTATIONS) as f:
        cloud = json.load(f)
    lab = Lab(state_dir)
    names = {p for spec in cloud["flavors"] for p in spec.get("access", [])}
    project_ids = {name: lab.project_id(name) for name in names}
    usage_project = lab.env["ADMIN_PROJECT_ID"]

    existing = lab.flavors_by_name()
    created = 0
    for spec in cloud["flavors"]:
        if spec["name"] in existing:
            continue
        create_flavor(lab, spec, project_ids)
        created += 1

    providers = {rp["name"]: rp for rp in lab.place("GET", "/resource_providers")["resource_providers"]}
    custom = sorted({t for host in cloud["fleet"] for t in host.get("traits", []) if t.startswith("CUSTOM_")})
    for trait in custom:
        lab.place("PUT", f"/traits/{trait}")
    made_rps = 0
    for host in cloud["fleet"]:
        rp = providers.get(host["name"])
        if rp is None:
            rp = lab.place("POST", "/resource_providers",
                           {"name": host["name"], "uuid": str(uuid.uuid5(uuid.NAMESPACE_DNS, host["name"]))})
            made_rps += 1
        uid = rp["uuid"]
        inv = lab.place("GET", f"/resource_providers/{uid}/inventories")
        if not inv["inventories"]:
            inventories = {rc: dict(v, min_unit=1, max_unit=v["total"], step_size=1)
                           for rc, v in host["inventory"].items()}
            inv = lab.place("PUT", f"/resource_providers/{uid}/inventories",
                            {"resource_provider_generation": inv["resource_provider_generation"],
                             "inventories": inventories})
        traits = lab.place("GET", f"/resource_providers/{uid}/traits")
        if sorted(traits["traits"]) != sorted(host.get("traits", [])):
            lab.place("PUT", f"/resource_providers/{uid}/traits",
                      {"resource_provider_generation": traits["resource_provider_generation"],
                       "traits": host.get("traits", [])})
        if host.get("usage"):
            # Usages come from allocations: one consumer (a stand-in for the
            # instances running there) per host, with a stable uuid.
            consumer = str(uuid.uuid5(uuid.NAMESPACE_DNS, "usage." + host["name"]))
            have = lab.place("GET", f"/allocations/{consumer}")
            if not have.get("allocations"):
                lab.place("PUT", f"/allocations/{consumer}", {
                    "allocations": {uid: {"resources": host["usage"]}},
                    "project_id": usage_project, "user_id": USAGE_USER,
                    "consumer_generation": None})
    print(json.dumps({"flavors_created": created, "flavors_total": len(cloud["flavors"]),
                      "resource_providers_created": made_rps, "requests": lab.requests}))


def make_reports(outdir, gpupass):
    with open(EXPECTATIONS) as f:
        cloud = json.load(f)
    os.makedirs(outdir, exist_ok=True)
    hosts = os.path.join(REPO, "testdata", "hosts")
    with tempfile.TemporaryDirectory(prefix="gpupass-fixture-") as scratch:
        for host in cloud["fleet"]:
            if "fixture" not in host:
                continue
            root = os.path.join(hosts, host["fixture"])
            edit = host.get("nova_conf_edit")
            if edit:
                # A fleet of identical hosts but for one line: copy the tree and change it.
                copy = os.path.join(scratch, host["name"])
                shutil.copytree(root, copy, symlinks=True)
                path = os.path.join(copy, edit["file"])
                with open(path) as f:
                    text = f.read()
                if edit["from"] not in text:
                    raise SystemExit(f"seed: {edit['from']!r} not in {host['fixture']}/{edit['file']}")
                with open(path, "w") as f:
                    f.write(text.replace(edit["from"], edit["to"]))
                root = copy
            out = os.path.join(outdir, host["name"] + ".json")
            with open(out, "w") as f:
                # exit 1 only means the host has error findings: still a report
                run = subprocess.run([gpupass, "preflight", "--root", root, "--hostname", host["name"],
                                      "--format", "json"], stdout=f, stderr=subprocess.PIPE, text=True)
            if run.returncode not in (0, 1):
                raise SystemExit(f"seed: gpupass preflight --root {root} exited {run.returncode}: {run.stderr}")
            print(out)


def bench_flavors(state_dir, count):
    """count public flavors, one in ten with a GPU alias; the others carry the
    kind of extra specs general-purpose flavors have."""
    lab = Lab(state_dir)
    existing = lab.flavors_by_name()
    made = 0
    start = time.monotonic()
    for i in range(count):
        name = f"bench.{i:04d}"
        if name in existing:
            continue
        gpu = i % 10 == 0
        spec = {"name": name, "vcpus": 4 + i % 29, "ram_mb": 4096 * (1 + i % 16), "disk_gb": 20, "public": True,
                "extra_specs": ({"pci_passthrough:alias": ("h100:1", "a100:1", "h100:2")[i // 10 % 3],
                                 "hw:pci_numa_affinity_policy": "preferred"} if gpu else
                                {"hw:cpu_policy": "shared", "quota:cpu_shares": str(1024 + i)}),
                "store_microversion": "2.86"}
        create_flavor(lab, spec, {})
        made += 1
    print(json.dumps({"bench_flavors_created": made, "bench_flavors": count, "requests": lab.requests,
                      "seconds": round(time.monotonic() - start, 1)}))


def main(argv):
    if len(argv) >= 3 and argv[1] == "cloud":
        seed_cloud(argv[2])
    elif len(argv) == 5 and argv[1] == "reports" and argv[3] == "--gpupass":
        make_reports(argv[2], argv[4])
    elif len(argv) == 4 and argv[1] == "bench-flavors":
        bench_flavors(argv[2], int(argv[3]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
