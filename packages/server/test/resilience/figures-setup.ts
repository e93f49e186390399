/** Gathers the figures of the run (figure.ts) and prints them per target when it ends. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { TARGETS } from './targets.js';

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'qrforge-figures-'));
  const file = join(dir, 'figures.jsonl');
  project.provide('figuresFile', file);
  return () => {
    let lines: string[] = [];
    try {
      lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    } catch {
      // No test reported a figure (a filtered run).
    }
    rmSync(dir, { recursive: true, force: true });
    const byTarget = new Map<string, string[]>();
    for (const line of lines) {
      const { target, text } = JSON.parse(line) as { target: string; text: string };
      byTarget.set(target, [...(byTarget.get(target) ?? []), text]);
    }
    const out = ['', 'Reliability figures (docs/reliability-targets.md):'];
    for (const target of TARGETS) {
      const figures = byTarget.get(target);
      if (!figures) out.push(`  ${target}: no figure in this run`);
      else for (const text of figures) out.push(`  ${target}: ${text}`);
    }
    const covered = TARGETS.filter((t) => byTarget.has(t)).length;
    out.push(`  ${covered} of ${TARGETS.length} areas have figures in this run`, '');
    process.stdout.write(`${out.join('\n')}\n`);
  };
}
