#!/usr/bin/env python3
"""cpu_time.py - runs a command and prints the CPU seconds (user + system)
it and its children used, to the microsecond (GNU time prints hundredths,
too coarse for a scan of 20 ms).  stdout of the command goes to $OUT
(default /dev/null); exits with the command's status.

usage: OUT=file python3 bench/cpu_time.py cmd args...
"""
import os
import subprocess
import sys

with open(os.environ.get("OUT", "/dev/null"), "w") as out:
    child = subprocess.Popen(sys.argv[1:], stdout=out)
    _, status, usage = os.wait4(child.pid, 0)
print("%.4f" % (usage.ru_utime + usage.ru_stime))
sys.exit(os.waitstatus_to_exitcode(status))
