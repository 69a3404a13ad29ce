"""The entry point of a scenario worker process: ``python -m devolution.web.scenario_workers_main
STORE``. Its own module, because the package ``devolution.web`` imports ``scenario_workers`` (through
the app) before ``-m`` would run it, and Python then warns that the module was found in
``sys.modules`` and may behave unpredictably."""

import sys

from devolution.web.scenario_workers import main

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
