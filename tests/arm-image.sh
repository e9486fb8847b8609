#!/bin/sh
# arm-image.sh ROOT OUT: from a Debian root with a kernel (tests/arm64-root.sh)
# makes what qemu-system boots: OUT.vmlinuz, OUT.initrd (busybox and the
# virtio and ext4 modules, ~2 MB: Debian's initramfs step takes minutes
# under qemu-user) and OUT.img (ext4, mkfs.ext4 -d, no loop mount needed).
set -eu
root=$1 out=$2
kver=$(ls "$root/lib/modules" | sort -V | tail -n 1)
[ -n "$kver" ] || { echo "arm-image: no kernel in $root" >&2; exit 1; }
moddir=$root/lib/modules/$kver
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The modules a -M virt guest needs for its root disk, with their
# dependencies first (modules.dep), unless built in.
deps_of() { # MODULE-NAME -> its path and its dependencies' paths, deepest first
	awk -v m="$1" -F': *' '{
		n = $1; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n); gsub(/-/, "_", n)
		if (n == m) { print $2; print $1 }
	}' "$moddir/modules.dep" | tr ' ' '\n' | grep . || true
}
mods=
for m in virtio_mmio virtio_pci virtio_blk crc32c_generic ext4; do
	for d in $(deps_of "$m"); do
		case " $mods " in *" $d "*) ;; *) mods="$mods $d" ;; esac
	done
done
# deps_of lists a module's direct dependencies before it; reorder so every
# module comes after all of its own (at most a few rounds).
ordered=
for _ in 1 2 3 4 5 6; do
	for d in $mods; do
		case " $ordered " in *" $d "*) continue ;; esac
		ready=1
		for dep in $(awk -v p="$d" -F': *' '$1 == p { print $2 }' "$moddir/modules.dep"); do
			case " $ordered " in *" $dep "*) ;; *) ready= ;; esac
		done
		[ -n "$ready" ] && ordered="$ordered $d"
	done
done

mkdir -p "$tmp/bin" "$tmp/mod" "$tmp/proc" "$tmp/dev" "$tmp/sys" "$tmp/newroot"
cp "$root/bin/busybox" "$tmp/bin/busybox"
: > "$tmp/modules"
for d in $ordered; do
	f=$(basename "$d")
	case $f in
	*.xz) xz -dc "$moddir/$d" > "$tmp/mod/${f%.xz}"; f=${f%.xz} ;;
	*.zst) zstd -qdc "$moddir/$d" > "$tmp/mod/${f%.zst}"; f=${f%.zst} ;;
	*) cp "$moddir/$d" "$tmp/mod/$f" ;;
	esac
	echo "$f" >> "$tmp/modules"
done
cat > "$tmp/init" << 'EOF'
#!/bin/busybox sh
# Loads the disk modules, mounts /dev/vda as the root and /dev/vdb on /src,
# and hands over to the command line's boxwrap.init= (the test script) as PID 1.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
for m in $(cat /modules); do insmod "/mod/$m" 2> /dev/null; done
init=/sbin/init
for a in $(cat /proc/cmdline); do case $a in boxwrap.init=*) init=${a#boxwrap.init=} ;; esac; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
mount -t ext4 /dev/vda /newroot || { echo "initramfs: cannot mount /dev/vda"; ls /dev; poweroff -f; }
# A second disk is the tree under test.
[ -b /dev/vdb ] && mount -t ext4 /dev/vdb /newroot/src
mount --move /dev /newroot/dev
umount /proc
exec switch_root /newroot /bin/sh "$init"
EOF
chmod 755 "$tmp/init"
(cd "$tmp" && find . | sed "s,^\./,," | grep -v "^\.$" |
	cpio --quiet -o -H newc) | gzip -1 > "$out.initrd.new"
cp "$root/boot/vmlinuz-$kver" "$out.vmlinuz.new"

# Room for the tests' scratch files on top of the root's size.
size=$(du -sm "$root" | cut -f1)
rm -f "$out.img.new"
mkfs.ext4 -q -F -L arm-root -d "$root" "$out.img.new" "$((size + size / 4 + 256))M"
mv "$out.img.new" "$out.img"
mv "$out.initrd.new" "$out.initrd"
mv "$out.vmlinuz.new" "$out.vmlinuz"
echo "arm-image: $out.img ($((size + size / 4 + 256)) MB), kernel $kver, initramfs modules:$(sed 's/\.ko$//' "$tmp/modules" | tr '\n' ' ')"
