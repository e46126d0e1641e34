# Sourced by the scripts that build the Linux programs as the Debian
# package ships them (scripts/package-deb) and by those that measure
# them as shipped (scripts/bench-startup, scripts/screenshots), so the
# measured build cannot drift from the shipped one:
#   . scripts/lib/release-build.sh   (from the repository's root, as these run)
#   release_build OUT PACKAGE [LDFLAGS]
#                                    go build PACKAGE into OUT with the flags
#                                    below, and LDFLAGS (package-deb's version
#                                    stamp, scripts/version ldflags)
# Position-independent, full RELRO, fortified C (Debian's hardening), no
# symbol tables, and no build paths in the binary (-trimpath). A benchmark
# builds its baseline with the same function, so both sides of a ratio
# are built alike.
release_build() {
  CGO_CFLAGS="-O2 -g -D_FORTIFY_SOURCE=2" \
    go build -trimpath -buildmode=pie -ldflags "-s -w ${3:-} -extldflags '-Wl,-z,relro,-z,now'" -o "$1" "$2"
}
