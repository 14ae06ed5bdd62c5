#!/usr/bin/env python3
"""Writes a one-module GOPROXY tree for make-captures.sh.

The go command checks the zip layout (every file under "<module>@<version>/")
and the .info JSON, so the tree is built here with fixed timestamps: the same
bytes on every run, whatever the clock says.

Usage: make-module.py OUTDIR
"""
import json
import os
import sys
import zipfile

MODULE = "example.test/hello"
VERSION = "v1.0.0"
TIME = "2024-01-02T03:04:05Z"
GO_MOD = "module example.test/hello\n\ngo 1.19\n"
HELLO_GO = (
    "// Package hello is the module the gotap capture lab serves.\n"
    "package hello\n\n"
    "// Greeting returns a fixed greeting.\n"
    "func Greeting() string { return \"hello from the gotap lab\" }\n"
)


def main() -> None:
    out = os.path.join(sys.argv[1], MODULE, "@v")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "list"), "w") as f:
        f.write(VERSION + "\n")
    with open(os.path.join(out, VERSION + ".info"), "w") as f:
        json.dump({"Version": VERSION, "Time": TIME}, f)
    with open(os.path.join(out, VERSION + ".mod"), "w") as f:
        f.write(GO_MOD)
    prefix = f"{MODULE}@{VERSION}/"
    with zipfile.ZipFile(os.path.join(out, VERSION + ".zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in (("go.mod", GO_MOD), ("hello.go", HELLO_GO)):
            info = zipfile.ZipInfo(prefix + name, date_time=(2024, 1, 2, 3, 4, 5))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body)


if __name__ == "__main__":
    main()
