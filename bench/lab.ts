/**
 * The lab under a flood: render cost and memory with 100,000 frames in a perspective.
 * Real trace events are recorded from a real LabWorld (server, clients, tap on loopback), then
 * replayed into a fresh perspective until it has seen 100,000 frames; a headless LabView renders
 * every 1,000 frames, as the ~30 redraws/s throttle would during a 1,000 msgs/s flood.
 */
import { palette } from '../src/terminal/colors.ts';
import { ENGINES } from '../src/crypto/engines.ts';
import { GROUPS } from '../src/crypto/groups.ts';
import type { TraceEvent } from '../src/protocol/trace.ts';
import { LabWorld } from '../lab/apps/room-world.ts';
import { TracePerspective } from '../lab/model/model.ts';
import { LabView } from '../lab/view/view.ts';
import { headlessTerminal } from '../test/support/headless.ts';

const FRAMES = 100_000;
const lab = await LabWorld.start({ engine: ENGINES.native, group: GROUPS.modp14 });
const recorded: Array<[string, TraceEvent]> = [];
const serverRecorder = lab.server.onTrace.bind(lab.server);
lab.server.onTrace = (connection, event) => {
  recorded.push([connection, event]);
  serverRecorder(connection, event);
};
for (let i = 0; i < 300; i++)
  lab.say(['alice', 'bob', 'carol'][i % 3] as string, `flood message ${i} ${'x'.repeat(i % 64)}`);
await new Promise((resolve) => setTimeout(resolve, 1500));
await lab.close();

global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const flood = new TracePerspective('server', 'server');
const term = headlessTerminal(200, 50);
const view = new LabView({
  perspectives: [flood],
  typists: [],
  subtitle: 'bench',
  onQuit: () => {},
  input: term.input,
  output: term.output,
  colors: palette(2),
});
const renderTimes: number[] = [];
let i = 0;
while (flood.frames.total < FRAMES) {
  const [connection, event] = recorded[i++ % recorded.length] as [string, TraceEvent];
  flood.onTrace(connection, event);
  if (flood.frames.total % 1000 === 0 && event.kind === 'wire') {
    const started = performance.now();
    view.render(true);
    renderTimes.push(performance.now() - started);
  }
}
global.gc?.();
const heapAfter = process.memoryUsage().heapUsed;
view.destroy();
renderTimes.sort((a, b) => a - b);
const result = {
  frames: flood.frames.total,
  kept: flood.frames.length,
  renders: renderTimes.length,
  renderMsP50: Number((renderTimes[Math.floor(renderTimes.length / 2)] ?? 0).toFixed(2)),
  renderMsMax: Number((renderTimes.at(-1) ?? 0).toFixed(2)),
  heapGrowthMB: Number(((heapAfter - heapBefore) / 1e6).toFixed(1)),
};
console.log(
  `lab: ${result.frames} frames (${result.kept} kept), render at 200x50 p50 ${result.renderMsP50} ms, max ${result.renderMsMax} ms; heap +${result.heapGrowthMB} MB`,
);
console.log(JSON.stringify(result));
process.exit(0);
