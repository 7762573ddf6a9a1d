#!/usr/bin/env bash
# Builds codeplatform/python-base:bookworm, the local image that the runner
# and service images are built FROM, on machines where no container registry
# may be reachable.
#
#   scripts/build-base-image.sh [--force]   # --force rebuilds an existing image
#
# It tags the official python:3.11-slim-bookworm when a registry answers;
# otherwise it makes a minimal Debian bookworm with python3 by debootstrap
# from the host's own apt mirror and imports it. That root file system is
# cached as .data/cache/python-base-bookworm.tar.gz, so a rebuild on the same
# machine takes seconds (delete the file to bootstrap afresh). Either way
# python3 is both /usr/bin/python3 and /usr/local/bin/python3.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${here%/*}
# shellcheck source=deps.sh source-path=SCRIPTDIR
source "$here/deps.sh"

image=codeplatform/python-base:bookworm
official=python:3.11-slim-bookworm
suite=bookworm
cache=$root/.data/cache
rootfs=$cache/rootfs-$suite
tarball=$cache/python-base-$suite.tar.gz

force=0
case ${1:-} in
  "") ;;
  --force) force=1 ;;
  *) echo "usage: $0 [--force]" >&2; exit 2 ;;
esac

say() { echo "build-base-image: $*" >&2; }
die() { say "$*"; exit 1; }

docker info >/dev/null 2>&1 || die "no Docker daemon answers"
if ((!force)) && docker image inspect "$image" >/dev/null 2>&1; then exit 0; fi

# run.sh and test.sh may both get here at once: build one at a time.
mkdir -p "$cache"
exec 9>"$cache/base-image.lock"
flock 9
if ((!force)) && docker image inspect "$image" >/dev/null 2>&1; then exit 0; fi
start=$SECONDS

# The mirror the host's apt already uses for the suite (deb822 .sources files
# or classic one-line lists). Sources for the suite itself come first, then
# any other non-security Debian source; DEBOOTSTRAP_MIRROR overrides.
apt_mirror() {
  if [[ -n ${DEBOOTSTRAP_MIRROR:-} ]]; then echo "$DEBOOTSTRAP_MIRROR"; return; fi
  local f deb822=() lists=()
  for f in /etc/apt/sources.list.d/*.sources; do [[ -r $f ]] && deb822+=("$f"); done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do [[ -r $f ]] && lists+=("$f"); done
  {
    ((${#deb822[@]} == 0)) || awk -v suite="$suite" '
      function rank(suites,   s, n, i, r) {
        n = split(suites, s, " "); r = 2
        for (i = 1; i <= n; i++)
          if (s[i] == suite) r = 0
          else if (s[i] !~ /-security$|\/updates$/ && r > 1) r = 1
        return r
      }
      function flush(   u, r) {
        split(f["uris"], u, " "); r = rank(f["suites"])
        if (f["types"] ~ /(^| )deb( |$)/ && tolower(f["enabled"]) != "no" && r < 2 &&
            u[1] ~ /^(https?|ftp|file):/)
          print r, u[1]
        delete f; key = ""
      }
      FNR == 1 { flush() }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]/ { if (key != "") f[key] = f[key] " " $0; next }
      { key = tolower($0); sub(/:.*/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val); f[key] = val }
      END { flush() }
    ' "${deb822[@]}"
    ((${#lists[@]} == 0)) || awk -v suite="$suite" '
      $1 == "deb" {
        i = 2
        if ($2 ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) r = 0; else if ($(i + 1) !~ /-security$|\/updates$/) r = 1; else next
        if ($i ~ /^(https?|ftp|file):/) print r, $i
      }
    ' "${lists[@]}"
  } | sort -s -n -k1,1 | awk 'NR == 1 { print $2 }'
}

# Leftovers of an interrupted debootstrap may still have /proc or /sys
# mounted inside; never delete through a mount.
remove_rootfs() {
  local m
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(
    awk -v r="$rootfs" 'index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r)
  rm -rf --one-file-system "$rootfs"
}

bootstrap() {
  local mirror
  mirror=$(apt_mirror)
  [[ -n $mirror ]] || die "no Debian mirror in the apt sources; set DEBOOTSTRAP_MIRROR"
  ensure_group docker
  say "debootstrap $suite (minbase + python3) from the host's apt mirror"
  remove_rootfs
  trap remove_rootfs EXIT
  debootstrap --variant=minbase --include=python3,ca-certificates \
    "$suite" "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 20 "$cache/debootstrap.log" >&2; die "debootstrap failed; see $cache/debootstrap.log"; }
  [[ -x $rootfs/usr/bin/python3 ]] || die "debootstrap produced no /usr/bin/python3"

  # Keep the image small, as Debian's slim images do: no package lists,
  # caches, docs (but the copyright files), man pages, message translations
  # or logs, and no host files debootstrap copied in.
  (
    cd "$rootfs"
    rm -rf --one-file-system var/lib/apt/lists/* var/cache/apt/* var/cache/debconf/*-old \
      var/log/* tmp/* var/tmp/* usr/share/man/* usr/share/info/* usr/share/lintian \
      dev/* proc/* sys/* run/*
    find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete
    find usr/share/doc -mindepth 1 -type d -empty -delete
    find usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
    : >etc/resolv.conf
    : >etc/hostname
    : >etc/machine-id
  )
  # Later apt installs in derived images skip docs too.
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
    'path-exclude /usr/share/locale/*' 'path-include /usr/share/locale/locale.alias' \
    >"$rootfs/etc/dpkg/dpkg.cfg.d/01-nodoc"
  # The official image has python3 in /usr/local/bin: offer both paths.
  ln -sfn /usr/bin/python3 "$rootfs/usr/local/bin/python3"

  # Numeric owners: the host's user names need not match the image's.
  tar --numeric-owner -C "$rootfs" -c . | gzip -1 >"$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  remove_rootfs
  trap - EXIT
}

# The image this replaces (with --force), removed at the end unless in use.
old=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)

if timeout 20 docker pull -q "$official" >/dev/null 2>&1; then
  say "pulled $official; adding /usr/bin/python3 and tagging it $image"
  name=codeplatform-base-$$
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker run --name "$name" --network none "$official" \
    sh -c '[ -e /usr/bin/python3 ] || ln -s /usr/local/bin/python3 /usr/bin/python3' >/dev/null
  docker commit --change 'CMD ["python3"]' "$name" "$image" >/dev/null
  docker rm "$name" >/dev/null
else
  say "no registry answers for $official; building $image from Debian packages"
  if [[ -s $tarball ]]; then
    say "using the cached root file system $tarball"
  else
    bootstrap
  fi
  say "importing into Docker"
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    - "$image" <"$tarball" >/dev/null
fi

out=$(docker run --rm --network none "$image" python3 -c 'import unittest, json; print("ok")' 2>&1) || true
[[ $out == ok ]] || die "$image does not run python3: ${out:-no output}"
docker run --rm --network none "$image" test -x /usr/bin/python3 -a -x /usr/local/bin/python3 ||
  die "$image lacks /usr/bin/python3 or /usr/local/bin/python3"
new=$(docker image inspect -f '{{.Id}}' "$image")
if [[ -n $old && $old != "$new" ]]; then docker rmi "$old" >/dev/null 2>&1 || true; fi
say "$image ready in $((SECONDS - start)) s ($(docker image inspect -f '{{.Size}}' "$image" |
  awk '{ printf "%.0f MB", $1 / 1e6 }'))"
