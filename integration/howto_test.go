package integration

// howToRun is what a skipped run of the suite says.
const howToRun = `integration suite not run: it needs a real Keystone + Nova API + Placement. From the repository root:
    .ci/openstack-lab-install.sh                 # Debian packages, once (as root)
    .ci/openstack-lab-up.sh /tmp/gpupass-lab     # about 30 s
    GPUPASS_LAB=/tmp/gpupass-lab go test -tags integration -count=1 ./integration
    .ci/openstack-lab-down.sh /tmp/gpupass-lab`
