/**
 * `node --import tsx bench/src/profile-summary.ts <file.cpuprofile> [top]`: the functions a
 * V8 CPU profile (BENCH_PROFILE=1) spent its own time in, as a Markdown table, for the
 * analysis. For the whole picture, open the file in chrome://inspect or speedscope.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame is: the package for dependencies, the file for Hubbub's own code. */
function place(url: string): string {
  if (url === '') return '';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency !== null) return dependency[1] ?? '';
  if (url.startsWith('node:')) return url;
  return basename(url);
}

export function summarize(profile: CpuProfile, top: number): string[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const frame = byNode.get(id)?.callFrame;
    const name = frame === undefined ? '(unknown)' : frame.functionName || '(anonymous)';
    const where = frame === undefined ? '' : place(frame.url);
    const key = where === '' ? name : `${name} (${where})`;
    self.set(key, (self.get(key) ?? 0) + delta);
    total += delta;
  });
  const idle = self.get('(idle)') ?? 0;
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `${(total / 1e6).toFixed(1)} s profiled, ${((100 * idle) / total).toFixed(0)}% idle.`,
    '',
    '| function (where) | self time | of all | of busy |',
    '|---|---|---|---|',
    ...rows.map(([key, micros]) => {
      const busy = key === '(idle)' ? '' : `${((100 * micros) / (total - idle)).toFixed(1)}%`;
      return `| ${key} | ${(micros / 1e6).toFixed(2)} s | ${((100 * micros) / total).toFixed(1)}% | ${busy} |`;
    }),
  ];
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(basename(process.argv[1]))) {
  const [file, top] = process.argv.slice(2);
  if (file === undefined) {
    console.error('usage: profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(summarize(profile, Number(top ?? 20)).join('\n'));
}
