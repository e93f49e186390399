/**
 * `figure(target, text)`: a reliability test's measured result, printed at once and gathered into
 * the table at the end of `npm run test:resilience` (figures-setup.ts). Call it after the
 * assertions that make the figure a pass, so a printed figure is a passed one.
 */
import { appendFileSync } from 'node:fs';
import { inject } from 'vitest';
import type { Target } from './targets.js';

declare module 'vitest' {
  export interface ProvidedContext {
    figuresFile: string;
  }
}

export function figure(target: Target, text: string): void {
  console.info(`${target}: ${text}`);
  const file = inject('figuresFile');
  if (file) appendFileSync(file, `${JSON.stringify({ target, text })}\n`);
}
