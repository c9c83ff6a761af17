#!/usr/bin/env bash
# Start a real Keystone + Placement + Nova API (Debian's packages, sqlite, one
# uwsgi worker each) on 127.0.0.1, for gpupass's integration tests and benchmark.
#
#   .ci/openstack-lab-up.sh [STATE_DIR]     (default /tmp/gpupass-lab)
#
# The first run creates everything under STATE_DIR; a later run with the same
# STATE_DIR only starts the services that are not running (the integration
# suite stops nova-api and placement and brings them back this way). Install
# the packages first with .ci/openstack-lab-install.sh; stop the lab with
# .ci/openstack-lab-down.sh. Modelled on ../shared/recipes/openstack-lab-up.sh.
#
# What STATE_DIR holds afterwards:
#   clouds.yaml     clouds gpupass-admin (admin/secret, project admin),
#                   gpupass-demo (demo/demo-secret, project demo, role member),
#                   gpupass-badpass (admin with a wrong password)
#   api-nova.conf   the nova.conf nova-api runs with ([pci] aliases h100, a100, t4),
#                   for gpupass audit --api-conf
#   lab.env         the endpoints, ports, project ids and service passwords (sourceable)
#   log/NAME.log    each service's own log; log/NAME.out uwsgi's output;
#                   log/NAME.requests one line per HTTP request the service served
#   NAME.pid        the uwsgi master of each service (keystone, placement, nova-api)
#
# Ports: GPUPASS_LAB_KEYSTONE_PORT, GPUPASS_LAB_PLACEMENT_PORT,
# GPUPASS_LAB_NOVA_PORT when set; else the first free ones from 41357, 41778
# and 41774 up (not the recipe's, so both labs can run on one machine).
set -Eeuo pipefail

S=$(realpath -m "${1:-/tmp/gpupass-lab}")
PY=/usr/bin/python3 # Debian's Python: the services' own, whatever python3 is first on PATH
# The service users' passwords are distinctive so that the suite can prove
# they never reach gpupass's output (they are in api-nova.conf).
NOVA_SVC_PASSWORD=nova-svc-pw-5b1e7c
PLACEMENT_SVC_PASSWORD=placement-svc-pw-9d04a2

