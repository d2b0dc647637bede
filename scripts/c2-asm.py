#!/usr/bin/env python3
"""C2's machine code for one method, without hsdis.

With -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,CLASS::METHOD and no hsdis library,
the JVM prints each compiled method's code as hex words ("abstract disassembly"). This decodes the
last C2 compile of the method (not an on-stack-replacement one) with binutils' objdump, in Intel
syntax, and marks the loops (backward jumps) at the end: the way to see a kernel's inner loop (its
bounds checks, spills, memory operands, unrolling) on a machine without hsdis (BENCHMARKS.md,
session 33).

Usage:
  java --add-modules jdk.incubator.vector -XX:+UnlockDiagnosticVMOptions \\
       -XX:CompileCommand=print,dev.octet.runtime.simd.SgemmHalf::kernel4 ... > print.log
  scripts/c2-asm.py print.log > kernel4.asm
"""
import re
import shutil
import subprocess
import sys
import tempfile


def last_c2_block(lines):
    """The lines of the last 'Compiled method (c2)' that is not an OSR compile ('%')."""
    starts = [i for i, l in enumerate(lines)
              if l.startswith("Compiled method (c2)") and " % " not in l]
    if not starts:
        sys.exit("c2-asm: no C2 compile in the log (did the method get hot enough?)")
    start = starts[-1]
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("Compiled method")),
               len(lines))
    return lines[start], lines[start:end]


def code_bytes(block):
    """Address -> byte from the hex words of the [MachCode] dump."""
    data = {}
    for line in block:
        m = re.match(r"0x([0-9a-f]+): (.*)$", line.strip())
        if not m or ";" in m.group(2):
            continue
        hexs = m.group(2).replace("|", "").replace(" ", "")
        if not re.fullmatch(r"[0-9a-f]+", hexs):
            continue
        addr = int(m.group(1), 16)
        for i, b in enumerate(bytes.fromhex(hexs)):
            data[addr + i] = b
    if not data:
        sys.exit("c2-asm: no hex code found (is hsdis installed? then read the log directly)")
    return data


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if not shutil.which("objdump"):
        sys.exit("c2-asm: objdump not found (Debian: apt-get install binutils)")
    with open(sys.argv[1], errors="replace") as f:
        lines = f.read().split("\n")
    header, block = last_c2_block(lines)
    data = code_bytes(block)
    start, end = min(data), max(data) + 1
    with tempfile.NamedTemporaryFile(suffix=".bin") as tmp:
        tmp.write(bytes(data.get(a, 0x90) for a in range(start, end)))
        tmp.flush()
        out = subprocess.run(
            ["objdump", "-D", "-b", "binary", "-m", "i386:x86-64", "-M", "intel",
             "--adjust-vma=%#x" % start, tmp.name],
            capture_output=True, text=True, check=True).stdout
    print(header)
    body = out.split("<.data>:", 1)[-1]
    print(body)
    print("loops (backward jumps):")
    for line in body.split("\n"):
        m = re.match(r"\s*([0-9a-f]+):\s.*\sj[a-z]+\s+0x([0-9a-f]+)", line)
        if m and start <= int(m.group(2), 16) < int(m.group(1), 16):
            print("  %s back to %s" % (m.group(1), m.group(2)))


if __name__ == "__main__":
    main()
