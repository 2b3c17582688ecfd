/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux): the benches' view of servers and child processes. */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux the benches run on (getconf CLK_TCK)

export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The 1-minute load average, printed with every bench figure (the machine is shared). */
export function loadAverage(): string {
  return loadavg()[0].toFixed(2);
}
