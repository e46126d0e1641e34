# Sourced by the scripts that run Windows programs under Wine
# (scripts/wine-test, scripts/screenshots --windows):
#   . scripts/wine/prefix.sh   (from the repository's root, as these run)
#   wine_tools NAME          sets WINE, WINESERVER and WINE_CC, or exits 3 with a hint
#   wine_prefix DIR LOG      a fresh win64 prefix in DIR (wineboot's output in LOG),
#                            with the ProcessPrng stand-in in its system32
#   wine_stop                stops the prefix's wineserver (and every program in it)
# Wine 8.0 lacks bcryptprimitives.dll's ProcessPrng, which Go since 1.22
# needs: scripts/wine/bcryptprimitives.c is built into the prefix's
# system32 — test equipment, never shipped (DESIGN.md, "Windows under Wine").

wine_tools() { # wine_tools NAME: NAME is the calling script, for its messages
  WINE_CC=x86_64-w64-mingw32-gcc
  WINE=$(command -v wine64 || echo /usr/lib/wine/wine64)
  WINESERVER=$(command -v wineserver || echo /usr/lib/wine/wineserver)
  for tool in "$WINE_CC" "$WINE" "$WINESERVER"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "$1: error: $tool not found" >&2
      echo "$1: hint: apt-get install wine64 gcc-mingw-w64-x86-64 (or run scripts/setup-debian)" >&2
      exit 3
    fi
  done
}

wine_prefix() { # wine_prefix DIR LOG
  export WINEPREFIX="$1" WINEARCH=win64 WINEDEBUG=-all
  # No Mono or Gecko: nothing here needs .NET or a browser engine, and
  # without the override wineboot offers to download them.
  export WINEDLLOVERRIDES="mscoree,mshtml="
  "$WINE" wineboot -i >"$2" 2>&1
  "$WINESERVER" -w
  "$WINE_CC" -shared -O2 -s -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    scripts/wine/bcryptprimitives.c -ladvapi32
}

wine_stop() {
  [ -n "${WINEPREFIX:-}" ] || return 0
  "$WINESERVER" -k >/dev/null 2>&1 || true
}
