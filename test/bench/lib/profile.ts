/** Summarises a V8 `.cpuprofile`: top functions by self time, and self time by origin. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly top: readonly { name: string; where: string; ms: number; pct: number }[];
  readonly byOrigin: readonly { origin: string; ms: number; pct: number }[];
}

function originOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native/V8)';
  if (url.includes('/src/')) return `ours: ${url.slice(url.lastIndexOf('/src/') + 1)}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return 'node core';
  if (url.includes('/test/bench/')) return 'bench server';
  return url;
}

function shortUrl(url: string): string {
  const src = url.lastIndexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  return url.replace(/^file:\/\/.*\/test\//, 'test/');
}

export function summarizeProfile(path: string, topN = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, { name: string; where: string; us: number }>();
  const origin = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const name = functionName || '(anonymous)';
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const row = fn.get(key) ?? { name, where, us: 0 };
    row.us += us;
    fn.set(key, row);
    const o = originOf(url, name);
    const bucket = o.startsWith('ours: ') ? 'ours (src/)' : o;
    origin.set(bucket, (origin.get(bucket) ?? 0) + us);
    if (bucket === 'ours (src/)') origin.set(o, (origin.get(o) ?? 0) + us);
  }
  const pct = (us: number) => (100 * us) / total;
  return {
    totalMs: total / 1000,
    top: [...fn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((r) => ({ name: r.name, where: r.where, ms: r.us / 1000, pct: pct(r.us) })),
    byOrigin: [...origin]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([o, us]) => ({ origin: o, ms: us / 1000, pct: pct(us) })),
  };
}
