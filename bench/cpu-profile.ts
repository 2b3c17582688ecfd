/**
 * The benches' CPU profile of a phase: node's inspector Profiler, in this process, between
 * start() and stop(); the summary is self time by function and by where the code lives
 * (package or app file), so a bench can say where the time goes without a separate tool.
 */
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';
import { BenchRow } from './table';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileSummary {
  totalMs: number;
  byFunction: BenchRow[];
  byArea: BenchRow[];
}

/** Where a frame's code lives: a package, a file of this repository, or V8's pseudo-frames ("(garbage collector)", "(idle)"). */
function areaOf({ url, functionName }: ProfileNode['callFrame']): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  const local = /\/((?:apps|libs)\/[^/]+\/src\/.*|bench\/.*)$/.exec(url);
  return local ? local[1].replace(/\.ts$/, '') : url;
}

export async function startProfile(intervalUs = 500): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return session;
}

/** Stops the profiler, writes the .cpuprofile (open it in Chrome DevTools) when `path` is set, and summarises the top `top` entries. */
export async function stopProfile(session: Session, path: string | undefined, top = 15): Promise<ProfileSummary> {
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  session.disconnect();
  if (path) await writeFile(path, JSON.stringify(profile));
  const samples = profile.samples?.length ?? profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const msPerSample = samples > 0 ? totalMs / samples : 0;
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const area = areaOf(node.callFrame);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${area}:${node.callFrame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + hits);
    areas.set(area, (areas.get(area) ?? 0) + hits);
  }
  const rows = (counts: Map<string, number>): BenchRow[] =>
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([what, hits]) => [what, `${((100 * hits) / samples).toFixed(1)} %`, `${(hits * msPerSample).toFixed(0)} ms self`]);
  return { totalMs, byFunction: rows(functions), byArea: rows(areas) };
}
