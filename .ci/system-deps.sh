#!/usr/bin/env bash
# Install the Debian packages Dalel and its tests need, only when something is missing.
set -euo pipefail
packages=(
  python3-venv ffmpeg tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus tesseract-ocr-eng
  poppler-utils libimage-exiftool-perl espeak-ng fonts-dejavu-core libmagic1 qpdf openssl
  chromium zip postgresql redis-server nodejs npm softhsm2
)
[ "${1:-}" = "venv" ] && packages=(python3-venv)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# postgresql/redis may come from elsewhere (e.g. a managed install): the binaries suffice.
filtered=()
for pkg in "${missing[@]}"; do
  case "$pkg" in
    postgresql) command -v pg_ctlcluster >/dev/null || command -v postgres >/dev/null || filtered+=("$pkg") ;;
    redis-server) command -v redis-server >/dev/null || filtered+=("$pkg") ;;
    # node and npm may come from elsewhere too (NodeSource's nodejs carries npm).
    nodejs) command -v node >/dev/null || filtered+=("$pkg") ;;
    npm) command -v npm >/dev/null || filtered+=("$pkg") ;;
    python3-venv) python3 -c 'import venv, ensurepip' 2>/dev/null || filtered+=("$pkg") ;;
    *) filtered+=("$pkg") ;;
  esac
done
[ ${#filtered[@]} -eq 0 ] && exit 0
echo "installing system packages: ${filtered[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${filtered[@]}"
