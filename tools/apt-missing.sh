# Sourced by the tools/ensure-*.sh scripts: install_missing PKG... installs Debian packages that a
# test needs, as root with apt-get; otherwise it says how and returns 1.

install_missing() {
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "missing: $*" >&2
        echo "install as root (Debian/Ubuntu): apt-get install -y --no-install-recommends $*" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Another apt run may hold the lock for a while; wait for it rather than fail.
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@"
}
