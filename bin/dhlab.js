#!/usr/bin/env node
// In a checkout the TypeScript sources run through tsx's loader, so no build step stands between
// `npm ci` and use; the installed package runs the JavaScript `npm pack` compiled into dist/.
import { existsSync } from 'node:fs';

const fromSource = existsSync(new URL('../src/cli/main.ts', import.meta.url));
if (fromSource) (await import('tsx/esm/api')).register();
const root = fromSource ? '../src/' : '../dist/src/';
const extension = fromSource ? 'ts' : 'js';
const { main } = await import(`${root}cli/main.${extension}`);
const { exitWhenFlushed, exitQuietlyOnBrokenPipe } = await import(`${root}terminal/output.${extension}`);
// `dhlab scenario --list | head -1`: a reader that goes away ends the command quietly, every verb.
exitQuietlyOnBrokenPipe();
// A finished command exits, whatever stdin or a silent peer still holds open.
await exitWhenFlushed(await main(process.argv.slice(2)));
