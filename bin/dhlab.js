#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so no build step stands between `npm ci` and use.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const { exitWhenFlushed, exitQuietlyOnBrokenPipe } = await import('../src/terminal/output.ts');
// `dhlab scenario --list | head -1`: a reader that goes away ends the command quietly, every verb.
exitQuietlyOnBrokenPipe();
// A finished command exits, whatever stdin or a silent peer still holds open.
await exitWhenFlushed(await main(process.argv.slice(2)));
