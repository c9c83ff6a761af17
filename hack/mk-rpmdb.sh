#!/usr/bin/env bash
# Make the RPM databases under hostinfo/testdata/rpmdb/: real rpmdb.sqlite
# files written by rpm itself (Debian's rpm 4.18 package, whose default
# backend is sqlite), holding tiny packages named as RHEL 9 names its
# libvirt and QEMU packages, plus enough filler to give the Packages table
# an interior b-tree page and a header that spills onto overflow pages.
#
# Usage: hack/mk-rpmdb.sh OUTDIR
# Needs: rpm, rpmbuild (Debian: apt-get install rpm), python3 with sqlite3.
# Writes only under OUTDIR and a temporary directory.
#
# OUTDIR/main/rpmdb.sqlite  rpm's database after rpm exited (rpm checkpoints
#                           and truncates the WAL on exit: -wal is empty).
# OUTDIR/wal/rpmdb.sqlite   the same database, with a live
# OUTDIR/wal/rpmdb.sqlite-wal  write-ahead log holding one more committed
#                           transaction: qemu-kvm-core 17:8.2.0-11.el9 removed
#                           and 17:9.0.0-10.el9 added, as an upgrade leaves it.
#                           The main file alone still says 8.2.0.
#                           Made with python3's sqlite3 (wal_autocheckpoint=0),
#                           the files copied while the connection is open.
set -euo pipefail
out=${1:?usage: mk-rpmdb.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export SOURCE_DATE_EPOCH=1700000000
# Debian's rpm warns on every install that Alien is the way to install
# packages on Debian: true, and beside the point for a --justdb database.
quiet() { "$@" 2> >(grep -v -e 'use Alien instead' -e 'assuming you know what you are doing' >&2); }
rpmdefs=(--define "_topdir $work/build" --define "_buildhost gpupass.invalid"
	--define "use_source_date_epoch_as_buildtime 1" --define "_db_backend sqlite"
	--define "__os_install_post %{nil}" --define "_binary_payload w9.gzdio")

# spec NAME EPOCH VERSION RELEASE [DESCRIPTION_BYTES]
spec() {
	local name=$1 epoch=$2 version=$3 release=$4 desc=${5:-40}
	mkdir -p "$work/specs"
	{
		echo "Name: $name"
		[ "$epoch" = - ] || echo "Epoch: $epoch"
		echo "Version: $version"
		echo "Release: $release"
		echo "Summary: gpupass test package $name"
		echo "License: Apache-2.0"
		echo "BuildArch: noarch"
		echo "%description"
		# A description of DESCRIPTION_BYTES bytes, in lines of 64.
		python3 -c "import sys; n=int(sys.argv[1]); s=('gpupass rpmdb test data ' * (n//24+1))[:n]; print('\n'.join(s[i:i+64] for i in range(0, len(s), 64)))" "$desc"
		echo "%files"
	} >"$work/specs/$name-$version.spec"
	rpmbuild "${rpmdefs[@]}" --quiet -bb "$work/specs/$name-$version.spec" >/dev/null
}

spec libvirt-daemon-driver-qemu - 10.0.0 6.el9
spec libvirt-daemon - 10.0.0 6.el9
spec qemu-kvm-core 17 8.2.0 11.el9
spec qemu-kvm-core 17 9.0.0 10.el9
# Filler: 24 packages with a 3000-byte description, each header about 3.5 KB,
# about one per 4096-byte page, so the Packages table needs an interior page.
for i in $(seq -w 1 24); do spec "filler-$i" - 1.0 1 3000; done
# One header of about 24 KB: its cell spills onto a chain of overflow pages.
spec bigheader - 2.0 1 24000

rpms=$work/build/RPMS/noarch
db=$work/db
mkdir -p "$db"
rpm --define "_db_backend sqlite" --dbpath "$db" --initdb
for f in "$rpms"/*.rpm; do
	case $f in *qemu-kvm-core-9.0.0*) continue ;; esac
	quiet rpm --define "_db_backend sqlite" --dbpath "$db" -i --nodeps --justdb --noscripts "$f"
done
rm -rf "$out/main" "$out/wal"
mkdir -p "$out/main" "$out/wal"
cp "$db/rpmdb.sqlite" "$out/main/"

# The upgrade's header, as rpm stores it: install it into a scratch copy and
# take its blob back out.
up=$work/db-upgrade
cp -r "$db" "$up"
quiet rpm --define "_db_backend sqlite" --dbpath "$up" -U --nodeps --justdb --noscripts "$rpms"/qemu-kvm-core-9.0.0*.rpm

python3 - "$db" "$up" "$out/wal" <<'EOF'
import shutil, sqlite3, sys
base, upgraded, dest = sys.argv[1:]
src = sqlite3.connect(f"file:{upgraded}/rpmdb.sqlite?mode=ro", uri=True)
(blob,) = src.execute("SELECT blob FROM Packages ORDER BY hnum DESC LIMIT 1").fetchone()
src.close()
con = sqlite3.connect(f"{base}/rpmdb.sqlite", isolation_level=None)
assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
con.execute("PRAGMA wal_autocheckpoint = 0")
con.execute("BEGIN")
(old,) = con.execute("SELECT hnum FROM Name WHERE key = 'qemu-kvm-core'").fetchone()
for (table,) in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table' AND name != 'Packages'").fetchall():
    columns = [row[1] for row in con.execute(f"PRAGMA table_info('{table}')")]
    if "hnum" in columns:
        con.execute(f"DELETE FROM '{table}' WHERE hnum = ?", (old,))
con.execute("DELETE FROM Packages WHERE hnum = ?", (old,))
cur = con.execute("INSERT INTO Packages(blob) VALUES (?)", (blob,))
con.execute("INSERT INTO Name(key, hnum, idx) VALUES ('qemu-kvm-core', ?, 0)", (cur.lastrowid,))
con.execute("COMMIT")
# The committed transaction is in the WAL only; copy it before close()
# checkpoints it.
shutil.copy(f"{base}/rpmdb.sqlite", f"{dest}/rpmdb.sqlite")
shutil.copy(f"{base}/rpmdb.sqlite-wal", f"{dest}/rpmdb.sqlite-wal")
con.close()
EOF
echo "made $out/main and $out/wal"
