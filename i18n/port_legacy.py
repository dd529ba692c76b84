"""`python -m i18n.port_legacy [FILE]`: the same as `python -m i18n port-legacy` (after a merge, moves the
(es, en) pairs others added to ui/i18n.py's TEXTS into the .po catalogues)."""

import sys

from i18n.tool import main

if __name__ == "__main__":
    sys.exit(main(["port-legacy", *sys.argv[1:]]))
