import { readdirSync, readFileSync } from 'node:fs';

/**
 * Memory of one process from /proc/<pid>/smaps_rollup: RSS, PSS and USS
 * (private clean + private dirty), in bytes. Undefined when the process is gone.
 */
export function processMemory(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return {
    rss: kb('Rss'),
    pss: kb('Pss'),
    uss: kb('Private_Clean') + kb('Private_Dirty'),
  };
}

/** The pid and all its descendants (from /proc/<pid>/task/<pid>/children). */
export function processTree(pid) {
  const out = [];
  const stack = [pid];
  while (stack.length > 0 && out.length < 10_000) {
    const p = stack.pop();
    out.push(p);
    try {
      const kids = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      if (kids) stack.push(...kids.split(/\s+/).map(Number));
    } catch {}
  }
  return out;
}

/** Sum of RSS/PSS/USS over a pid and its descendants. */
export function treeMemory(pid) {
  const total = { rss: 0, pss: 0, uss: 0, processes: 0 };
  for (const p of processTree(pid)) {
    const m = processMemory(p);
    if (!m) continue;
    total.rss += m.rss;
    total.pss += m.pss;
    total.uss += m.uss;
    total.processes++;
  }
  return total.processes === 0 ? undefined : total;
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Every live pid whose command line contains `needle` (bounded scan of /proc). */
export function pidsWithCommandLine(needle) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(needle)) out.push(Number(name));
    } catch {}
  }
  return out;
}
