import { DhlabError } from '../errors.ts';
import type { CryptoEngine, EngineName } from './engine.ts';
import { forgeEngine } from './forge.ts';
import { nativeEngine } from './native.ts';

export function getEngine(name: string): CryptoEngine {
  if (name === 'native') return nativeEngine;
  if (name === 'forge') return forgeEngine;
  throw new DhlabError('ERR_USAGE', `unknown crypto engine "${name}" (expected native or forge)`);
}

export const ENGINES: Readonly<Record<EngineName, CryptoEngine>> = { native: nativeEngine, forge: forgeEngine };
