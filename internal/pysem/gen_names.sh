#!/bin/sh
# Writes names.txt.gz from the Pythons of the release chroots
# (GPUPASS_NOVA_CHROOTS, or /tmp/chroot): see gen_unicode.py.
set -eu
roots=${GPUPASS_NOVA_CHROOTS:-/tmp/chroot}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 gen_unicode.py --aliases > "$tmp/aliases.txt"
for s in bookworm:11 trixie:13 sid:14; do
	d=${s%%:*} v=${s##*:}
	w=$(mktemp -d "$roots/$d/tmp/gen_unicode.XXXXXX")
	cp gen_unicode.py "$tmp/aliases.txt" "$w/"
	chroot "$roots/$d" python3 "${w#"$roots/$d"}/gen_unicode.py" --names-list "${w#"$roots/$d"}/aliases.txt" > "$tmp/names-3.$v.txt"
	rm -rf "$w"
done
python3 gen_unicode.py --names names.txt.gz "$tmp/names-3.11.txt" "$tmp/names-3.13.txt" "$tmp/names-3.14.txt"
