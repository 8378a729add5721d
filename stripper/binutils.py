"""Stay out of the way of binutils' `strip`, whose name our entry point shares.

Build tools call `strip a.out`, `strip --strip-debug x.o`, `strip -o out in`,
`install -s`. When our `strip` comes first on PATH, such a call is handed,
with the same arguments, to the next `strip` on PATH that is not ours, before
Click sees the arguments. Only the `strip` entry point does this; `stripper`
and `python -m stripper` never hand anything over.
"""
from __future__ import annotations

import os
import sys

# Object files, archives and executables: what binutils strips and no page starts with.
OBJECT_MAGIC = (
    (b"\x7fELF", "ELF"), (b"!<arch>\n", "ar archive"), (b"!<thin>\n", "ar archive"),
    (b"\xfe\xed\xfa\xce", "Mach-O"), (b"\xfe\xed\xfa\xcf", "Mach-O"), (b"\xce\xfa\xed\xfe", "Mach-O"),
    (b"\xcf\xfa\xed\xfe", "Mach-O"), (b"\xca\xfe\xba\xbe", "Mach-O universal"), (b"BC\xc0\xde", "LLVM bitcode"),
)
# Names that say "page", whatever the bytes: a PE or ELF saved as page.html is reported, never stripped.
PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp", ".txt", ".text",
                 ".md", ".xml", ".json", ".gz", ".warc", ".mht", ".mhtml")
# Options of GNU strip (and llvm-strip, macOS strip) that stripper does not have.
SHORT = frozenset("IOFpDURsgSdMNKwxXvuruTAnc")
SHORT_WITH_VALUE = frozenset("IOFRNKo")
LONG = (
    "input-target", "output-target", "target", "preserve-dates", "enable-deterministic-archives",
    "disable-deterministic-archives", "remove-section", "remove-relocations", "strip-all", "strip-debug",
    "strip-dwo", "strip-unneeded", "only-keep-debug", "merge-notes", "no-merge-notes", "strip-symbol",
    "keep-section", "keep-symbol", "keep-section-symbols", "keep-file-symbols", "wildcard", "discard-all",
    "discard-locals", "verbose", "info", "strip-all-gnu", "strip-sections", "keep-undefined",
    "regex", "allow-broken", "arch", "no_uuid", "no_split_info", "no_code_signature_warning",
)
SCRIPT_SNIFF = 4096
EXIT_USAGE = 2
# Paths already handed a call, carried to the next process: a wrapper that calls us back
# (a pyenv shim runs the first `strip` of its own PATH) is then passed over, not looped through.
HANDED_TO = "STRIPPER_STRIP_HANDED_TO"
MAX_HANDOVERS = 8


def object_kind(path: str) -> str | None:
    """"ELF", "ar archive", ... for an object file binutils would strip; None otherwise."""
    if path.lower().endswith(PAGE_SUFFIXES):
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError:
        return None
    for magic, kind in OBJECT_MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"MZ") and b"\x00" in head:
        return "PE executable"
    return None


def our_options() -> tuple[set[str], set[str]]:
    """Short letters and long names the stripper CLI itself takes (so they are never handed over)."""
    from .cli import main as command

    short: set[str] = set()
    long: set[str] = set()
    for param in command.params:
        for opt in [*getattr(param, "opts", ()), *getattr(param, "secondary_opts", ())]:
            if opt.startswith("--"):
                long.add(opt[2:])
            elif opt.startswith("-") and len(opt) == 2:
                short.add(opt[1])
    return short, long | {"help", "version"}


def binutils_reason(args: list[str]) -> str | None:
    """Why these arguments look like a binutils call, or None when they are ours."""
    skip_next = False
    for arg in args:
        if skip_next:
            skip_next = False
            continue
        if arg == "--":
            continue
        if arg in ("-o", "--output"):
            skip_next = True  # the output may be an old object file; the input decides
            continue
        if not arg.startswith("-") or arg == "-":
            if arg.startswith("@") and os.path.isfile(arg[1:]):
                return f"response file {arg}"
            kind = object_kind(arg) if os.path.isfile(arg) else None
            if kind:
                return f"{kind} input {arg}"
    short, long = None, None
    for arg in args:
        if arg == "--":
            break
        if arg.startswith("--"):
            name = arg[2:].split("=", 1)[0]
            if long is None:
                short, long = our_options()
            if name and name not in long and any(o.startswith(name) for o in LONG):
                return f"binutils option {arg}"
        elif arg.startswith("-") and len(arg) > 1:
            if short is None:
                short, long = our_options()
            if arg[1:] in LONG and arg[1:] not in long:  # macOS: -arch, -no_uuid
                return f"binutils option {arg}"
            for letter in arg[1:]:
                if letter in SHORT and letter not in short:
                    return f"binutils option -{letter}"
                if letter in SHORT_WITH_VALUE or letter in short:
                    break  # the rest of the cluster is a value
    return None


def is_ours(path: str, own: str | None) -> bool:
    """True for our own entry point, or any script that runs stripper."""
    real = os.path.realpath(path)
    if own and real == own:
        return True
    try:
        with open(real, "rb") as fh:
            head = fh.read(SCRIPT_SNIFF)
    except OSError:
        return True  # unreadable: not something we can hand a build to
    return head.startswith(b"#!") and b"stripper" in head


def handed_to() -> list[str]:
    """Real paths of the `strip`s this call has already been handed to."""
    return [p for p in os.environ.get(HANDED_TO, "").split(os.pathsep) if p]


def other_strip(argv0: str, path_env: str | None = None, tried: list[str] | None = None) -> str | None:
    """The first `strip` on PATH that is neither stripper's nor one already tried."""
    own = None
    if argv0:
        if os.sep not in argv0:
            from shutil import which

            argv0 = which(argv0) or argv0
        own = os.path.realpath(argv0)
    path_env = os.environ.get("PATH", os.defpath) if path_env is None else path_env
    skip = set(handed_to() if tried is None else tried)
    for folder in path_env.split(os.pathsep):
        candidate = os.path.join(folder or ".", "strip")
        if os.path.realpath(candidate) in skip:
            continue
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK) and not is_ours(candidate, own):
            return candidate
    return None


def main(argv: list[str] | None = None) -> None:
    """The `strip` entry point: binutils calls go to binutils, everything else to stripper."""
    args = sys.argv[1:] if argv is None else list(argv)
    reason = binutils_reason(args)
    if reason is None:
        from .cli import main as command

        command.main(args=args, prog_name="strip")
        return
    tried = handed_to()
    target = other_strip(sys.argv[0], tried=tried) if len(tried) < MAX_HANDOVERS else None
    if target is None:
        sys.stderr.write(f"strip: this is a binutils call ({reason}) but no other `strip` is on PATH; "
                         "stripper only reads pages (install binutils, or call `stripper`)\n")
        sys.exit(EXIT_USAGE)
    sys.stdout.flush()
    sys.stderr.flush()
    env = dict(os.environ, **{HANDED_TO: os.pathsep.join([*tried, os.path.realpath(target)])})
    os.execve(target, ["strip", *args], env)
