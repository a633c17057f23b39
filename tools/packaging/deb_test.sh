#!/bin/sh
# Makes the .deb (cpack, without rebuilding the project), unpacks it with
# dpkg -x into a scratch folder and runs the programs installed there: they
# must find their resources in that folder, not in the source tree.
#
#   deb_test.sh BUILD_DIR WORK_DIR
#
# Exits 77 (ctest SKIP_RETURN_CODE) when dpkg-deb is missing.
set -eu
build=$1
work=$2
if ! command -v dpkg-deb >/dev/null 2>&1; then
    echo "SKIPPED: dpkg-deb is not installed"
    exit 77
fi
rm -rf "$work"
mkdir -p "$work/root"
# The project skips install's dependency on "all": cpack installs what is built.
(cd "$build" && cpack -G DEB -B "$work") >"$work/cpack.log" 2>&1 || {
    cat "$work/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb=$(ls "$work"/*.deb | head -n 1)
echo "package: $deb"
dpkg-deb --info "$deb" | sed -n '1,20p'
dpkg -x "$deb" "$work/root"
root="$work/root/usr"
fail=0
for f in bin/rnnpool bin/rnnpool-studio share/applications/org.rnnpool.studio.desktop \
         share/metainfo/org.rnnpool.studio.metainfo.xml share/icons/hicolor/scalable/apps/org.rnnpool.studio.svg \
         share/man/man1/rnnpool.1 share/man/man1/rnnpool-studio.1 \
         share/rnnpool-studio/models/rnnpool_face_m4.safetensors share/rnnpool-studio/architectures/rpool_face_m4.json; do
    if [ ! -e "$root/$f" ]; then
        echo "FAIL: the package has no $f"
        fail=1
    fi
done
unset RNNPOOL_RESOURCE_DIR
version=$("$root/bin/rnnpool" --version)
case "$version" in
    "rnnpool "[0-9]*) echo "installed rnnpool --version: $version" ;;
    *) echo "FAIL: rnnpool --version printed '$version'"; fail=1 ;;
esac
# The default model comes from the unpacked folder.
weights=$("$root/bin/rnnpool" info | sed -n 's/^weights: //p')
case "$weights" in
    "$root/share/rnnpool-studio/models/"*) echo "default model: $weights" ;;
    *) echo "FAIL: the installed rnnpool loads '$weights', not the packaged model"; fail=1 ;;
esac
# The studio, headless, on a packaged sample picture.
QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME="$work/config" "$root/bin/rnnpool-studio" \
    --screenshot "$work/studio.png" --image "$root/share/rnnpool-studio/samples/grace_hopper.jpg" || {
    echo "FAIL: the installed rnnpool-studio --screenshot exited $?"; fail=1; }
if [ ! -s "$work/studio.png" ]; then
    echo "FAIL: no screenshot"
    fail=1
fi
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate "$root/share/applications/org.rnnpool.studio.desktop" || fail=1
fi
[ "$fail" -eq 0 ] && echo "PASS"
exit "$fail"
