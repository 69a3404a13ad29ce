#!/usr/bin/env bash
# Create the OpenFisca-Core peer's own virtualenv (kept apart from the project's: OpenFisca pins
# its own numpy). Usage: bench/openfisca_peer/create_venv.sh  -> bench/openfisca_peer/.venv
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install --quiet "openfisca-core>=41,<45"
"$here/.venv/bin/python" -c "import openfisca_core, numpy; print('openfisca-core ready, numpy', numpy.__version__)"
