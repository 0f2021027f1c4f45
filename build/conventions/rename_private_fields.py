#!/usr/bin/env python3
"""Renames private instance fields to _camelCase (IDE1006), which `dotnet format` cannot do: its naming code fix has
no Fix All ("NamingStyleCodeFixProvider doesn't support Fix All in Solution").

Roslyn-free and compiler-checked:
  1. `dotnet format style --diagnostics IDE1006 --verify-no-changes --report` lists every violating declaration
     (file, line, column); the identifier there is renamed, and `this.name` in that file becomes `_name`.
  2. The solution is compiled (against the outputs of the last full build, so one pass sees every project); each
     error that says the old name no longer exists (CS0103, CS1061, CS0117, CS1574) is fixed at its exact position.
     A bare `name` that the compiler still binds (a parameter or local of the same name) is left alone.
  3. Step 2 repeats until the build is clean; anything else is printed for a person and the script fails.
Usage: rename_private_fields.py SOLUTION   (run from the repository root after a successful build)
"""
import json, os, re, subprocess, sys, tempfile, collections

BUILDSLOT = os.environ.get("BUILDSLOT", "")  # e.g. a wrapper that limits parallel builds on a shared machine
RENAME_ERRORS = ("CS0103", "CS1061", "CS0117", "CS1574", "CS1572", "CS0120")


def run(cmd):
    cmd = ([BUILDSLOT] if BUILDSLOT else []) + cmd
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def violations(solution):
    if os.environ.get("IDE1006_REPORT"):  # a report from an earlier `dotnet format --report` run
        with open(os.environ["IDE1006_REPORT"]) as f:
            return parse(json.load(f))
    with tempfile.TemporaryDirectory() as report:
        run(["dotnet", "format", "style", solution, "--diagnostics", "IDE1006", "--severity", "warn",
             "--verify-no-changes", "--report", report])
        path = os.path.join(report, "format-report.json")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return parse(json.load(f))


def parse(entries):
    found = set()
    for entry in entries:
        for change in entry["FileChanges"]:
            if change["DiagnosticId"] == "IDE1006" and "Missing prefix: '_'" in change["FormatDescription"]:
                found.add((entry["FilePath"], change["LineNumber"], change["CharNumber"]))
    return sorted(found)


def new_name(old):
    return "_" + old[0].lower() + old[1:]


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")


def write(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def replace_at(lines, line, col, names):
    """Replaces the identifier at 1-based (line, col) if it is one of the renamed names; returns the old name."""
    text = lines[line - 1]
    m = re.compile(r"@?[A-Za-z_][A-Za-z0-9_]*").match(text, col - 1)
    if not m or m.group(0).lstrip("@") not in names:
        return None
    old = m.group(0).lstrip("@")
    lines[line - 1] = text[:m.start()] + names[old] + text[m.end():]
    return old


def main():
    solution = sys.argv[1] if len(sys.argv) > 1 else "SecGear.slnx"
    found = violations(solution)
    if not found:
        print("rename_private_fields: no private field violates _camelCase")
        return 0
    names = {}
    by_file = collections.defaultdict(list)
    for path, line, col in found:
        by_file[path].append((line, col))
    renamed = collections.defaultdict(set)
    for path, positions in by_file.items():
        lines = read(path)
        for line, col in sorted(positions, reverse=True):
            m = re.compile(r"[A-Za-z][A-Za-z0-9_]*").match(lines[line - 1], col - 1)
            names[m.group(0)] = new_name(m.group(0))
            replace_at(lines, line, col, names)
            renamed[path].add(m.group(0))
        text = "\n".join(lines)
        for old in renamed[path]:
            text = re.sub(r"\bthis\." + re.escape(old) + r"\b", names[old], text)
        write(path, text.split("\n"))
    for path in sorted(renamed):
        print(f"renamed in {os.path.relpath(path)}: {', '.join(sorted(renamed[path]))}")

    pattern = re.compile(r"^(?P<file>/[^(]+)\((?P<line>\d+),(?P<col>\d+)\): error (?P<id>CS\d+): (?P<msg>.*?)(?: \[.*\])?$")
    for attempt in range(1, 8):
        result = run(["dotnet", "build", solution, "-c", "Release", "--no-restore", "-p:BuildProjectReferences=false",
                      "-p:EnforceCodeStyleInBuild=false", "-p:TreatWarningsAsErrors=false", "-nologo", "-clp:NoSummary"])
        errors = set()
        for raw in result.stdout.splitlines():
            m = pattern.match(raw.strip())
            if m:
                errors.add((m["file"], int(m["line"]), int(m["col"]), m["id"], m["msg"]))
        if result.returncode == 0 and not errors:
            print(f"rename_private_fields: {len(names)} names renamed in {len(renamed)} files; build clean after {attempt} pass(es)")
            return 0
        fixed, left = 0, []
        for path in sorted({e[0] for e in errors}):
            lines = read(path)
            for _, line, col, eid, msg in sorted((e for e in errors if e[0] == path), reverse=True):
                if eid in RENAME_ERRORS and replace_at(lines, line, col, names):
                    fixed += 1
                else:
                    left.append(f"{path}({line},{col}): {eid}: {msg}")
            write(path, lines)
        if fixed == 0:
            print("rename_private_fields: errors a rename cannot fix (look at them by hand):")
            print("\n".join(left) if left else result.stdout[-4000:])
            return 1
        print(f"pass {attempt}: fixed {fixed} references")
    return 1


if __name__ == "__main__":
    sys.exit(main())
