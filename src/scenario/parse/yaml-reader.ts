import { isMap, isSeq, type Document, type LineCounter } from 'yaml';
import { DhlabError } from '../../errors.ts';

/** Where a field sits in a scenario file: keys and list indexes from the top. */
export type Path = (string | number)[];

/** The longest string a field may hold: a narration of a few screens (the longest shipped is under 2,000). */
const MAX_STRING = 8192;

/** Reads a field with its position: every problem names the file, the line and the field. */
export class Reader {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  line(path: Path): number {
    for (let p = path; p.length >= 0; p = p.slice(0, -1)) {
      const node = this.doc.getIn(p, true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return this.lines.linePos(node.range[0]).line;
      if (p.length === 0) break;
    }
    return 1;
  }

  fail(path: Path, message: string): never {
    const field =
      path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
        .join('')
        .replace(/^\./, '') || '(top)';
    throw new DhlabError('ERR_SCENARIO', `${this.file}:${this.line(path)}: ${field}: ${message}`);
  }

  raw(path: Path): unknown {
    const value = this.doc.getIn(path, false);
    return value !== null && typeof value === 'object' && 'toJSON' in value
      ? (value as { toJSON(): unknown }).toJSON()
      : value;
  }

  has(path: Path): boolean {
    return this.doc.hasIn(path);
  }

  string(path: Path, fallback?: string): string {
    const value = this.raw(path);
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string' || value.length === 0) this.fail(path, 'must be a non-empty string');
    if (value.length > MAX_STRING) this.fail(path, `is ${value.length} characters long; at most ${MAX_STRING}`);
    return value;
  }

  optionalString(path: Path): string | undefined {
    return this.has(path) ? this.string(path) : undefined;
  }

  integer(path: Path, min: number, max: number): number {
    const value = this.raw(path);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      this.fail(path, `must be an integer from ${min} to ${max}`);
    return value;
  }

  boolean(path: Path, fallback: boolean): boolean {
    if (!this.has(path)) return fallback;
    const value = this.raw(path);
    if (typeof value !== 'boolean') this.fail(path, 'must be true or false');
    return value;
  }

  keys(path: Path, allowed: readonly string[]): string[] {
    const node = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    if (!isMap(node)) this.fail(path, 'must be a mapping (key: value lines)');
    const keys = node.items.map((item) => String((item.key as { value?: unknown } | null)?.value ?? item.key));
    for (const key of keys)
      if (!allowed.includes(key)) this.fail([...path, key], `unknown field (expected one of: ${allowed.join(', ')})`);
    return keys;
  }

  /** The length of a list, refused above `max` items (limits before work: nothing runs long). */
  list(path: Path, max = 64): number {
    const node = this.doc.getIn(path, true);
    if (!isSeq(node)) this.fail(path, 'must be a list');
    if (node.items.length > max) this.fail(path, `has ${node.items.length} items; at most ${max}`);
    return node.items.length;
  }
}
