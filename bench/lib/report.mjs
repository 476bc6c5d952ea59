import { mb, ms, num, ratio, times } from './stats.mjs';

function formatValue(value, unit) {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  switch (unit) {
    case 'ms':
      return ms(value);
    case 'bytes':
      return mb(value);
    case 'req/s':
      return `${num(value)} req/s`;
    case 'exec/s':
      return `${num(value, 1)} exec/s`;
    default:
      return num(value, Number.isInteger(value) ? 0 : 2);
  }
}

/** One table row as strings: figure, value, baseline, ratio, target, met?. */
function cells(row) {
  if (row.skipped) return [row.figure, 'skipped', '', '', '', row.skipped];
  const r = row.noRatio ? undefined : (row.ratioOverride ?? ratio(row.value, row.baseline));
  const met = row.met === undefined || row.target === undefined ? '' : row.met ? 'yes' : 'NO';
  return [
    row.figure,
    formatValue(row.value, row.unit),
    formatValue(row.baseline, row.unit),
    r === undefined ? '' : times(r),
    row.target ?? '',
    met + (row.note ? `${met ? ' — ' : ''}${row.note}` : ''),
  ];
}

const HEADER = ['figure', 'value', 'baseline', 'ratio', 'target', 'met? / note'];

/** Plain-text table for the terminal. */
export function renderTable(rows) {
  const all = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.min(80, Math.max(...all.map((c) => String(c[i]).length))));
  const line = (c) =>
    c
      .map((v, i) => String(v).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

const esc = (s) => String(s).replace(/\|/g, '\\|');

/** bench/RESULTS.md: the command, the machine, the table, the baselines explained. */
export function renderMarkdown(result) {
  const m = result.machine;
  const out = [];
  out.push('# Benchmark results', '');
  out.push(
    `Produced by \`${result.command}\` on ${result.date} (${result.mode} mode, ${Math.round(result.seconds)} s), commit ${result.commit ?? 'unknown'}.`,
    '',
  );
  out.push(
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB RAM, ${m.kernel} (${m.arch}), Node ${m.node}, Docker ${m.docker ?? 'not available'}; load average at start ${m.loadAverage.map((l) => l.toFixed(2)).join(' / ')}. Shared and noisy: compare ratios, not absolute figures.`,
    '',
  );
  const missing = Object.values(result.tools.missing ?? {});
  if (missing.length) out.push(`Missing tools: ${missing.join('; ')}.`, '');
  out.push(`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`);
  for (const row of result.rows) out.push(`| ${cells(row).map(esc).join(' | ')} |`);
  out.push('');
  const met = result.rows.filter((r) => r.target && r.met === true).map((r) => r.figure.trim());
  const missed = result.rows.filter((r) => r.target && r.met === false).map((r) => r.figure.trim());
  const skipped = result.rows.filter((r) => r.skipped).map((r) => `${r.figure.trim()} (${r.skipped})`);
  out.push(`Targets met: ${met.length ? met.join('; ') : 'none'}.`, '');
  out.push(`Targets missed: ${missed.length ? missed.join('; ') : 'none'}.`, '');
  if (skipped.length) out.push(`Not measured: ${skipped.join('; ')}.`, '');
  out.push(
    '## Baselines',
    '',
    "- Cold start and herd: a do-nothing Node HTTP server (`bench/servers/baseline-server.mjs`) started by the same gateway through the same driver: a child process of the process driver; for Docker, a container of an image built on the same base image as the orchestrator image (offline base from the host Node where nothing can be pulled). Samples alternate orchestrator and baseline. Phases: the gateway's `silo_cold_start_duration_seconds` histogram (spawn = driver start call, ready = until `/readyz` answers), per sample by difference; the instance's own boot marks come from its log (`instance listening`, `instance ready`) against the driver's start time; proxy = first byte at the client minus the gateway's total.",
    '- Warm proxy: wrk, 1 thread, fixed duration (3 s full, 1 s quick); req/s with 64 connections, p50/p99 with 1 connection; each target first gets a discarded 1 s warm-up run (16 connections), so that the request path of the gateway (Node) is compiled; full mode runs two rounds in opposite orders and keeps the best round of each target. nginx (`worker_processes auto`, upstream keep-alive) and Caddy (`reverse_proxy`) proxy the same instance and add the instance token the way the gateway does. The gateway logs every proxied request at `info` (its default), through its default asynchronous, buffered destination (`gateway/src/logger.ts`) into a file. The section runs a gateway of its own on a data folder too long for a unix socket path, so its instances listen on TCP ports that wrk (direct), nginx and Caddy reach as the gateway does.',
    '- Engine: `POST /api/v1/{t}/executions/bench/{flow}?wait=true`, 4 in flight, through the gateway and direct to the instance with its token, in alternating rounds. The Sleep baseline is the 0.4 s the 40 sleeps take by themselves.',
    '- Density: `/proc/<pid>/smaps_rollup` of the instance process and its descendants (container: the main pid from `docker inspect`, i.e. docker-init and node); baseline: the do-nothing server started the same way.',
    '- Registry: 10,000 tenants with one key each, suspended, so a request with a valid key runs the whole auth + route lookup and ends in 403 without touching an instance; baseline: a registry of 10 tenants, same requests, interleaved.',
    '',
  );
  return `${out.join('\n')}\n`;
}
