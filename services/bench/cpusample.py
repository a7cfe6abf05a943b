# Samples per-command CPU use (utime+stime of every process, by comm) every second.
import os, time, sys, json
hz = os.sysconf('SC_CLK_TCK')
def snap():
    d = {}
    for p in os.listdir('/proc'):
        if not p.isdigit(): continue
        try:
            s = open(f'/proc/{p}/stat').read()
        except OSError: continue
        comm = s[s.find('(')+1:s.rfind(')')]
        f = s[s.rfind(')')+2:].split()
        d[(p, comm)] = int(f[11]) + int(f[12])
    return d
out = open(sys.argv[1], 'w'); prev = snap()
while True:
    time.sleep(1); cur = snap(); agg = {}
    for k, v in cur.items():
        dv = v - prev.get(k, 0 if k not in prev else prev[k])
        if k not in prev: dv = 0  # new process: count from next second
        if dv > 0: agg[k[1]] = agg.get(k[1], 0) + dv / hz
    out.write(json.dumps({'t': time.time(), 'cpu': agg}) + '\n'); out.flush(); prev = cur
