/**
 * The lab's entry points, the one module src/cli/ loads (by a dynamic import) when a verb opens a
 * screen: the live room, inspect, Eve's screen, a scenario in the lab, and check --watch.
 */
export { runLab, type RunLabOptions } from './apps/room.ts';
export { runInspect, type InspectOptions } from './apps/inspect.ts';
export { openEveScreen, type EveScreen } from './apps/eve.ts';
export { runScenarioLab, type ScenarioLabOptions } from './apps/scenario.ts';
export { watchGrading, type WatchOptions } from './apps/watch.ts';
