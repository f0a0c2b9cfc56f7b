import { safeExcerpt } from '../terminal/safe-text.ts';
import type { ClassRow } from './class-grading.ts';
import { EXERCISE_ORDER } from './class-grading.ts';

const CSV_COLUMNS = ['student', 'exercise', 'passed', 'total', 'first_failing_case', 'hint', 'seconds', 'problem'];

/**
 * One CSV field (RFC 4180: quoted when it holds a comma, a quote or a line end). A field that a
 * spreadsheet would run as a formula (=, +, -, @ first: OWASP's CSV injection) gets a leading
 * apostrophe; student-chosen text passes the sanitizer first.
 */
function csvField(value: string | number): string {
  let text = typeof value === 'number' ? String(value) : safeExcerpt(value, 500);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `--csv`: a row per student and exercise. */
export function classCsv(rows: readonly ClassRow[]): string {
  const lines = rows.map((r) =>
    [r.student, r.exercise, r.passed, r.total, r.firstFailingCase, r.hint, r.seconds, r.problem]
      .map(csvField)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}

const html = (text: string) =>
  safeExcerpt(text, 500).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const percent = (part: number, whole: number) => (whole === 0 ? '-' : `${Math.round((100 * part) / whole)} %`);

/** The exercises in the ladder's order, then any other name a row has. */
function exercisesOf(rows: readonly ClassRow[]): string[] {
  const names = [...new Set(rows.map((r) => r.exercise))];
  return names.sort((a, b) => (EXERCISE_ORDER.indexOf(a) + 1 || 99) - (EXERCISE_ORDER.indexOf(b) + 1 || 99));
}

/**
 * `--html`: the class at a glance, printable. Per exercise, how many students passed it whole
 * and the share of cases passed; the misconception histogram (for each hint, how many students
 * it fired for: the mistake half the class made is its first line); a line per student.
 */
export function classHtml(rows: readonly ClassRow[], title: string): string {
  const exercises = exercisesOf(rows);
  const students = [...new Set(rows.map((r) => r.student))].sort();
  const byExercise = exercises.map((exercise) => {
    const mine = rows.filter((r) => r.exercise === exercise);
    const whole = mine.filter((r) => r.total > 0 && r.passed === r.total && r.problem === '').length;
    const cases = mine.reduce((n, r) => n + r.total, 0);
    const passed = mine.reduce((n, r) => n + r.passed, 0);
    return `<tr><td>${html(exercise)}</td><td>${whole} of ${mine.length}</td><td>${percent(passed, cases)}</td></tr>`;
  });
  const hints = new Map<string, Set<string>>();
  for (const r of rows)
    if (r.hint !== '')
      hints.set(`${r.exercise}: ${r.hint}`, (hints.get(`${r.exercise}: ${r.hint}`) ?? new Set()).add(r.student));
  const histogram = [...hints]
    .sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0]))
    .map(([hint, who]) => {
      const bar = `<span class="bar" style="width:${Math.round((100 * who.size) / Math.max(1, students.length))}%"></span>`;
      return `<tr><td class="n">${who.size}</td><td>${bar}</td><td>${html(hint)}</td></tr>`;
    });
  const perStudent = students.map((student) => {
    const cells = exercises.map((exercise) => {
      const r = rows.find((x) => x.student === student && x.exercise === exercise);
      if (!r) return '<td></td>';
      const ok = r.total > 0 && r.passed === r.total && r.problem === '';
      const note = r.problem || r.firstFailingCase;
      return `<td class="${ok ? 'ok' : 'no'}" title="${html(note)}">${r.passed}/${r.total}${ok ? '' : ` <small>${html(note)}</small>`}</td>`;
    });
    return `<tr><td>${html(student)}</td>${cells.join('')}</tr>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title>
<style>
body { font: 11pt system-ui, sans-serif; margin: 2em; } table { border-collapse: collapse; margin-bottom: 1.5em; }
td, th { border: 1px solid #999; padding: 2px 6px; text-align: left; vertical-align: top; }
.ok { background: #e3f4e3; } .no { background: #fbe6e6; } .n { text-align: right; }
.bar { display: inline-block; height: 0.8em; background: #447; min-width: 2px; } td:nth-child(2) { width: 8em; }
@media print { body { margin: 0; } tr { break-inside: avoid; } }
</style></head><body>
<h1>${html(title)}</h1>
<p>${students.length} students, ${exercises.length} exercises, graded with each student's own cases.</p>
<h2>Exercises</h2>
<table><tr><th>exercise</th><th>students who passed it whole</th><th>cases passed</th></tr>
${byExercise.join('\n')}
</table>
<h2>Misconceptions</h2>
<p>How many students each hint fired for (the first failing case of each program).</p>
<table><tr><th>students</th><th></th><th>hint</th></tr>
${histogram.join('\n') || '<tr><td colspan="3">no case failed</td></tr>'}
</table>
<h2>Students</h2>
<table><tr><th>student</th>${exercises.map((e) => `<th>${html(e)}</th>`).join('')}</tr>
${perStudent.join('\n')}
</table>
</body></html>
`;
}
