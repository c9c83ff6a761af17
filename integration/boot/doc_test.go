// Package boot holds gpupass's audit to what Nova itself does: for fixture
// hosts and flavors, the audit's verdict (bootable or not, on how many hosts,
// how many more fit) must equal the outcome of booting servers on Nova's own
// functional-test stack — API, conductor, scheduler, a libvirt nova-compute on
// fakelibvirt given the host's PCI functions, CPUs, NUMA nodes and memory, and
// the Placement fixture — of each real release (harness.py, run in a Debian
// chroot holding that release). It also boots, on the same stack, the
// nova.conf and flavors `gpupass generate` writes for each fixture.
//
// The tests run only with GPUPASS_BOOT=1 and GPUPASS_NOVA_CHROOTS naming a
// directory of release chroots (bookworm/, trixie/, sid/); without them they
// skip, naming the variables. See README.md.
package boot
