import type { Verb } from './verb.ts';

/**
 * Every verb of `dhlab`, with the line `dhlab --help` prints. Each loads its module only when
 * run, so `dhlab --help` or `dhlab server` never loads the scenario engine, the lab or blessed.
 */
export interface VerbEntry {
  name: string;
  summary: string;
  section: string;
  load(): Promise<Omit<Verb, 'name' | 'summary'>>;
}

export const VERBS: readonly VerbEntry[] = [
  {
    section: 'The room',
    name: 'start',
    summary: 'the lab on a terminal, the narrated demo elsewhere (npm start)',
    load: async () => (await import('./lab-command.ts')).startVerb,
  },
  {
    section: 'The room',
    name: 'lab',
    summary: 'the inspector: a server, alice, bob, carol and Eve on loopback',
    load: async () => (await import('./lab-command.ts')).labVerb,
  },
  {
    section: 'The room',
    name: 'demo',
    summary: 'a narrated room on loopback, as plain text',
    load: async () => (await import('./demo-command.ts')).demoVerb,
  },
  {
    section: 'The room',
    name: 'server',
    summary: 'run a chat server',
    load: async () => (await import('./server-command.ts')).serverVerb,
  },
  {
    section: 'The room',
    name: 'client',
    summary: 'join a server as a line client',
    load: async () => (await import('./client-command.ts')).clientVerb,
  },
  {
    section: 'The room',
    name: 'inspect',
    summary: 'join a server with the inspector on your own connection',
    load: async () => (await import('./lab-command.ts')).inspectVerb,
  },
  {
    section: 'The room',
    name: 'eve',
    summary: 'a passive wiretap relay in front of any dhlab server',
    load: async () => (await import('./eve-command.ts')).eveVerb,
  },
  {
    section: 'Lessons and exercises',
    name: 'scenario',
    summary: 'step through a lesson, or run it headless and export a handout',
    load: async () => (await import('./scenario-command.ts')).scenarioVerb,
  },
  {
    section: 'Lessons and exercises',
    name: 'exercise',
    summary: "the exercises, and each one's sheet",
    load: async () => (await import('./exercise-command.ts')).exerciseVerb,
  },
  {
    section: 'Lessons and exercises',
    name: 'check',
    summary: 'grade a program, in any language, against the spec',
    load: async () => (await import('./exercise-command.ts')).checkVerb,
  },
  {
    section: 'Lessons and exercises',
    name: 'class',
    summary: "grade a folder of students' programs: CSV and a report",
    load: async () => (await import('./class-command.ts')).classVerb,
  },
  {
    section: 'Lessons and exercises',
    name: 'aes',
    summary: 'one block through AES-256, round by round (FIPS-197)',
    load: async () => (await import('./aes-command.ts')).aesVerb,
  },
];

/** `dhlab` and `dhlab --help`: the verbs, a line each, in git's manner. */
export function overview(version: string): string {
  const out = [`dhlab ${version}: a Diffie-Hellman chat room to take apart`, '', 'usage: dhlab <verb> [options]', ''];
  const width = Math.max(...VERBS.map((v) => v.name.length));
  for (const section of [...new Set(VERBS.map((v) => v.section))]) {
    out.push(`${section}:`);
    for (const verb of VERBS.filter((v) => v.section === section))
      out.push(`  ${verb.name.padEnd(width)}  ${verb.summary}`);
    out.push('');
  }
  out.push("'dhlab <verb> --help' shows a verb's options and examples; 'dhlab --version' the version.");
  out.push('Start with: dhlab lab (on a terminal) or dhlab demo; docs/TEACHING.md and docs/EXERCISES.md.');
  return out.join('\n');
}