step=start
initializing=no
fail() { # print what failed and the tail of every log, then exit
  local status=$?
  echo "openstack-lab-up: FAILED at step '$step' (status $status)" >&2
  for f in "$S"/log/*.log "$S"/log/*.out; do
    [ -s "$f" ] || continue
    echo "----- tail of $f" >&2
    tail -n 25 "$f" >&2
  done
  if [ "$initializing" = yes ]; then # a half-made lab is of no use: stop what it started
    [ -z "${dbsync-}" ] || kill "$dbsync" 2>/dev/null || true
    "$(dirname "$0")/openstack-lab-down.sh" "$S" >&2 || true
  fi
  exit 1
}
trap fail ERR

for tool in keystone-manage nova-manage placement-manage uwsgi curl $PY; do
  command -v "$tool" >/dev/null || { echo "openstack-lab-up: $tool not found: run .ci/openstack-lab-install.sh first" >&2; exit 1; }
done

# retry N CMD...: re-run CMD while sqlite reports "database is locked"
# (oslo.db's sqlite has no busy timeout; two writers collide now and then).
manage_log=manage.log
retry() {
  local tries=$1 i out; shift
  for i in $(seq "$tries"); do
    if out=$("$@" 2>&1); then [ -z "$out" ] || echo "$out" >>"$S/log/$manage_log"; return 0; fi
    echo "$out" >>"$S/log/$manage_log"
    case $out in
      *"database is locked"*) echo "  retry $i/$tries: database is locked ($1)" >&2; sleep 1 ;;
      *) echo "$out" | tail -n 20 >&2; return 1 ;;
    esac
  done
  return 1
}

alive() { [ -f "$S/$1.pid" ] && kill -0 "$(cat "$S/$1.pid")" 2>/dev/null; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# serve NAME PORT WSGI-SCRIPT VAR=VALUE...: one single-threaded uwsgi worker
# on loopback, in its own session (it outlives the shell that started it;
# openstack-lab-down.sh stops it by its pid). --need-app: exit if the
# application cannot be loaded instead of answering every request with 500.
# "Connection: close": uwsgi's --http-socket closes the connection after each
# response without saying so, and a client that pools connections (keystoneauth
# in nova-api's and placement's auth middleware, the OpenStack CLI) now and then
# reuses one uwsgi has just closed: RemoteDisconnected, "The Keystone service is
# temporarily unavailable" (503). Saying it lets every client open a new one.
serve() {
  local name=$1 port=$2 script=$3; shift 3
  if alive "$name"; then return 0; fi
  if port_busy "$port"; then
    echo "openstack-lab-up: port $port (for $name) is already taken by another program" >&2
    return 1
  fi
  setsid sh -c 'echo $$ >"$0"; exec "$@"' "$S/$name.pid" \
    env "$@" uwsgi --plugin python3 --plugin logfile --http-socket "127.0.0.1:$port" \
    --wsgi-file "$script" --master --processes 1 --threads 1 --die-on-term --lazy-apps \
    --need-app --buffer-size 65535 --procname-prefix "gpupass-lab-" --add-header "Connection: close" \
    --req-logger "file:$S/log/$name.requests" \
    --log-format '%(method) %(uri) %(status) %(msecs)ms' \
    </dev/null >>"$S/log/$name.out" 2>&1 &
  for _ in $(seq 20); do [ -s "$S/$name.pid" ] && break; sleep 0.05; done
}

# wait_http NAME URL [SECONDS]: until URL answers (any HTTP status below 500).
wait_http() {
  local name=$1 url=$2 secs=${3:-90} code deadline=$((SECONDS + ${3:-90}))
  while [ $SECONDS -lt $deadline ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" || true)
    case $code in [1-4]??) return 0 ;; esac
    if ! alive "$name"; then
      echo "openstack-lab-up: $name exited while starting" >&2
      return 1
    fi
    sleep 0.3
  done
  echo "openstack-lab-up: $name did not answer on $url within ${secs}s" >&2
  return 1
}

start_all() {
  step="start keystone"
  serve keystone "$KS_PORT" /usr/bin/keystone-wsgi-public OS_KEYSTONE_CONFIG_DIR="$S/etc"
  wait_http keystone "$KS/v3" 60
  step="start placement"
  serve placement "$PL_PORT" /usr/bin/placement-api OS_PLACEMENT_CONFIG_DIR="$S/etc"
  step="start nova-api"
  serve nova-api "$NOVA_PORT" /usr/bin/nova-api-wsgi OS_NOVA_CONFIG_DIR="$S/etc"
  step="wait for placement"
  wait_http placement "$PL/" 90
  step="wait for nova-api"
  wait_http nova-api "$NOVA/" 120
}

# Ports: those of lab.env for a lab made before; else those given; else the
# first free one from each default up (another lab, the recipe's or a
# colleague's, may hold the defaults on a shared machine).
choose_port() { # VAR ENV-VAR DEFAULT: VAR=$ENV-VAR if set, else the first free port from DEFAULT up
  local p
  if [ -n "${!2-}" ]; then printf -v "$1" %s "${!2}"; taken+=("${!2}"); return 0; fi
  for p in $(seq "$3" $(($3 + 99))); do
    case " ${taken[*]-} " in *" $p "*) continue ;; esac
    if ! port_busy "$p"; then printf -v "$1" %s "$p"; taken+=("$p"); return 0; fi
  done
  echo "openstack-lab-up: no free port in $3-$(($3 + 99))" >&2
  return 1
}
taken=()
if [ -f "$S/.initialized" ]; then
  KS_PORT=$(sed -n 's/^KEYSTONE_PORT=//p' "$S/lab.env")
  PL_PORT=$(sed -n 's/^PLACEMENT_PORT=//p' "$S/lab.env")
  NOVA_PORT=$(sed -n 's/^NOVA_PORT=//p' "$S/lab.env")
else
  choose_port KS_PORT GPUPASS_LAB_KEYSTONE_PORT 41357
  choose_port PL_PORT GPUPASS_LAB_PLACEMENT_PORT 41778
  choose_port NOVA_PORT GPUPASS_LAB_NOVA_PORT 41774
fi
KS=http://127.0.0.1:$KS_PORT
PL=http://127.0.0.1:$PL_PORT
NOVA=http://127.0.0.1:$NOVA_PORT

if [ -f "$S/.initialized" ]; then
  start_all
  echo "openstack-lab-up: running ($S)"
  exit 0
fi

# A STATE_DIR is ours only if it is new, empty, or marked by an earlier
# (failed) run of this script: its contents are then started afresh.
if [ -d "$S" ] && [ -n "$(ls -A "$S")" ] && [ ! -f "$S/.gpupass-lab" ]; then
  echo "openstack-lab-up: $S exists and is not a gpupass lab; give an empty or new directory" >&2
  exit 1
fi
for name in keystone placement nova-api; do
  if alive "$name"; then echo "openstack-lab-up: $name from an earlier run is still running: run .ci/openstack-lab-down.sh $S" >&2; exit 1; fi
done
rm -rf "$S"/{etc,log,fernet,cred,lock,tmp} "$S"/*.db "$S"/*.pid
mkdir -p "$S"/{etc,log,fernet,cred,lock,tmp}
touch "$S/.gpupass-lab"
chmod 700 "$S" "$S/fernet" "$S/cred"
initializing=yes

step="keystone config"
cat >"$S/etc/keystone.conf" <<C
[DEFAULT]
log_file = $S/log/keystone.log
[database]
connection = sqlite:///$S/keystone.db
sqlite_synchronous = false
[token]
provider = fernet
[fernet_tokens]
key_repository = $S/fernet
[credential]
key_repository = $S/cred
[catalog]
# templated: the SQL catalog deadlocks on sqlite when services are created
driver = templated
template_file = $S/etc/catalog.templates
C
{
  for iface in publicURL internalURL adminURL; do
    echo "catalog.RegionOne.identity.$iface = $KS/v3"
    echo "catalog.RegionOne.compute.$iface = $NOVA/v2.1"
    echo "catalog.RegionOne.placement.$iface = $PL"
  done
  echo "catalog.RegionOne.identity.name = keystone"
  echo "catalog.RegionOne.compute.name = nova"
  echo "catalog.RegionOne.placement.name = placement"
} >"$S/etc/catalog.templates"
authtoken() { cat <<A
[keystone_authtoken]
www_authenticate_uri = $KS/v3
auth_url = $KS/v3
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $2
A
}

step="placement config"
cat >"$S/etc/placement.conf" <<C
[DEFAULT]
log_file = $S/log/placement.log
[placement_database]
connection = sqlite:///$S/placement.db
sqlite_synchronous = false
[api]
auth_strategy = keystone
$(authtoken placement "$PLACEMENT_SVC_PASSWORD")
C

step="nova config"
# The API node's nova.conf: the [pci] aliases are what a flavor's
# pci_passthrough:alias is resolved against (nova-api builds the PCI request).
cat >"$S/etc/nova.conf" <<C
[DEFAULT]
log_file = $S/log/nova-api.log
transport_url = fake:/
[api]
auth_strategy = keystone
[api_database]
connection = sqlite:///$S/nova_api.db
sqlite_synchronous = false
[database]
connection = sqlite:///$S/nova.db
sqlite_synchronous = false
[placement]
auth_url = $KS/v3
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = placement
password = $PLACEMENT_SVC_PASSWORD
region_name = RegionOne
$(authtoken nova "$NOVA_SVC_PASSWORD")
[oslo_concurrency]
lock_path = $S/lock
[filter_scheduler]
enabled_filters = ComputeFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter,ServerGroupAntiAffinityFilter,ServerGroupAffinityFilter,PciPassthroughFilter,NUMATopologyFilter
[pci]
alias = {"name": "h100", "vendor_id": "10de", "product_id": "2330", "device_type": "type-PCI"}
alias = {"name": "a100", "vendor_id": "10de", "product_id": "20b2", "device_type": "type-PF"}
alias = {"name": "t4", "vendor_id": "10de", "product_id": "1eb8"}
C
cp /etc/nova/api-paste.ini "$S/etc/" # nova-api-wsgi reads it from its config dir
install -m 600 "$S/etc/nova.conf" "$S/api-nova.conf"

# Placement's and Nova's databases (12 s of nova-manage) are made in the
# background while Keystone's are (9 s): separate sqlite files, two cores.
step="placement and nova db sync (background)"
NCONF=(--config-file "$S/etc/nova.conf")
(
  trap - ERR
  set +E
  manage_log=manage-nova.log
  retry 5 placement-manage --config-file "$S/etc/placement.conf" db sync
  retry 5 nova-manage "${NCONF[@]}" api_db sync
  retry 5 nova-manage "${NCONF[@]}" cell_v2 map_cell0 --database_connection "sqlite:///$S/nova_cell0.db"
  retry 5 nova-manage "${NCONF[@]}" cell_v2 create_cell --name cell1 --database_connection "sqlite:///$S/nova.db" --transport-url fake:/
  retry 5 nova-manage "${NCONF[@]}" db sync
) >"$S/log/db-sync.out" 2>&1 &
dbsync=$!

KCONF=(--config-file "$S/etc/keystone.conf")
step="keystone-manage db_sync"
retry 5 keystone-manage "${KCONF[@]}" db_sync
step="keystone-manage fernet_setup"
retry 5 keystone-manage "${KCONF[@]}" fernet_setup --keystone-user root --keystone-group root
retry 5 keystone-manage "${KCONF[@]}" credential_setup --keystone-user root --keystone-group root
step="keystone-manage bootstrap"
retry 5 keystone-manage "${KCONF[@]}" bootstrap --bootstrap-password secret \
  --bootstrap-project-name admin --bootstrap-username admin --bootstrap-role-name admin \
  --bootstrap-region-id RegionOne

step="start keystone"
serve keystone "$KS_PORT" /usr/bin/keystone-wsgi-public OS_KEYSTONE_CONFIG_DIR="$S/etc"
wait_http keystone "$KS/v3" 60

# Identity objects through Keystone's API (curl is much faster than one
# openstack CLI process per object). Each call is retried on 5xx:
# keystone on sqlite answers "database is locked" with a 500 now and then.
step="keystone: admin token"
ks() { # METHOD PATH [JSON] -> body on stdout
  local method=$1 path=$2 data=${3-} code i
  for i in $(seq 8); do
    code=$(curl -s -o "$S/tmp/ks.body" -w '%{http_code}' --max-time 30 -X "$method" \
      -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/json' \
      ${data:+--data "$data"} "$KS/v3$path" || echo 000)
    case $code in
      2??) cat "$S/tmp/ks.body"; return 0 ;;
      5??|000) echo "  retry $i: $method $path -> $code $(head -c 200 "$S/tmp/ks.body" 2>/dev/null)" >&2; sleep 1 ;;
      *) echo "keystone: $method $path -> $code: $(cat "$S/tmp/ks.body")" >&2; return 1 ;;
    esac
  done
  return 1
}
jfield() { $PY -c 'import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[int(k)] if isinstance(d,list) else d[k]
print(d)' "$1"; }
TOKEN=
for i in $(seq 8); do
  TOKEN=$(curl -s -D - -o /dev/null --max-time 30 -H 'Content-Type: application/json' --data \
    '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":"secret"}}},"scope":{"project":{"name":"admin","domain":{"id":"default"}}}}}' \
    "$KS/v3/auth/tokens" | tr -d '\r' | awk 'tolower($1)=="x-subject-token:"{print $2}') || true
  [ -n "$TOKEN" ] && break
  sleep 1
done
[ -n "$TOKEN" ]
ensure_project() { # NAME -> id
  local id
  id=$(ks GET "/projects?name=$1" | jfield projects.0.id 2>/dev/null) && { echo "$id"; return; }
  ks POST /projects "{\"project\":{\"name\":\"$1\",\"domain_id\":\"default\",\"description\":\"gpupass lab\"}}" | jfield project.id
}
ensure_user() { # NAME PASSWORD PROJECT-ID -> id
  local id
  id=$(ks GET "/users?name=$1" | jfield users.0.id 2>/dev/null) && { echo "$id"; return; }
  ks POST /users "{\"user\":{\"name\":\"$1\",\"domain_id\":\"default\",\"password\":\"$2\",\"default_project_id\":\"$3\"}}" | jfield user.id
}
role_id() { ks GET "/roles?name=$1" | jfield roles.0.id; }
step="keystone: projects, users, roles"
ADMIN_ROLE=$(role_id admin)
MEMBER_ROLE=$(role_id member)
ADMIN_PROJECT=$(ensure_project admin)
SERVICE_PROJECT=$(ensure_project service)
DEMO_PROJECT=$(ensure_project demo)
PARTNER_PROJECT=$(ensure_project partner) # only in a private flavor's access list
NOVA_USER=$(ensure_user nova "$NOVA_SVC_PASSWORD" "$SERVICE_PROJECT")
PLACEMENT_USER=$(ensure_user placement "$PLACEMENT_SVC_PASSWORD" "$SERVICE_PROJECT")
DEMO_USER=$(ensure_user demo demo-secret "$DEMO_PROJECT")
ks PUT "/projects/$SERVICE_PROJECT/users/$NOVA_USER/roles/$ADMIN_ROLE" >/dev/null
ks PUT "/projects/$SERVICE_PROJECT/users/$PLACEMENT_USER/roles/$ADMIN_ROLE" >/dev/null
ks PUT "/projects/$DEMO_PROJECT/users/$DEMO_USER/roles/$MEMBER_ROLE" >/dev/null

step="placement and nova db sync"
wait "$dbsync" || { echo "placement-manage / nova-manage failed:" >&2; cat "$S/log/db-sync.out" >&2; false; }

start_all

step="smoke test: an authenticated request to nova-api and placement"
smoke() { # NAME URL: 200 within a few tries (each service's auth middleware
  # fetches its own token from keystone on the first request)
  local code i
  for i in 1 2 3 4 5; do
    code=$(curl -s -o "$S/tmp/smoke" -w '%{http_code}' --max-time 30 -H "X-Auth-Token: $TOKEN" "$2" || echo 000)
    [ "$code" = 200 ] && return 0
    sleep 1
  done
  echo "$1: GET $2 -> $code: $(head -c 400 "$S/tmp/smoke")" >&2
  return 1
}
smoke nova-api "$NOVA/v2.1/flavors"
smoke placement "$PL/resource_providers"

step="clouds.yaml"
cloud() { # NAME USER PASSWORD PROJECT
  cat <<Y
  $1:
    auth:
      auth_url: $KS/v3
      username: $2
      password: $3
      project_name: $4
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    identity_api_version: 3
    interface: public
Y
}
{
  echo "clouds:"
  cloud gpupass-admin admin secret admin
  cloud gpupass-demo demo demo-secret demo
  cloud gpupass-badpass admin wrong-password-3f9c admin
} >"$S/clouds.yaml"
chmod 600 "$S/clouds.yaml"

cat >"$S/lab.env" <<E
# gpupass lab: source this file (written by .ci/openstack-lab-up.sh)
GPUPASS_LAB=$S
OS_CLIENT_CONFIG_FILE=$S/clouds.yaml
KEYSTONE_URL=$KS/v3
NOVA_URL=$NOVA/v2.1
PLACEMENT_URL=$PL
KEYSTONE_PORT=$KS_PORT
NOVA_PORT=$NOVA_PORT
PLACEMENT_PORT=$PL_PORT
ADMIN_PROJECT_ID=$ADMIN_PROJECT
DEMO_PROJECT_ID=$DEMO_PROJECT
PARTNER_PROJECT_ID=$PARTNER_PROJECT
SERVICE_PROJECT_ID=$SERVICE_PROJECT
NOVA_SVC_PASSWORD=$NOVA_SVC_PASSWORD
PLACEMENT_SVC_PASSWORD=$PLACEMENT_SVC_PASSWORD
E
touch "$S/.initialized"
echo "openstack-lab-up: running ($S): keystone $KS, placement $PL, nova-api $NOVA"
