#!/usr/bin/env python3
"""Fails on any include that skips a layer of ARCHITECTURE.md's module table.

Each module under src/ may include the public header of the modules its row names (and its own
headers); the front ends (cli, server, bindings/python) include nothing below the engine but core.
A module's detail/ headers are its own: no other folder includes them. The build enforces the
same (private links, one public header per module); this check names the offending line before
a compile does (run by lint.sh).
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# module -> modules whose public header it may include (besides its own), from ARCHITECTURE.md.
ALLOWED = {
    "core": set(),
    "model": {"core"},
    "store": {"model", "core"},
    "ingest": {"store", "model", "core"},
    "method": {"model", "core"},
    "compute": {"core"},
    "analysis": {"compute", "method", "model", "core"},
    "forecast": {"compute", "model", "core"},
    "evaluation": {"compute", "core"},
    "platform": {"store", "model", "core"},
    "risk": {"compute", "method", "model", "forecast", "core"},
    "engine": {"analysis", "forecast", "evaluation", "risk", "method", "compute", "ingest", "platform", "store", "model", "core"},
    "report": {"engine", "core"},
    "server": {"engine", "report", "core"},
    "cli": {"engine", "report", "server", "core"},
    "python": {"engine", "report", "core"},
}
HEADERS = {f"{m}.hpp": m for m in ALLOWED if m not in ("python", "cli")}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folders():
    for d in sorted((ROOT / "src").iterdir()):
        if d.is_dir():
            yield d.name, d
    yield "python", ROOT / "bindings" / "python"


def main():
    problems = []
    for module, folder in folders():
        if module not in ALLOWED:
            problems.append(f"{folder.relative_to(ROOT)}: module not in the dependency table of scripts/check_layers.py")
            continue
        for f in sorted(folder.rglob("*")):
            if f.suffix not in (".cpp", ".hpp", ".h"):
                continue
            text = f.read_text(encoding="utf-8", errors="replace")
            for m in INCLUDE.finditer(text):
                inc = m.group(1)
                line = text.count("\n", 0, m.start()) + 1
                where = f"{f.relative_to(ROOT)}:{line}"
                if ".." in pathlib.PurePosixPath(inc).parts or inc.startswith("/"):
                    target = (f.parent / inc).resolve()
                    if folder.resolve() not in target.parents:
                        problems.append(f"{where}: include \"{inc}\" reaches outside its module")
                    continue
                # detail/ headers resolve only from their own module's folder.
                if inc.startswith("detail/") and not (f.parent / inc).exists() and not (folder / inc).exists():
                    problems.append(f"{where}: include \"{inc}\" is another module's detail header")
                    continue
                owner = HEADERS.get(inc)
                if owner and owner != module and owner not in ALLOWED[module]:
                    problems.append(f"{where}: {module} may not include {inc} (may use: "
                                    f"{', '.join(sorted(ALLOWED[module])) or 'nothing'})")
    for p in problems:
        print(f"{p}", file=sys.stderr)
    if problems:
        print(f"check_layers: {len(problems)} layer-skipping include(s)", file=sys.stderr)
        return 1
    print("lint: layers ok (every include follows ARCHITECTURE.md's module table)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
