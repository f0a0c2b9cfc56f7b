#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so no build step stands between `npm ci` and use.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
